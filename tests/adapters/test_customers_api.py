"""Customer notes through `kefu serve`: the same JSON as `kefu customers|notes|reminders --json`, the
profile lookup the sidebar and the helpdesk notes use, and a Chatwoot note that carries the profile."""
from __future__ import annotations

import datetime as dt
import json
import subprocess
import time

import pytest

from conftest import KEFU_CLI, Server
from standin import StandIn

if not KEFU_CLI:
    pytest.skip("KEFU_CLI is not set (run through ctest)", allow_module_level=True)

SECRET = "cw-secret"


def kefu_db(db, *args):
    out = subprocess.run([KEFU_CLI, "--db", db, *args], capture_output=True, timeout=120)
    assert out.returncode == 0, out.stderr.decode()
    return out.stdout.decode("utf-8").strip()


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    path = str(tmp_path_factory.mktemp("customers") / "kefu.db")
    soon = dt.date.today() + dt.timedelta(days=3)
    csv = tmp_path_factory.mktemp("csv") / "customers.csv"
    csv.write_text("external_id,name,phone,email,birthday,tags\n"
                   f"chatwoot:14,王芳,+86 138-0013-8000,wangfang@example.com,1990-{soon:%m-%d},vip;price_sensitive\n"
                   "zendesk:8447388090494,Jane Doe,,jane@example.com,,quality_seeking\n", encoding="utf-8")
    kefu_db(path, "customers", "import", str(csv))
    kefu_db(path, "notes", "add", "chatwoot:14", "上次买的羊毛衫起球，已补发")
    return path


@pytest.fixture(scope="module")
def vendor():
    s = StandIn()
    yield s
    s.close()


@pytest.fixture(scope="module")
def server(db, vendor):
    s = Server(["--chatwoot-url", vendor.url, "--chatwoot-token", "cw-token", "--chatwoot-secret", SECRET],
               env={"KEFU_DB": db})
    yield s
    s.stop()


def test_capabilities_and_openapi(server):
    health = server.request("GET", "/healthz", token=False)[1]
    assert health["capabilities"]["customers"] and health["capabilities"]["notes"]
    doc = server.request("GET", "/openapi.json", token=False)[1]
    for path in ("/v1/customers", "/v1/customers/{customer}", "/v1/notes", "/v1/reminders", "/v1/profile"):
        assert path in doc["paths"]


@pytest.mark.parametrize("query", ["wangfang@example.com", "chatwoot:14", "138 0013 8000", "王"])
def test_find_is_the_cli(server, db, query):
    status, body, _ = server.request("GET", f"/v1/customers?q={urllib_quote(query)}")
    assert status == 200
    assert body == json.loads(kefu_db(db, "customers", "find", "--json", query))
    assert body["customers"][0]["name"] == "王芳"


def urllib_quote(s):
    import urllib.parse
    return urllib.parse.quote(s)


def test_show_is_the_cli(server, db):
    status, body, _ = server.request("GET", "/v1/customers/chatwoot:14")
    assert status == 200
    assert body == json.loads(kefu_db(db, "customers", "show", "--json", "chatwoot:14"))
    assert body["name"] == "王芳"
    status, body, _ = server.request("GET", "/v1/customers/nobody:1")
    assert status == 404 and body["error"]["code"] == "not_found"


def test_add_and_search_notes(server, db):
    status, note, _ = server.post("/v1/notes", {"customer": "wangfang@example.com", "text": "喜欢蓝色，M 码", "author": "小美"})
    assert status == 201, note
    status, found, _ = server.request("GET", "/v1/notes?q=" + urllib_quote("蓝色"))
    assert status == 200
    assert any(n["text"] == "喜欢蓝色，M 码" for n in found["notes"])
    cli = json.loads(kefu_db(db, "notes", "search", "--json", "蓝色"))
    # The rank decays with the note's age, so two calls a moment apart differ in "score" alone.
    strip = lambda r: [{k: v for k, v in n.items() if k != "score"} for n in r["notes"]]
    assert strip(found) == strip(cli)
    assert [n["score"] for n in found["notes"]] == pytest.approx([n["score"] for n in cli["notes"]], rel=1e-3)
    assert server.post("/v1/notes", {"customer": "nobody:1", "text": "x"})[0] == 404
    assert server.post("/v1/notes", {"customer": "chatwoot:14"})[0] == 400
    assert server.request("GET", "/v1/notes")[0] == 400


def test_reminders_is_the_cli(server, db):
    status, body, _ = server.request("GET", "/v1/reminders")
    assert status == 200
    assert body == json.loads(kefu_db(db, "reminders", "--json"))


def test_profile_lookup(server):
    status, body, _ = server.post("/v1/profile", {"external_ids": ["chatwoot:999"], "email": "wangfang@example.com"})
    assert status == 200
    assert body["customer"]["name"] == "王芳"
    assert "vip" in body["customer"]["tags"]
    assert isinstance(body["reminders"], list)
    status, body, _ = server.post("/v1/profile", {"external_ids": ["chatwoot:999"], "email": "nobody@example.com"})
    assert status == 200 and body == {"customer": None, "reminders": []}


def test_customer_routes_need_the_token(server):
    assert server.request("GET", "/v1/customers?q=x", token=False)[0] == 401
    assert server.request("GET", "/v1/customers/chatwoot:14", token="wrong")[0] == 401
    assert server.post("/v1/profile", {"email": "wangfang@example.com"}, token=False)[0] == 401


def test_chatwoot_note_carries_the_profile(server, vendor):
    payload = json.loads((__import__("pathlib").Path(__file__).parent / "payloads" / "chatwoot_message_created.json")
                         .read_text(encoding="utf-8"))
    body = json.dumps(payload, ensure_ascii=False).encode()
    ts = str(int(time.time()))
    import hashlib
    import hmac
    sig = "sha256=" + hmac.new(SECRET.encode(), ts.encode() + b"." + body, hashlib.sha256).hexdigest()
    before = len(vendor.requests)
    status, resp, _ = server.request("POST", "/webhooks/chatwoot", raw=body, token=False,
                                     headers={"X-Chatwoot-Timestamp": ts, "X-Chatwoot-Signature": sig})
    assert status == 200 and resp["posted"], resp
    note = vendor.requests[before]["json"]["content"]
    assert "客户档案" in note and "王芳" in note and "VIP" in note and "价格敏感" in note  # tags in the agent's language
