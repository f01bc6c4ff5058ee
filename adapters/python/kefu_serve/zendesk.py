"""Zendesk: ticket comment events in, a private comment with kefu's suggestions out.

Vendor documentation this follows:
- Webhook event payloads, ``zen:event-type:ticket.comment_added`` (``detail`` is the ticket: ``id``,
  ``requester_id``...; ``event.comment`` has ``body``, ``is_public``, ``author {id, is_staff, name}``):
  https://developer.zendesk.com/api-reference/webhooks/event-types/ticket-events/
- Signature (``X-Zendesk-Webhook-Signature`` = base64 HMAC-SHA256 of timestamp + body, with
  ``X-Zendesk-Webhook-Signature-Timestamp``):
  https://developer.zendesk.com/documentation/webhooks/verifying/
- Posting the private comment: ``PUT /api/v2/tickets/{id}.json`` with
  ``{"ticket": {"comment": {"body", "public": false}}}``:
  https://developer.zendesk.com/api-reference/ticketing/tickets/tickets/#update-ticket and
  https://developer.zendesk.com/api-reference/ticketing/tickets/ticket_comments/
- API authentication, ``{email}/token:{api_token}`` with Basic auth or an OAuth bearer token:
  https://developer.zendesk.com/api-reference/introduction/security-and-auth/
- The sidebar app (``ticket_sidebar`` location, ZAF client): ``adapters/zendesk-app/``;
  https://developer.zendesk.com/api-reference/apps/apps-support-api/ticket_sidebar/

Configuration: ``url`` (KEFU_ZENDESK_URL, https://{subdomain}.zendesk.com), ``email`` +
``api_token`` (KEFU_ZENDESK_EMAIL, KEFU_ZENDESK_TOKEN) or ``oauth_token`` (KEFU_ZENDESK_OAUTH),
``secret`` (KEFU_ZENDESK_SECRET, the webhook's signing secret; without one the webhook must use
bearer-token authentication with the kefu serve token), ``agent_locale``.
"""
from __future__ import annotations

import asyncio
import base64
import logging

from aiohttp import web

from . import signatures
from .helpdesk import Customer, SeenSet, answer
from .webhook import call_vendor, error, json_object

log = logging.getLogger("kefu_serve")

CONFIG_KEY = "zendesk"
COMMENT_ADDED = "zen:event-type:ticket.comment_added"


_error = error


def parse_comment_added(payload: dict):
    """(ticket_id, text, Customer) for a public comment by the customer, else a reason str."""
    if payload.get("type") != COMMENT_ADDED:
        return f"event {payload.get('type')!r} is not {COMMENT_ADDED}"
    detail = payload.get("detail") or {}
    comment = (payload.get("event") or {}).get("comment") or {}
    if not comment.get("is_public", True):
        return "private comment"
    author = comment.get("author") or {}
    if author.get("is_staff"):
        return "comment by staff"
    text = comment.get("body") or ""
    if not isinstance(text, str) or not text.strip():
        return "no text"
    ticket = detail.get("id")
    if ticket is None and isinstance(payload.get("subject"), str) and payload["subject"].startswith("zen:ticket:"):
        ticket = payload["subject"].split(":")[-1]
    if ticket is None:
        return "no ticket id"
    requester = detail.get("requester_id") or author.get("id")
    who = Customer(external_ids=[f"zendesk:{requester}"] if requester else [], name=author.get("name") or "")
    return str(ticket), text, who


def _auth_headers(cfg: dict) -> dict:
    if cfg.get("oauth_token"):
        return {"Authorization": f"Bearer {cfg['oauth_token']}"}
    user = f"{cfg.get('email', '')}/token:{cfg.get('api_token', '')}"
    return {"Authorization": "Basic " + base64.b64encode(user.encode("utf-8")).decode("ascii")}


async def post_private_comment(cfg: dict, ticket: str, body: str) -> dict:
    url = f"{cfg['url'].rstrip('/')}/api/v2/tickets/{ticket}.json"
    data = {"ticket": {"comment": {"body": body, "public": False}}}
    return await call_vendor("Zendesk", "PUT", url, data, _auth_headers(cfg), float(cfg.get("timeout", 8.0)))


def add_routes(app: web.Application, cfg: dict, token: str) -> None:
    app[CONFIG_KEY] = cfg
    seen = SeenSet()

    async def webhook(request: web.Request) -> web.Response:
        from .app import SERVICE_KEY, bearer_ok
        body = await request.read()
        secret = cfg.get("secret")
        if secret:
            try:
                signatures.verify_zendesk(secret, request.headers.get("X-Zendesk-Webhook-Signature-Timestamp"), body,
                                          request.headers.get("X-Zendesk-Webhook-Signature"),
                                          tolerance=float(cfg.get("tolerance", signatures.DEFAULT_TOLERANCE)))
            except signatures.SignatureError as e:
                return _error(401, "bad_signature", str(e))
        elif not bearer_ok(request, token):
            return _error(401, "unauthorized", "no webhook secret is configured: use bearer authentication")
        payload = json_object(body)
        if isinstance(payload, web.Response):
            return payload
        parsed = parse_comment_added(payload)
        if isinstance(parsed, str):
            return web.json_response({"handled": False, "reason": parsed})
        ticket, text, who = parsed
        comment_id = ((payload.get("event") or {}).get("comment") or {}).get("id")
        key = f"{payload.get('account_id')}:{ticket}:{comment_id}"
        if comment_id is not None and not seen.first_time(key):
            return web.json_response({"handled": False, "reason": "comment already answered (a repeated delivery)"})
        service = request.app[SERVICE_KEY]
        # Off the event loop: the customer lookup may take a while.
        ans = await asyncio.get_running_loop().run_in_executor(
            None, lambda: answer(service, text, who, agent_locale=cfg.get("agent_locale")))
        if not cfg.get("url"):
            return web.json_response({"handled": True, "posted": False, "note": ans.note,
                                      "reason": "no Zendesk URL configured"})
        try:
            await post_private_comment(cfg, ticket, ans.note)
        except Exception as e:
            log.warning("posting the comment to Zendesk failed: %s", e)
            seen.forget(key)  # Zendesk's retry may succeed
            return _error(502, "upstream", f"posting the comment to Zendesk failed: {e}")
        return web.json_response({"handled": True, "posted": True, "ticket": ticket,
                                  "intent": ans.result.get("intent")})

    app.router.add_post("/webhooks/zendesk", webhook)
