"""kefu tone checks from Python: typed results, spans, context, overrides, errors, GIL release, CLI."""
import json
import os
import subprocess
import threading

import pytest

import kefu

SRC = os.environ.get("KEFU_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))


@pytest.fixture(scope="module")
def engine():
    return kefu.Engine()


def rules(report):
    return [f.rule for f in report.findings]


def test_check_tone_returns_typed_findings(engine):
    r = engine.check_tone("不知道，你自己看吧", locale="zh-CN")
    assert isinstance(r, kefu.ToneReport)
    assert 0 <= r.score < 100
    f = next(f for f in r.findings if f.rule == "cold.dont_know")
    assert isinstance(f, kefu.Finding)
    assert (f.category, f.severity, f.start, f.end, f.text) == ("cold", "warning", 0, 3, "不知道")
    assert f.suggestions[0] == "我帮您查一下"
    assert r.counts["cold"] >= 1
    data = json.loads(r.to_json())
    assert data["score"] == r.score
    assert set(data["findings"][0]) >= {"rule", "category", "severity", "start", "end", "start_byte", "end_byte",
                                        "start_utf16", "end_utf16", "message", "suggestions"}


def test_spans_in_python_string_bytes_and_utf16(engine):
    draft = "亲😀，这是全网最好的"
    f = next(f for f in engine.check_tone(draft, locale="zh-CN").findings if f.rule == "compliance.absolute")
    assert draft[f.start:f.end] == "最好"
    assert draft.encode()[f.start_byte:f.end_byte].decode() == "最好"
    assert draft.encode("utf-16-le")[2 * f.start_utf16:2 * f.end_utf16].decode("utf-16-le") == "最好"


def test_polite_idioms_have_no_findings(engine):
    for text, locale in [("不知道您是否方便", "zh-CN"), ("如果可能的话", "zh-CN"), ("第一时间为您处理", "zh-CN"),
                         ("我们客服不会向您索要验证码", "zh-CN"), ("Sorry for the wait!", "en"),
                         ("The USB cable fits the XL case.", "en"), ("第一時間為您處理", "zh-TW")]:
        r = engine.check_tone(text, locale=locale)
        assert r.findings == [], (text, rules(r))
        assert r.score == 100


def test_apology_needs_an_upset_customer(engine):
    draft = "Your order was shipped on Monday."
    calm = engine.check_tone(draft, locale="en", customer="When will my order ship?")
    upset = engine.check_tone(draft, locale="en", customer="The zipper broke after one day. This is ridiculous!")
    assert "apology.missing" not in rules(calm) and calm.customer_upset is False
    assert "apology.missing" in rules(upset) and upset.customer_upset is True
    analysis = engine.analyze("The zipper broke after one day. This is ridiculous!", locale="en")
    assert "apology.missing" in rules(engine.check_tone(draft, locale="en", customer=analysis))
    assert engine.check_tone(draft, locale="en").customer_upset is None


def test_traditional_messages_in_the_drafts_script(engine):
    r = engine.check_tone("不知道，你自己看吧", locale="zh-TW")
    f = next(f for f in r.findings if f.rule == "cold.dont_know")
    assert "幫" in f.suggestions[0]


def test_errors(engine):
    with pytest.raises(kefu.KefuError) as e:
        engine.check_tone("", locale="en")
    assert e.value.code == "empty"
    with pytest.raises(kefu.KefuError) as e:
        engine.check_tone("x" * (1 << 20), locale="en")
    assert e.value.code == "too_large"
    with pytest.raises(kefu.KefuError) as e:
        engine.check_tone("hi", locale="klingon")
    assert e.value.code == "unsupported"
    with pytest.raises(kefu.KefuError):
        engine.check_tone("hi", channel="fax")
    with pytest.raises(kefu.KefuError):
        engine.check_tone("hi", customer=42)


def test_overrides_and_lint():
    shop = kefu.Engine(tone_overrides=os.path.join(SRC, "tests", "data", "tone", "shop_overrides.yaml"))
    r = shop.check_tone("不造，你去隔壁店看看", locale="zh-CN")
    assert "shop.competitor" in rules(r) and "politeness.ni" not in rules(r)
    assert any(x["id"] == "shop.competitor" for x in shop.tone_rules())
    assert kefu.lint_tone() == []
    problems = kefu.lint_tone(os.path.join(SRC, "tests", "data", "tone", "bad_rules.yaml"))
    assert problems and problems[0].file.endswith("bad_rules.yaml") and problems[0].line == 5
    with pytest.raises(kefu.KefuError) as e:
        kefu.Engine(tone_overrides=os.path.join(SRC, "tests", "data", "tone", "bad_rules.yaml"))
    assert e.value.code == "parse" and "bad_rules.yaml:5" in str(e.value)


def test_draft_checked_event(engine):
    seen = []
    sub = engine.subscribe("draft_checked", lambda name, payload: seen.append(json.loads(payload)))
    engine.check_tone("No idea.", locale="en")
    engine.unsubscribe(sub)
    assert seen and seen[0]["findings"][0]["rule"] == "cold.dont_know"


def test_threads_share_an_engine(engine):
    errors = []

    def work():
        try:
            for _ in range(200):
                assert engine.check_tone("不知道，你自己看吧", locale="zh-CN").findings
        except Exception as exc:  # pragma: no cover
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors


@pytest.mark.skipif(not os.environ.get("KEFU_CLI"), reason="KEFU_CLI not set")
def test_cli_json_and_batch():
    cli = os.environ["KEFU_CLI"]
    out = subprocess.run([cli, "tone", "--json", "--locale", "zh-CN", "--customer", "太差了，我要投诉", "不知道"],
                         capture_output=True, text=True, check=True).stdout
    r = json.loads(out)
    assert {f["rule"] for f in r["findings"]} >= {"cold.dont_know", "apology.missing"}
    lines = "\n".join(json.dumps(x, ensure_ascii=False) for x in [
        {"text": "No idea.", "locale": "en"},
        {"text": "\u7b2c\u4e00\u65f6\u95f4\u4e3a\u60a8\u5904\u7406", "locale": "zh-CN"},
        {"text": "", "locale": "en"},
        {"text": "Your order shipped.", "locale": "en", "customer": "This is ridiculous, it broke!"},
    ]) + "\n"
    p = subprocess.run([cli, "tone", "--json", "--batch"], input=lines, capture_output=True, text=True)
    results = [json.loads(x) for x in p.stdout.splitlines()]
    assert len(results) == 4
    assert results[0]["findings"][0]["rule"] == "cold.dont_know"
    assert results[1]["findings"] == []
    assert results[2]["error"]["code"] == "empty"
    assert "apology.missing" in {f["rule"] for f in results[3]["findings"]}
    assert p.returncode == 1
    human = subprocess.run([cli, "tone", "-l", "en", "No idea."], capture_output=True, text=True, check=True).stdout
    assert "cold.dont_know" in human and "score" in human
    lint = subprocess.run([cli, "tone", "lint", os.path.join(SRC, "tests", "data", "tone", "bad_rules.yaml")],
                          capture_output=True, text=True)
    assert lint.returncode == 1 and "bad_rules.yaml:5:" in lint.stdout
