"""Chatwoot and Zendesk webhooks: documented payloads replayed against `kefu serve`, which posts its
note to a stand-in of the vendor's API on loopback; signatures, staleness and tampering are refused."""
from __future__ import annotations

import base64
import copy
import datetime as dt
import hashlib
import hmac
import json
import pathlib
import time

import pytest

from conftest import Server
from standin import StandIn

PAYLOADS = pathlib.Path(__file__).resolve().parent / "payloads"
CW_SECRET = "cw-webhook-secret"
ZD_SECRET = "dGhpc19zZWNyZXRfaXNfZm9yX3Rlc3Rpbmdfb25seQ=="


@pytest.fixture(scope="module")
def vendor():
    s = StandIn()
    yield s
    s.close()


@pytest.fixture(scope="module")
def kefu(vendor):
    s = Server(["--chatwoot-url", vendor.url, "--chatwoot-token", "cw-token", "--chatwoot-secret", CW_SECRET,
                "--zendesk-url", vendor.url, "--zendesk-email", "agent@example.com", "--zendesk-token", "zd-api-token",
                "--zendesk-secret", ZD_SECRET])
    yield s
    s.stop()


def load(name):
    return json.loads((PAYLOADS / name).read_text(encoding="utf-8"))


def cw_sign(body: bytes, ts: str, secret=CW_SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), ts.encode() + b"." + body, hashlib.sha256).hexdigest()


def zd_sign(body: bytes, ts: str, secret=ZD_SECRET) -> str:
    return base64.b64encode(hmac.new(secret.encode(), ts.encode() + body, hashlib.sha256).digest()).decode()


def post_chatwoot(kefu, payload, *, ts=None, tamper=False, signature=None, path="/webhooks/chatwoot"):
    body = json.dumps(payload, ensure_ascii=False).encode()
    ts = ts or str(int(time.time()))
    sig = signature if signature is not None else cw_sign(body, ts)
    if tamper:
        body = body.replace("快递".encode(), "退款".encode())
    headers = {"X-Chatwoot-Timestamp": ts, "X-Chatwoot-Signature": sig, "X-Chatwoot-Delivery": "delivery-1"}
    return kefu.request("POST", path, raw=body, headers=headers, token=False)


def post_zendesk(kefu, payload, *, ts=None, tamper=False, signature=None):
    body = json.dumps(payload, ensure_ascii=False).encode()
    ts = ts or dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    sig = signature if signature is not None else zd_sign(body, ts)
    if tamper:
        body = body.replace(b"refund", b"rebate")
    headers = {"X-Zendesk-Webhook-Signature-Timestamp": ts, "X-Zendesk-Webhook-Signature": sig,
               "X-Zendesk-Webhook-Id": "01HXXXXX", "X-Zendesk-Webhook-Invocation-Id": "8350205582"}
    return kefu.request("POST", "/webhooks/zendesk", raw=body, headers=headers, token=False)


# ---- Chatwoot ----

def test_chatwoot_message_created_posts_private_note(kefu, vendor):
    before = len(vendor.requests)
    status, body, _ = post_chatwoot(kefu, load("chatwoot_message_created.json"))
    assert status == 200, body
    assert body["handled"] and body["posted"]
    assert body["intent"] == "shipping"
    posted = vendor.requests[before:]
    assert len(posted) == 1
    req = posted[0]
    assert req["method"] == "POST"
    assert req["path"] == "/api/v1/accounts/1/conversations/10/messages"
    assert req["headers"]["api_access_token"] == "cw-token"
    note = req["json"]
    assert note["private"] is True and note["message_type"] == "outgoing"
    # The note carries the same suggestions the service gives for this message, ranked.
    status, sugg, _ = kefu.post("/v1/suggest", {"text": load("chatwoot_message_created.json")["content"],
                                               "customer": {"name": "王芳"}})
    assert status == 200
    first = sugg["suggestions"][0]
    assert first["template_id"] in note["content"] and first["text"] in note["content"]
    assert note["content"].index(sugg["suggestions"][0]["template_id"]) < note["content"].index(sugg["suggestions"][1]["template_id"])
    assert "建议回复" in note["content"]  # labels in the agent's language (Chinese here)


def test_chatwoot_ignores_outgoing_private_and_other_events(kefu, vendor):
    before = len(vendor.requests)
    base = load("chatwoot_message_created.json")
    for change in ({"message_type": "outgoing"}, {"private": True}, {"event": "conversation_created"},
                   {"content": ""}, {"message_type": "template"}):
        payload = {**copy.deepcopy(base), **change}
        status, body, _ = post_chatwoot(kefu, payload)
        assert status == 200 and body["handled"] is False, (change, body)
    assert len(vendor.requests) == before  # our own private note never triggers another


def test_chatwoot_tampered_body_is_refused(kefu, vendor):
    before = len(vendor.requests)
    status, body, _ = post_chatwoot(kefu, load("chatwoot_message_created.json"), tamper=True)
    assert status == 401 and body["error"]["code"] == "bad_signature"
    assert len(vendor.requests) == before


def test_chatwoot_stale_timestamp_is_refused(kefu, vendor):
    before = len(vendor.requests)
    for ts in (str(int(time.time()) - 3600), str(int(time.time()) + 3600)):
        status, body, _ = post_chatwoot(kefu, load("chatwoot_message_created.json"), ts=ts)  # signed correctly, but old
        assert status == 401 and "stale" in body["error"]["message"]
    assert len(vendor.requests) == before


@pytest.mark.parametrize("signature", ["", "sha256=" + "0" * 64, "deadbeef", "sha256=abc"])
def test_chatwoot_missing_or_wrong_signature_is_refused(kefu, vendor, signature):
    before = len(vendor.requests)
    status, body, _ = post_chatwoot(kefu, load("chatwoot_message_created.json"), signature=signature)
    assert status == 401
    assert len(vendor.requests) == before


def test_chatwoot_wrong_secret_is_refused(kefu):
    payload = load("chatwoot_message_created.json")
    body = json.dumps(payload).encode()
    ts = str(int(time.time()))
    status, _, _ = kefu.request("POST", "/webhooks/chatwoot", raw=body, token=False,
                                headers={"X-Chatwoot-Timestamp": ts, "X-Chatwoot-Signature": cw_sign(body, ts, "other")})
    assert status == 401


def test_chatwoot_signed_but_malformed_json_is_400(kefu):
    body = b'{"event": "message_created", "content": '
    ts = str(int(time.time()))
    status, resp, _ = kefu.request("POST", "/webhooks/chatwoot", raw=body, token=False,
                                   headers={"X-Chatwoot-Timestamp": ts, "X-Chatwoot-Signature": cw_sign(body, ts)})
    assert status == 400 and resp["error"]["code"] == "parse"
    assert kefu.alive()


def test_chatwoot_without_secret_needs_the_token(vendor):
    s = Server(["--chatwoot-url", vendor.url, "--chatwoot-token", "cw-token"])
    try:
        payload = load("chatwoot_message_created.json")
        assert s.request("POST", "/webhooks/chatwoot", payload, token=False)[0] == 401
        assert s.request("POST", "/webhooks/chatwoot?token=wrong", payload, token=False)[0] == 401
        before = len(vendor.requests)
        status, body, _ = s.request("POST", f"/webhooks/chatwoot?token={s.token}", payload, token=False)
        assert status == 200 and body["posted"]
        assert len(vendor.requests) == before + 1
    finally:
        s.stop()


# ---- Zendesk ----

def test_zendesk_comment_added_posts_private_comment(kefu, vendor):
    before = len(vendor.requests)
    status, body, _ = post_zendesk(kefu, load("zendesk_ticket_comment_added.json"))
    assert status == 200, body
    assert body["handled"] and body["posted"] and body["ticket"] == "5158"
    posted = vendor.requests[before:]
    assert len(posted) == 1
    req = posted[0]
    assert req["method"] == "PUT" and req["path"] == "/api/v2/tickets/5158.json"
    assert req["headers"]["Authorization"] == "Basic " + base64.b64encode(b"agent@example.com/token:zd-api-token").decode()
    comment = req["json"]["ticket"]["comment"]
    assert comment["public"] is False
    status, sugg, _ = kefu.post("/v1/suggest", {"text": load("zendesk_ticket_comment_added.json")["event"]["comment"]["body"],
                                               "customer": {"name": "Jane Doe"}})
    assert sugg["suggestions"][0]["text"] in comment["body"]
    assert "Suggested replies" in comment["body"]  # an English message: English labels by default


def test_zendesk_ignores_staff_and_private_comments_and_other_events(kefu, vendor):
    before = len(vendor.requests)
    base = load("zendesk_ticket_comment_added.json")
    staff = copy.deepcopy(base)
    staff["event"]["comment"]["author"]["is_staff"] = True
    private = copy.deepcopy(base)
    private["event"]["comment"]["is_public"] = False
    other = {**copy.deepcopy(base), "type": "zen:event-type:ticket.status_changed"}
    for payload in (staff, private, other):
        status, body, _ = post_zendesk(kefu, payload)
        assert status == 200 and body["handled"] is False
    assert len(vendor.requests) == before


def test_zendesk_tampered_body_is_refused(kefu, vendor):
    before = len(vendor.requests)
    status, body, _ = post_zendesk(kefu, load("zendesk_ticket_comment_added.json"), tamper=True)
    assert status == 401 and body["error"]["code"] == "bad_signature"
    assert len(vendor.requests) == before


def test_zendesk_stale_timestamp_is_refused(kefu, vendor):
    before = len(vendor.requests)
    old = (dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M:%SZ")
    status, body, _ = post_zendesk(kefu, load("zendesk_ticket_comment_added.json"), ts=old)
    assert status == 401 and "stale" in body["error"]["message"]
    status, body, _ = post_zendesk(kefu, load("zendesk_ticket_comment_added.json"), ts="not-a-time")
    assert status == 401
    assert len(vendor.requests) == before


@pytest.mark.parametrize("signature", ["", "AAAA", zd_sign(b"{}", "2025-01-08T10:12:07Z")])
def test_zendesk_missing_or_wrong_signature_is_refused(kefu, vendor, signature):
    before = len(vendor.requests)
    status, _, _ = post_zendesk(kefu, load("zendesk_ticket_comment_added.json"), signature=signature)
    assert status == 401
    assert len(vendor.requests) == before


def test_webhook_oversized_is_413(kefu):
    payload = load("zendesk_ticket_comment_added.json")
    payload["event"]["comment"]["body"] = "x" * 400_000
    status, body, _ = post_zendesk(kefu, payload)
    assert status == 413
    assert kefu.alive()


def test_signature_helpers_match_documented_examples():
    # Zendesk's verification guide: base64(HMACSHA256(TIMESTAMP + BODY)).
    from kefu_serve import signatures
    body, ts = b'{"a":1}', "2021-06-01T12:00:00Z"
    assert signatures.zendesk_signature("s", ts, body) == base64.b64encode(
        hmac.new(b"s", (ts + '{"a":1}').encode(), hashlib.sha256).digest()).decode()
    signatures.verify_zendesk("s", ts, body, signatures.zendesk_signature("s", ts, body),
                              now=dt.datetime(2021, 6, 1, 12, 1, tzinfo=dt.timezone.utc).timestamp())
    with pytest.raises(signatures.SignatureError):
        signatures.verify_zendesk("s", ts, body + b" ", signatures.zendesk_signature("s", ts, body),
                                  now=dt.datetime(2021, 6, 1, 12, 1, tzinfo=dt.timezone.utc).timestamp())
    # Chatwoot: sha256=<hex of HMAC-SHA256("{timestamp}.{body}")>.
    assert signatures.chatwoot_signature("s", "1700000000", body) == "sha256=" + hmac.new(
        b"s", b"1700000000." + body, hashlib.sha256).hexdigest()


def test_repeated_deliveries_are_answered_once(kefu, vendor):
    # Helpdesks retry deliveries, and a captured signed delivery stays fresh for minutes: one note each.
    cw = load("chatwoot_message_created.json")
    cw["id"] = 9001
    zd = load("zendesk_ticket_comment_added.json")
    zd["event"]["comment"]["id"] = "9002"
    before = len(vendor.requests)
    first = post_chatwoot(kefu, cw)
    again = post_chatwoot(kefu, cw)
    assert first[1]["posted"] and again[0] == 200 and again[1]["handled"] is False
    first = post_zendesk(kefu, zd)
    again = post_zendesk(kefu, zd)
    assert first[1]["posted"] and again[0] == 200 and again[1]["handled"] is False
    assert len(vendor.requests) == before + 2
    cw["id"] = 9003  # a new message in the same conversation is answered
    assert post_chatwoot(kefu, cw)[1]["posted"]
    assert len(vendor.requests) == before + 3
