"""Customer notes from Python: engine.customers — find, upsert, show, notes, search and export
iterators, records, reminders, import, forget, events, errors, the GIL released, the CLI contract."""
import json
import os
import subprocess
import threading

import pytest

import kefu

CSV = (
    "external_id,name,phone,email,birthday,tags\n"
    "taobao:wangfang88,王芳,+86 138-0013-8000,Wang.Fang@Example.com,1990-05-03,vip;quality_seeking\n"
    "zendesk:456,Jane Doe,,jane@example.com,,\n"
    "taobao:bad,坏,12,,,\n"
)


@pytest.fixture()
def engine(tmp_path):
    return kefu.Engine(db_path=str(tmp_path / "sub" / "kefu.db"))


@pytest.fixture()
def store(engine, tmp_path):
    path = tmp_path / "c.csv"
    path.write_text(CSV, encoding="utf-8")
    engine.customers.import_file(str(path))
    return engine.customers


def test_engine_needs_a_database_for_customers():
    with pytest.raises(kefu.KefuError) as err:
        kefu.Engine().customers
    assert err.value.code == "invalid_argument"


def test_import_reports_bad_rows_and_is_idempotent(engine, tmp_path):
    path = tmp_path / "c.csv"
    path.write_text(CSV, encoding="utf-8")
    seen = []
    report = engine.customers.import_file(str(path), progress=lambda read, total, rows: seen.append(rows))
    assert report["customers_created"] == 2
    assert report["failed"] == 1
    assert report["problems"][0]["line"] == 4
    assert "phone" in report["problems"][0]["message"]
    assert seen and seen[-1] == 3
    again = engine.customers.import_file(str(path))
    assert again["customers_created"] == 0 and again["unchanged"] == 2
    assert len(engine.customers) == 2
    with pytest.raises(kefu.KefuError) as err:
        engine.customers.import_file(str(tmp_path / "missing.csv"))
    assert err.value.code == "io"


def test_find_by_every_path(store):
    for query in ["taobao:wangfang88", "13800138000", "+86 138 0013 8000", "１３８００１３８０００", "WANG.FANG@example.com", "王"]:
        found = store.find(query)
        assert found and found[0].name == "王芳", query
    wang = store.find("taobao:wangfang88")[0]
    assert wang.phone == "+8613800138000"
    assert wang.email == "wang.fang@example.com"
    assert wang.tags == ["vip", "quality_seeking"]
    assert wang.types == ["quality_seeking"]
    assert store.find(str(wang.id))[0].id == wang.id
    assert store.get(wang.id).name == "王芳"
    assert store.get("zendesk:456").name == "Jane Doe"
    assert store.get("taobao:nobody") is None
    assert store.find("nobody") == []
    d = wang.to_dict()
    assert {"id", "name", "external_ids", "phone", "email", "tags"} <= d.keys()


def test_upsert_notes_search_iterator(store):
    cid = store.upsert("陳大文", external_ids=["taobao:chan"], locale="zh-TW", preferences={"brands": ["Acme"]})
    assert store.upsert(external_ids="taobao:chan", phones="+852 9123 4567") == cid  # matched, phone added
    assert store.get(cid).phones == ["+85291234567"]
    note = store.add_note("taobao:wangfang88", "喜欢蓝色，穿M码，上次退货因为尺码偏小", author="小美", pinned=True)
    assert note.pinned and note.author == "小美"
    store.add_note(cid, "顧客說退貨太麻煩了")
    for i in range(120):
        store.add_note("zendesk:456", f"refund request number {i}")
    hits = list(store.search("退货"))  # Simplified finds Traditional
    assert {h.customer_id for h in hits} == {store.resolve("taobao:wangfang88"), cid}
    assert all(isinstance(h, kefu.SearchHit) and h.kind == "note" for h in hits)
    refunds = store.search("refund request", page_size=25)
    texts = [h.text for h in refunds]
    assert len(texts) == len(set(texts)) >= 100  # pages without repeats
    assert len(list(store.search("refund", limit=10))) == 10
    only = list(store.search("退货", customer="taobao:chan"))
    assert [h.customer_id for h in only] == [cid]
    assert [n.text for n in store.notes(cid)] == ["顧客說退貨太麻煩了"]
    with pytest.raises(kefu.KefuError) as err:
        store.search("   ")
    assert err.value.code == "empty"


def test_profile_card_records_and_reminders(store):
    store.add_purchase("taobao:wangfang88", "T1", items=["碎花连衣裙"], amount=299, currency="CNY", time=1767225600)
    import time

    now = int(time.time())
    store.add_consultation("taobao:wangfang88", "衬衫洗后起球", intent="quality_complaint", satisfaction=2, resolved=False,
                           time=now - 60)
    store.add_survey_answer("taobao:wangfang88", "还行", score=3, time=now - 30)
    card = store.show("taobao:wangfang88")
    assert card["name"] == "王芳"
    assert card["purchase_count"] == 1
    assert card["last_purchase"]["order_id"] == "T1"
    assert card["open_problems"][0]["summary"] == "衬衫洗后起球"
    assert card["last_complaint"]["intent"] == "quality_complaint"
    assert card["satisfaction"]["scores"] == [2, 3]
    assert card["reminders"][0]["reason"] == "recent_complaint"
    birthdays = store.reminders(today="2027-04-30")
    assert any(r["kind"] == "birthday" and r["template_id"].startswith("care.birthday") for r in birthdays)
    with pytest.raises(kefu.KefuError):
        store.add_consultation("taobao:wangfang88", "x", intent="no_such_intent")
    with pytest.raises(kefu.KefuError) as err:
        store.show("taobao:nobody")
    assert err.value.code == "not_found"


def test_export_iterator_and_file(store, tmp_path):
    store.add_note("taobao:wangfang88", "喜欢蓝色")
    lines = list(store.export())
    assert len(lines) == 2
    first = json.loads(lines[0])
    assert first["name"] == "王芳" and first["notes"][0]["text"] == "喜欢蓝色"
    path = tmp_path / "out.jsonl"
    assert store.export(str(path)) == 2
    other = kefu.Engine(db_path=str(tmp_path / "other.db")).customers
    report = other.import_file(str(path))
    assert report["customers_created"] == 2 and report["notes_added"] == 1


def test_forget(store, engine):
    store.add_note("taobao:wangfang88", "SECRET-NOTE 幸福路88号")
    report = store.forget("taobao:wangfang88")
    assert report["forgotten"] and report["notes"] == 1 and report["purged"]
    assert store.find("13800138000") == []
    assert list(store.search("幸福路88号")) == []
    data = open(engine.db_path, "rb").read()
    assert "SECRET-NOTE".encode() not in data and "幸福路88号".encode() not in data


def test_events(store, engine):
    seen = []
    engine.subscribe("*", lambda name, payload: seen.append((name, json.loads(payload))))
    store.add_note("taobao:wangfang88", "喜欢蓝色")
    store.upsert("李雷", external_ids=["taobao:lilei"])
    store.reminders(today="2027-04-30")
    names = [n for n, _ in seen]
    assert names[:2] == ["note_added", "customer_updated"]
    assert seen[0][1]["text"] == "喜欢蓝色"
    assert "care_due" in names


def test_suggest_from_a_customer_profile(store, engine):
    store.add_purchase("taobao:wangfang88", "20261123001", items=["碎花连衣裙"])
    result = engine.suggest_for_customer("我的快递到哪了", "taobao:wangfang88", limit=3)
    assert result.suggestions
    assert all("order_id" not in s.missing for s in result.suggestions)
    assert any("20261123001" in s.text or "王" in s.text for s in result.suggestions)


def test_threads_share_the_store(store):
    errors = []

    def work(n):
        try:
            for i in range(50):
                store.add_note("zendesk:456", f"thread {n} note {i}")
                list(store.search("thread"))
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert store.note_count == 200


def test_cli_contract(tmp_path):
    cli = os.environ.get("KEFU_CLI")
    if not cli:
        pytest.skip("KEFU_CLI not set")
    db = str(tmp_path / "cli.db")
    csv = tmp_path / "c.csv"
    csv.write_text(CSV, encoding="utf-8")

    def run(*args):
        return subprocess.run([cli, "--db", db, *args], capture_output=True, text=True)

    assert run("customers", "import", str(csv)).returncode == 0
    found = json.loads(run("customers", "find", "--json", "138-0013-8000").stdout)
    assert found["customers"][0]["name"] == "王芳"
    assert {"id", "name", "external_ids", "phone", "email", "tags"} <= found["customers"][0].keys()
    assert run("notes", "add", "taobao:wangfang88", "喜欢蓝色").returncode == 0
    notes = json.loads(run("notes", "search", "--json", "蓝色").stdout)
    assert notes["notes"][0]["text"] == "喜欢蓝色"
    assert notes["notes"][0]["customer_id"] == found["customers"][0]["id"]
    card = json.loads(run("customers", "show", "--json", "taobao:wangfang88").stdout)
    assert card["name"] == "王芳"
    assert "reminders" in json.loads(run("reminders", "--json").stdout)
    assert run("customers", "forget", "taobao:wangfang88").returncode == 0
    assert json.loads(run("customers", "find", "--json", "taobao:wangfang88").stdout) == {"customers": []}
