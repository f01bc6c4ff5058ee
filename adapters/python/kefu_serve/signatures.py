"""Webhook signature checks, constant time, with replay protection (stale timestamps are refused).

Chatwoot (webhook ``secret``; schema of the Webhook object in Chatwoot's API reference,
https://developers.chatwoot.com/api-reference/webhooks/add-a-webhook): deliveries carry
``X-Chatwoot-Timestamp`` (Unix seconds) and ``X-Chatwoot-Signature: sha256=<hex>``, the HMAC-SHA256
of ``{timestamp}.{raw body}`` keyed with the secret.

Zendesk (https://developer.zendesk.com/documentation/webhooks/verifying/): deliveries carry
``X-Zendesk-Webhook-Signature-Timestamp`` and ``X-Zendesk-Webhook-Signature``,
``base64(HMAC-SHA256(timestamp + body))`` keyed with the webhook's signing secret.
"""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import time
from typing import Optional

DEFAULT_TOLERANCE = 300  # seconds either side of now


class SignatureError(Exception):
    """The delivery is not signed with our secret, or it is stale (HTTP 401)."""


def _parse_timestamp(value: str) -> float:
    value = (value or "").strip()
    if not value:
        raise SignatureError("no signature timestamp")
    if value.isdigit():
        seconds = float(value)
        return seconds / 1000.0 if seconds > 1e11 else seconds  # milliseconds, too
    try:
        when = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise SignatureError(f"unreadable signature timestamp '{value[:40]}'")
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.timezone.utc)
    return when.timestamp()


def check_fresh(timestamp: str, tolerance: float = DEFAULT_TOLERANCE, now: Optional[float] = None) -> None:
    when = _parse_timestamp(timestamp)
    now = time.time() if now is None else now
    if abs(now - when) > tolerance:
        raise SignatureError(f"stale signature timestamp ({int(now - when)} s off; at most {int(tolerance)} s)")


def chatwoot_signature(secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret.encode("utf-8"), timestamp.encode("utf-8") + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify_chatwoot(secret: str, timestamp: Optional[str], body: bytes, signature: Optional[str],
                    tolerance: float = DEFAULT_TOLERANCE, now: Optional[float] = None) -> None:
    if not signature:
        raise SignatureError("no X-Chatwoot-Signature header")
    check_fresh(timestamp or "", tolerance, now)
    expected = chatwoot_signature(secret, timestamp or "", body)
    if not hmac.compare_digest(expected.encode("ascii"), signature.strip().encode("utf-8", "replace")):
        raise SignatureError("X-Chatwoot-Signature does not match the body")


def zendesk_signature(secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret.encode("utf-8"), timestamp.encode("utf-8") + body, hashlib.sha256)
    return base64.b64encode(mac.digest()).decode("ascii")


def verify_zendesk(secret: str, timestamp: Optional[str], body: bytes, signature: Optional[str],
                   tolerance: float = DEFAULT_TOLERANCE, now: Optional[float] = None) -> None:
    if not signature:
        raise SignatureError("no X-Zendesk-Webhook-Signature header")
    check_fresh(timestamp or "", tolerance, now)
    expected = zendesk_signature(secret, timestamp or "", body)
    if not hmac.compare_digest(expected.encode("ascii"), signature.strip().encode("utf-8", "replace")):
        raise SignatureError("X-Zendesk-Webhook-Signature does not match the body")
