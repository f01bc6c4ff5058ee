"""What the Chatwoot and Zendesk webhook adapters share: reading a webhook body, answering errors,
and calling the vendor's JSON API."""
from __future__ import annotations

import json
from typing import Union

import aiohttp
from aiohttp import web


def error(status: int, code: str, message: str) -> web.Response:
    from .app import error_response  # late: app imports the adapters
    return error_response(status, code, message)


def json_object(body: bytes) -> Union[dict, web.Response]:
    """The body as a JSON object, or the 400 response to send instead."""
    try:
        payload = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        return error(400, "parse", f"the body is not valid JSON: {e}")
    if not isinstance(payload, dict):
        return error(400, "parse", "the body must be a JSON object")
    return payload


async def call_vendor(vendor: str, method: str, url: str, body: dict, headers: dict, timeout: float) -> dict:
    """Sends `body` as JSON; returns the JSON answer ({} when it is not JSON). Raises RuntimeError on HTTP ≥ 300."""
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout)) as session:
        async with session.request(method, url, json=body, headers=headers) as resp:
            text = await resp.text()
            if resp.status >= 300:
                raise RuntimeError(f"{vendor} answered {resp.status}: {text[:200]}")
            try:
                return json.loads(text)
            except json.JSONDecodeError:
                return {}
