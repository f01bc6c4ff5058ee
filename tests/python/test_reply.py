"""The Python surface of analysis, suggestions and rendering."""
import ast
import threading
import time

import pytest

import kefu


def test_module_is_the_compiled_core_under_the_package():
    assert kefu.Engine.__module__ == "kefu._kefu"
    assert kefu.__version__.count(".") == 2


def test_analyze_returns_typed_result(engine):
    a = engine.analyze("我要退款，东西坏了", locale="zh-CN")
    assert isinstance(a, kefu.Analysis)
    assert a.stage == "post_sale"
    assert a.intent in {"refund", "quality_complaint"}
    assert a.intents[0][0] == a.intent and 0 < a.intents[0][1] <= 1
    assert a.locale == "zh-CN"


def test_suggest_uses_customer_and_locale(engine):
    r = engine.suggest("我的包裹怎麼還沒到", locale="zh-TW",
                       customer={"name": "王芳", "title": "女士"}, vars={"order_id": "2026001"}, limit=2)
    assert r.intent == "shipping"
    assert 1 <= len(r.suggestions) <= 2
    s = r.suggestions[0]
    assert isinstance(s, kefu.Suggestion)
    assert "{{" not in s.text and s.score > 0
    assert r.suggestions == sorted(r.suggestions, key=lambda x: -x.score)
    assert "订" not in s.text  # Traditional output


def test_render_escapes_for_html(engine):
    tid = next(t["id"] for t in engine.templates("en") if t["use"] == "reply")
    out = engine.render(tid, vars={"name": "<b>x</b>", "order_id": "<i>"}, locale="en", channel="html")
    assert "<b>" not in out.text and "<i>" not in out.text


def test_errors_raise_kefu_error_with_code(engine):
    with pytest.raises(kefu.KefuError) as e:
        engine.analyze("")
    assert e.value.code == "empty"
    with pytest.raises(kefu.KefuError) as e:
        engine.analyze("x" * (1 << 20))
    assert e.value.code == "too_large"
    with pytest.raises(kefu.KefuError) as e:
        engine.analyze("hi", locale="xx-YY")
    assert e.value.code == "unsupported"
    with pytest.raises(kefu.KefuError) as e:
        engine.render("no.such.template")
    assert e.value.code == "not_found"
    with pytest.raises(kefu.KefuError) as e:
        engine.suggest("hi", customer={"types": ["space_alien"]})
    assert "space_alien" in str(e.value)
    with pytest.raises((TypeError, UnicodeEncodeError)):
        engine.analyze("\ud800")  # a lone surrogate cannot even become UTF-8


def test_bad_pack_directory_reports_file_and_line(source_dir):
    problems = kefu.lint(str(source_dir / "tests" / "data" / "bad_packs"))
    assert any(p.file.endswith("broken.yaml") and p.line == 5 for p in problems)
    with pytest.raises(kefu.KefuError) as e:
        kefu.Engine(template_dir=str(source_dir / "tests" / "data" / "bad_packs"))
    assert e.value.code == "parse" and "broken.yaml:" in str(e.value)
    assert kefu.lint() == []  # the bundled packs are clean


def test_events_call_python_callables(engine):
    seen = []
    sub = engine.subscribe("suggestions_ready", lambda name, payload: seen.append((name, payload)))
    engine.suggest("where is my parcel", locale="en")
    assert engine.unsubscribe(sub)
    engine.suggest("where is my parcel", locale="en")
    assert len(seen) == 1 and seen[0][0] == "suggestions_ready" and '"suggestions"' in seen[0][1]


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_failing_callback_does_not_break_the_call(engine):
    def boom(name, payload):
        raise RuntimeError("handler bug")
    sub = engine.subscribe("*", boom)
    try:
        assert engine.analyze("hello", locale="en").intent
    finally:
        engine.unsubscribe(sub)


def test_log_handler_receives_messages():
    e = kefu.Engine()
    logs = []
    e.set_log_handler(lambda level, msg: logs.append((level, msg)), level="debug")
    e.analyze("我叫张三，要退款", locale="zh-CN")
    e.set_log_handler(None)
    assert logs and all(level in {"trace", "debug", "info", "warn", "error"} for level, _ in logs)
    assert not any("张三" in m for level, m in logs if level not in {"trace", "debug"})


def test_long_calls_release_the_gil():
    # While another thread builds an engine (hundreds of ms of C++), this thread keeps running Python.
    ticks = 0
    done = threading.Event()

    def build():
        kefu.Engine()
        done.set()

    t = threading.Thread(target=build)
    start = time.perf_counter()
    t.start()
    while not done.is_set():
        ticks += 1
        time.sleep(0.001)
    t.join()
    elapsed = time.perf_counter() - start
    assert elapsed > 0.02, "engine built too fast to tell"
    assert ticks >= 5, f"Python thread was starved for {elapsed:.3f}s: the GIL was held"


def test_threads_share_one_engine(engine):
    results = []

    def work():
        for _ in range(20):
            results.append(engine.suggest("when will my order ship", locale="en").intent)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == ["shipping"] * 80


def test_stubs_cover_the_module(source_dir):
    stub = ast.parse((source_dir / "bindings" / "python" / "kefu" / "_kefu.pyi").read_text(encoding="utf-8"))
    names = {n.name for n in stub.body if isinstance(n, (ast.ClassDef, ast.FunctionDef))}
    public = {n for n in dir(kefu._kefu) if not n.startswith("_")}
    assert public <= names | {"Customer"}, public - names
    engine_stub = next(n for n in stub.body if isinstance(n, ast.ClassDef) and n.name == "Engine")
    stub_methods = {f.name for f in engine_stub.body if isinstance(f, ast.FunctionDef)}
    real_methods = {m for m in dir(kefu.Engine) if not m.startswith("_")}
    assert real_methods <= stub_methods, real_methods - stub_methods
