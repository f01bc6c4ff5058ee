"""Chatwoot: the ``message_created`` webhook in, a private note with kefu's suggestions out.

Vendor documentation this follows:
- Webhook events and the ``message_created`` payload (``message_type`` "incoming", ``private``,
  ``sender``, ``conversation``, ``account``):
  https://www.chatwoot.com/hc/user-guide/articles/1677693021-how-to-use-webhooks and
  https://github.com/chatwoot/docs/blob/main/docs/product/others/webhook-events.md
- Signed deliveries (``X-Chatwoot-Timestamp``, ``X-Chatwoot-Signature: sha256=<hex>`` over
  ``{timestamp}.{body}``): the Webhook object's ``secret`` in
  https://developers.chatwoot.com/api-reference/webhooks/add-a-webhook
- Posting the note: ``POST /api/v1/accounts/{account_id}/conversations/{conversation_id}/messages``
  with ``{"content", "message_type": "outgoing", "private": true}`` and the ``api_access_token``
  header: https://developers.chatwoot.com/api-reference/messages/create-new-message
- The sidebar is a Dashboard App: https://www.chatwoot.com/hc/user-guide/articles/1677691702-how-to-use-dashboard-apps

Configuration (``kefu serve`` flags or environment): ``url`` (KEFU_CHATWOOT_URL, e.g.
https://chat.example.com), ``api_token`` (KEFU_CHATWOOT_TOKEN, an agent bot's or agent's access
token), ``secret`` (KEFU_CHATWOOT_SECRET, the webhook's secret; without one the webhook URL must carry
``?token=<kefu serve token>``), ``agent_locale`` (KEFU_AGENT_LOCALE) for the note's labels.
"""
from __future__ import annotations

import asyncio
import logging

from aiohttp import web

from . import signatures
from .helpdesk import Customer, SeenSet, answer
from .webhook import call_vendor, error, json_object

log = logging.getLogger("kefu_serve")

CONFIG_KEY = "chatwoot"


_error = error


def _ignored(reason: str) -> web.Response:
    return web.json_response({"handled": False, "reason": reason})


def parse_message_created(payload: dict):
    """(account_id, conversation_id, text, Customer) for an incoming public message, else a reason str."""
    if payload.get("event") != "message_created":
        return f"event {payload.get('event')!r} is not message_created"
    # message_type is "incoming" in webhooks (0 in some API objects).
    if payload.get("message_type") not in ("incoming", 0):
        return "not an incoming message"
    if payload.get("private"):
        return "private note"
    text = payload.get("content") or ""
    if not isinstance(text, str) or not text.strip():
        return "no text"
    account = (payload.get("account") or {}).get("id")
    conv = payload.get("conversation") or {}
    conversation = conv.get("display_id") or conv.get("id")
    if account is None or conversation is None:
        return "no account or conversation id"
    sender = payload.get("sender") or {}
    meta_sender = (conv.get("meta") or {}).get("sender") or {}
    contact_id = sender.get("id") or meta_sender.get("id")
    who = Customer(
        external_ids=[f"chatwoot:{contact_id}"] if contact_id is not None else [],
        name=sender.get("name") or meta_sender.get("name") or "",
        email=sender.get("email") or meta_sender.get("email") or "",
        phone=sender.get("phone_number") or meta_sender.get("phone_number") or "",
    )
    return account, conversation, text, who


async def post_private_note(cfg: dict, account, conversation, content: str) -> dict:
    url = f"{cfg['url'].rstrip('/')}/api/v1/accounts/{account}/conversations/{conversation}/messages"
    body = {"content": content, "message_type": "outgoing", "private": True}
    return await call_vendor("Chatwoot", "POST", url, body, {"api_access_token": cfg.get("api_token", "")},
                             float(cfg.get("timeout", 4.0)))


def add_routes(app: web.Application, cfg: dict, token: str) -> None:
    app[CONFIG_KEY] = cfg
    seen = SeenSet()

    async def webhook(request: web.Request) -> web.Response:
        from .app import SERVICE_KEY, bearer_ok, query_token_ok
        body = await request.read()
        secret = cfg.get("secret")
        if secret:
            try:
                signatures.verify_chatwoot(secret, request.headers.get("X-Chatwoot-Timestamp"), body,
                                           request.headers.get("X-Chatwoot-Signature"),
                                           tolerance=float(cfg.get("tolerance", signatures.DEFAULT_TOLERANCE)))
            except signatures.SignatureError as e:
                return _error(401, "bad_signature", str(e))
        elif not (bearer_ok(request, token) or query_token_ok(request, token)):
            return _error(401, "unauthorized", "no webhook secret is configured: call with ?token=<kefu serve token>")
        payload = json_object(body)
        if isinstance(payload, web.Response):
            return payload
        parsed = parse_message_created(payload)
        if isinstance(parsed, str):
            return _ignored(parsed)
        account, conversation, text, who = parsed
        key = f"{account}:{payload.get('id')}"
        if payload.get("id") is not None and not seen.first_time(key):
            return _ignored("message already answered (a repeated delivery)")
        service = request.app[SERVICE_KEY]
        # Off the event loop: the customer lookup may take a while.
        ans = await asyncio.get_running_loop().run_in_executor(
            None, lambda: answer(service, text, who, agent_locale=cfg.get("agent_locale"), markdown=True))
        if not cfg.get("url"):
            return web.json_response({"handled": True, "posted": False, "note": ans.note,
                                      "reason": "no Chatwoot URL configured"})
        try:
            await post_private_note(cfg, account, conversation, ans.note)
        except Exception as e:
            log.warning("posting the note to Chatwoot failed: %s", e)
            seen.forget(key)  # Chatwoot's retry may succeed
            return _error(502, "upstream", f"posting the note to Chatwoot failed: {e}")
        return web.json_response({"handled": True, "posted": True, "account": account,
                                  "conversation": conversation, "intent": ans.result.get("intent")})

    app.router.add_post("/webhooks/chatwoot", webhook)
