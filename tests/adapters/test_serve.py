"""`kefu serve`: the contract (same JSON as the CLI), authentication, limits, errors, OpenAPI."""
from __future__ import annotations

import http.client
import json
import socket
import time

import pytest

from conftest import Server, cli_json

MESSAGES = [
    ("我的快递怎么还没到？都一个星期了", "zh-CN"),
    ("我的包裹怎麼還沒到？都一個禮拜了！！！", "zh-TW"),
    ("件衫有冇細碼？", "zh-HK"),
    ("The jacket I received has a broken zipper. This is ridiculous!", "en"),
]


@pytest.mark.parametrize("text,locale", MESSAGES)
def test_suggest_is_byte_for_byte_the_cli(server, text, locale):
    status, body, headers = server.post("/v1/suggest", {"text": text, "locale": locale})
    assert status == 200, body
    assert headers["Content-Type"].startswith("application/json")
    expected = cli_json("suggest", "--json", "--locale", locale, text)
    raw = server.request("POST", "/v1/suggest", {"text": text, "locale": locale})
    assert json.dumps(raw[1], ensure_ascii=False, sort_keys=True) == json.dumps(json.loads(expected), ensure_ascii=False, sort_keys=True)
    assert body["suggestions"], "suggestions expected"
    assert body["locale"] == locale


def test_suggest_raw_bytes_equal_cli(server):
    import urllib.request
    text = "有点贵，能便宜点吗"
    req = urllib.request.Request(server.base + "/v1/suggest", method="POST",
                                 data=json.dumps({"text": text, "locale": "zh-CN"}).encode(),
                                 headers={"Authorization": f"Bearer {server.token}"})
    got = urllib.request.urlopen(req).read().decode("utf-8")
    assert got == cli_json("suggest", "--json", "--locale", "zh-CN", text)


def test_suggest_without_locale_guesses_like_the_cli(server):
    text = "hi, can I still change the delivery address for my order?"
    status, body, _ = server.post("/v1/suggest", {"text": text})
    assert status == 200
    assert body == json.loads(cli_json("suggest", "--json", text))


def test_suggest_with_customer_and_vars(server):
    req = {"text": "有点贵，能便宜点吗", "locale": "zh-CN", "limit": 2,
           "customer": {"name": "王芳", "title": "女士", "types": ["price_sensitive"]},
           "vars": {"shop": "优品旗舰店", "promotion": "满199减30"}}
    status, body, _ = server.post("/v1/suggest", req)
    assert status == 200
    context = json.dumps({"customer": req["customer"], "vars": req["vars"]}, ensure_ascii=False)
    assert body == json.loads(cli_json("suggest", "--json", "--locale", "zh-CN", "-n", "2", "--context", context, req["text"]))
    assert len(body["suggestions"]) == 2


@pytest.mark.parametrize("text,locale", MESSAGES)
def test_analyze_is_the_cli(server, text, locale):
    status, body, _ = server.post("/v1/analyze", {"text": text, "locale": locale})
    assert status == 200
    assert body == json.loads(cli_json("analyze", "--json", "--locale", locale, text))


def test_render_is_the_cli(server):
    req = {"template_id": "shipping.tracking_info", "locale": "en", "vars": {"order_id": "A-1042", "name": "Jane"}}
    status, body, _ = server.post("/v1/render", req)
    assert status == 200
    assert body == json.loads(cli_json("render", "shipping.tracking_info", "--locale", "en", "--var", "order_id=A-1042",
                                       "--var", "name=Jane", "--json"))
    assert "A-1042" in body["text"]


def test_render_unknown_template_is_404(server):
    status, body, _ = server.post("/v1/render", {"template_id": "no.such.template"})
    assert status == 404
    assert body["error"]["code"] == "not_found"


def _has_tone(server) -> bool:
    return server.request("GET", "/healthz", token=None)[1]["capabilities"]["tone"]


@pytest.mark.parametrize("draft,customer,locale", [
    ("不知道，你自己看吧！！！", "东西坏了，气死我了", "zh-CN"),
    ("您好，这边马上为您查询物流，请稍等。", "", "zh-CN"),
    ("No idea. Whatever, not my problem.", "This is ridiculous, my order is broken!", "en"),
])
def test_tone_is_the_cli(server, draft, customer, locale):
    if not _has_tone(server):
        pytest.skip("this kefu build has no tone checks")
    req = {"text": draft, "locale": locale}
    args = ["tone", "--json", "--locale", locale]
    if customer:
        req["customer"] = customer
        args += ["--customer", customer]
    status, body, _ = server.post("/v1/tone", req)
    assert status == 200, body
    assert body == json.loads(cli_json(*args, draft))
    assert 0 <= body["score"] <= 100


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong-token"}, {"Authorization": "Basic dGVzdA=="},
                                     {"Authorization": "Bearer"}, {"Authorization": "Bearer test-token-longer"}])
def test_missing_or_wrong_token_is_401(server, headers):
    status, body, rh = server.request("POST", "/v1/suggest", {"text": "在吗"}, headers=headers, token=False)
    assert status == 401
    assert body["error"]["code"] == "unauthorized" and body["error"]["message"]
    assert rh.get("WWW-Authenticate", "").startswith("Bearer")


def test_token_from_environment():
    s = Server([], env={"KEFU_TOKEN": "from-env"}, token=None)
    try:
        assert s.post("/v1/analyze", {"text": "在吗"}, token="from-env")[0] == 200
        assert s.post("/v1/analyze", {"text": "在吗"}, token="test-token")[0] == 401
    finally:
        s.stop()


def test_no_token_refuses_to_start():
    import os
    import subprocess
    from conftest import KEFU_CLI
    if not KEFU_CLI:
        pytest.skip("KEFU_CLI is not set")
    env = {k: v for k, v in os.environ.items() if k != "KEFU_TOKEN"}
    out = subprocess.run([KEFU_CLI, "serve", "--port", "0"], env=env, capture_output=True, timeout=30)
    assert out.returncode == 2
    assert b"token" in out.stderr


@pytest.mark.parametrize("raw,code", [
    (b'{"text": ', "parse"),
    (b"not json at all", "parse"),
    (b'["a", "list"]', "parse"),
    (b'{"text": "\xff\xfe broken"}', "invalid_utf8"),
    (b"", "parse"),
])
def test_malformed_is_400(server, raw, code):
    status, body, _ = server.request("POST", "/v1/suggest", raw=raw)
    assert status == 400
    assert body["error"]["code"] == code and body["error"]["message"]


@pytest.mark.parametrize("body,code", [
    ({}, "invalid_argument"),
    ({"text": 42}, "invalid_argument"),
    ({"text": ""}, "empty"),
    ({"text": "在吗", "locale": "fr-FR"}, None),
    ({"text": "在吗", "limit": 0}, "invalid_argument"),
    ({"text": "在吗", "channel": "pdf"}, "unsupported"),
    ({"text": "在吗", "customer": {"types": ["alien"]}}, "invalid_argument"),
])
def test_invalid_values_are_400(server, body, code):
    status, got, _ = server.post("/v1/suggest", body)
    assert status == 400, got
    if code:
        assert got["error"]["code"] == code
    assert got["error"]["message"]


def test_oversized_is_413_and_the_service_lives_on(server):
    big = json.dumps({"text": "在吗" * 200_000}).encode()  # ~1.2 MB, over the 256 KiB limit
    status, body, _ = server.request("POST", "/v1/suggest", raw=big)
    assert status == 413
    assert body["error"]["code"] == "too_large"
    # Chunked (no Content-Length): refused while reading.
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    conn.putrequest("POST", "/v1/suggest")
    conn.putheader("Authorization", f"Bearer {server.token}")
    conn.putheader("Transfer-Encoding", "chunked")
    conn.endheaders()
    try:
        for _ in range(40):
            chunk = b"x" * 16384
            conn.send(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        conn.send(b"0\r\n\r\n")
    except (BrokenPipeError, ConnectionResetError):
        pass
    resp = conn.getresponse()
    assert resp.status == 413
    assert json.loads(resp.read())["error"]["code"] == "too_large"
    assert server.post("/v1/analyze", {"text": "在吗"})[0] == 200
    assert server.alive()


def test_text_over_engine_limit_is_413(server):
    # Under the body limit, over the engine's 64 KiB text limit.
    status, body, _ = server.post("/v1/analyze", {"text": "a" * 70_000})
    assert status == 413 and body["error"]["code"] == "too_large"


def test_garbage_does_not_crash_the_service(server):
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as s:
        s.sendall(b"\x00\x01\x02 NOT HTTP\r\n\r\n")
        s.recv(1024)
    for path in ("/v1/suggest", "/v1/analyze", "/v1/render", "/v1/nothing"):
        server.request("POST", path, raw=b"{\"text\": [1, 2")
    status, body, _ = server.request("GET", "/v1/suggest")
    assert status == 405 and body["error"]["code"] == "method_not_allowed"
    assert server.post("/v1/analyze", {"text": "在吗"})[0] == 200
    assert server.alive()


def test_unknown_route_is_json_404(server):
    status, body, _ = server.post("/v1/nothing-here", {"text": "x"})
    assert status == 404 and body["error"]["code"] == "not_found"


def test_openapi_document(server):
    status, doc, _ = server.request("GET", "/openapi.json", token=None)
    assert status == 200
    assert doc["openapi"].startswith("3.")
    for path in ("/v1/analyze", "/v1/suggest", "/v1/render"):
        op = doc["paths"][path]["post"]
        assert op["security"] == [{"bearer": []}]
        assert {"200", "400", "401", "413"} <= set(op["responses"])
    assert ("/v1/tone" in doc["paths"]) == _has_tone(server)
    assert doc["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    # Every $ref resolves.
    refs = set()

    def walk(node):
        if isinstance(node, dict):
            if "$ref" in node:
                refs.add(node["$ref"].split("/")[-1])
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)
    walk(doc)
    assert refs <= set(doc["components"]["schemas"])


def test_binds_loopback_only(server):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("192.0.2.1", 9))  # no traffic: picks the outward address
            outward = s.getsockname()[0]
        except OSError:
            pytest.skip("no non-loopback address")
    if outward.startswith("127."):
        pytest.skip("no non-loopback address")
    with pytest.raises(OSError):
        socket.create_connection((outward, server.port), timeout=2).close()


def listening_sockets(port: int) -> int:
    """How many sockets listen on 127.0.0.1:port (state 0A in /proc/net/tcp)."""
    want = f"0100007F:{port:04X}"
    with open("/proc/net/tcp") as f:
        return sum(1 for line in f.readlines()[1:] if line.split()[1] == want and line.split()[3] == "0A")


def test_workers_share_the_port():
    s = Server(["--workers", "2"])
    try:
        for _ in range(20):
            assert s.post("/v1/analyze", {"text": "在吗"})[0] == 200
        # Each worker listens with a socket of its own (SO_REUSEPORT), so the kernel spreads connections.
        deadline = time.time() + 30
        while listening_sockets(s.port) < 2 and time.time() < deadline:
            time.sleep(0.1)
        assert listening_sockets(s.port) == 2
    finally:
        code, err = s.stop()
    assert code == 0, err


def test_suggest_takes_the_cli_options(server):
    text = "有点贵，能便宜点吗"
    context = {"customer": {"name": "王芳"}, "vars": {"shop": "优品旗舰店", "promotion": "满199减30"}}
    status, body, _ = server.post("/v1/suggest", {"text": text, "locale": "zh-CN", "context": context,
                                                 "title": "女士", "type": "price_sensitive", "channel": "markdown"})
    assert status == 200, body
    assert body == json.loads(cli_json("suggest", "--json", "--locale", "zh-CN", "--context",
                                       json.dumps(context, ensure_ascii=False), "--title", "女士",
                                       "--type", "price_sensitive", "--channel", "markdown", text))
