"""The HTTP service behind ``kefu serve`` (aiohttp).

- Every ``/v1/*`` route needs ``Authorization: Bearer <token>``; the token is compared in constant
  time (``hmac.compare_digest``). No token or a wrong one: 401.
- Bodies are limited (``max_body`` bytes, default 256 KiB): a larger one is refused with 413 before it
  is read when it declares its length, and while reading otherwise.
- Malformed JSON, or JSON that is not an object: 400. Invalid values: 400 (404 for an unknown
  template). Every error is JSON: ``{"error": {"code": "...", "message": "..."}}``.
- ``/openapi.json`` describes it all; ``/healthz`` answers ``{"ok": true}``; ``/sidebar/`` is the agent's
  sidebar page; ``/webhooks/chatwoot`` and ``/webhooks/zendesk`` take the helpdesks' events.
"""
from __future__ import annotations

import hmac
import json
import logging
import os
import pathlib
from typing import Awaitable, Callable, Optional

from aiohttp import web

import kefu

from . import openapi
from .core import BadRequest, Service, dumps

log = logging.getLogger("kefu_serve")

DEFAULT_MAX_BODY = 256 * 1024
JSON_TYPE = "application/json"

# kefu.KefuError codes → HTTP status.
_STATUS_BY_CODE = {
    "not_found": 404,
    "too_large": 413,
    "unsupported": 400,
    "invalid_utf8": 400,
    "empty": 400,
    "parse": 400,
    "invalid_argument": 400,
}

SERVICE_KEY = web.AppKey("service", Service) if hasattr(web, "AppKey") else "service"
CONFIG_KEY = web.AppKey("config", dict) if hasattr(web, "AppKey") else "config"


def error_response(status: int, code: str, message: str, headers: Optional[dict] = None) -> web.Response:
    return web.Response(status=status, text=dumps({"error": {"code": code, "message": message}}),
                        content_type=JSON_TYPE, headers=headers)


def json_response(text: str, status: int = 200) -> web.Response:
    return web.Response(status=status, text=text, content_type=JSON_TYPE)


def bearer_ok(request: web.Request, token: str) -> bool:
    """True if the request carries ``Authorization: Bearer <token>``; constant-time comparison."""
    header = request.headers.get("Authorization", "")
    scheme, _, given = header.partition(" ")
    if scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(given.strip().encode("utf-8"), token.encode("utf-8"))


def query_token_ok(request: web.Request, token: str) -> bool:
    """For webhooks whose sender cannot add headers: ``?token=<token>`` in the URL they post to."""
    given = request.query.get("token", "")
    return bool(given) and hmac.compare_digest(given.encode("utf-8"), token.encode("utf-8"))


async def read_json(request: web.Request) -> dict:
    """The request body as a JSON object; BadRequest (400) if it is not one."""
    raw = await request.read()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise BadRequest(f"the body is not valid UTF-8 (byte {e.start})", "invalid_utf8")
    try:
        body = json.loads(text)
    except json.JSONDecodeError as e:
        raise BadRequest(f"the body is not valid JSON: {e.msg} at line {e.lineno} column {e.colno}", "parse")
    if not isinstance(body, dict):
        raise BadRequest("the body must be a JSON object", "parse")
    return body


def make_gate_middleware(token: str, max_body: int):
    """One middleware (each one costs a coroutine per request): the size limit, the bearer token on
    /v1/*, and every failure turned into a JSON error; nothing a client sends takes the service down."""
    token_bytes = token.encode("utf-8")

    @web.middleware
    async def gate(request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]):
        try:
            length = request.content_length
            if length is not None and length > max_body:
                return error_response(413, "too_large", f"the request body is {length} bytes; the limit is {max_body}")
            if request.path.startswith("/v1/"):
                scheme, _, given = request.headers.get("Authorization", "").partition(" ")
                if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode("utf-8"), token_bytes):
                    return error_response(401, "unauthorized", "missing or wrong bearer token",
                                          {"WWW-Authenticate": 'Bearer realm="kefu"'})
            return await handler(request)
        except BadRequest as e:
            return error_response(413 if e.code == "too_large" else 400, e.code, str(e))
        except kefu.KefuError as e:
            code = getattr(e, "code", "error")
            return error_response(_STATUS_BY_CODE.get(code, 400), code, str(e))
        except web.HTTPRequestEntityTooLarge:
            return error_response(413, "too_large", f"the request body is larger than the limit of {max_body} bytes")
        except web.HTTPException as e:
            if e.status < 400:
                raise
            code = {401: "unauthorized", 404: "not_found", 405: "method_not_allowed"}.get(e.status, "http_error")
            headers = {k: v for k, v in e.headers.items() if k.lower() in ("allow", "www-authenticate")}
            return error_response(e.status, code, e.reason or "error", headers)
        except Exception as e:  # a bug of ours: report it, keep serving
            log.exception("internal error on %s %s", request.method, request.path)
            return error_response(500, "internal", f"internal error: {type(e).__name__}")

    return gate


def make_cors_middleware(origins: list):
    """CORS for pages a helpdesk serves from its own origin (the Zendesk app) that call this local
    service: only for the listed origins (``https://*.zdusercontent.com`` patterns allowed), with
    Private Network Access so a public page may reach 127.0.0.1."""
    import fnmatch

    def allowed(origin: str) -> bool:
        return any(fnmatch.fnmatchcase(origin, pattern) for pattern in origins)

    @web.middleware
    async def cors_middleware(request: web.Request, handler):
        origin = request.headers.get("Origin", "")
        ok = bool(origin) and allowed(origin)
        if request.method == "OPTIONS" and ok and request.headers.get("Access-Control-Request-Method"):
            return web.Response(status=204, headers={
                "Access-Control-Allow-Origin": origin, "Vary": "Origin",
                "Access-Control-Allow-Methods": "GET, POST",
                "Access-Control-Allow-Headers": "Authorization, Content-Type",
                "Access-Control-Allow-Private-Network": "true", "Access-Control-Max-Age": "600"})
        response = await handler(request)
        if ok:
            response.headers["Access-Control-Allow-Origin"] = origin
            response.headers["Vary"] = "Origin"
        return response

    return cors_middleware


def _service(request: web.Request) -> Service:
    return request.app[SERVICE_KEY]


def _op(method_name: str):
    async def handler(request: web.Request) -> web.Response:
        body = await read_json(request)
        return json_response(getattr(_service(request), method_name)(body))

    handler.__name__ = method_name
    return handler


async def healthz(request: web.Request) -> web.Response:
    return json_response(dumps({"ok": True, "version": kefu.__version__,
                                "capabilities": _service(request).capabilities}))


async def openapi_doc(request: web.Request) -> web.Response:
    return json_response(json.dumps(openapi.document(_service(request).capabilities), ensure_ascii=False))


def sidebar_dir() -> Optional[pathlib.Path]:
    """The sidebar page: KEFU_SIDEBAR_DIR, the copy installed beside this package, or the source tree."""
    here = pathlib.Path(__file__).resolve().parent
    candidates = [os.environ.get("KEFU_SIDEBAR_DIR"), here / "sidebar", here.parent.parent / "sidebar"]
    for c in candidates:
        if c and (pathlib.Path(c) / "index.html").is_file():
            return pathlib.Path(c)
    return None


def make_app(service: Service, token: str, *, max_body: int = DEFAULT_MAX_BODY,
             chatwoot: Optional[dict] = None, zendesk: Optional[dict] = None,
             allow_origins: Optional[list] = None) -> web.Application:
    """The aiohttp application. ``token`` guards /v1/*; ``chatwoot`` and ``zendesk`` configure the
    webhooks (see :mod:`kefu_serve.chatwoot` and :mod:`kefu_serve.zendesk`)."""
    if not token:
        raise ValueError("kefu serve needs a bearer token (--token or KEFU_TOKEN)")
    app = web.Application(
        client_max_size=max_body,
        middlewares=[make_gate_middleware(token, max_body)],
    )
    if allow_origins:
        app.middlewares.insert(0, make_cors_middleware(list(allow_origins)))
    app[SERVICE_KEY] = service
    app[CONFIG_KEY] = {"token": token, "max_body": max_body}
    r = app.router
    r.add_get("/healthz", healthz)
    r.add_get("/openapi.json", openapi_doc)
    r.add_post("/v1/analyze", _op("analyze"))
    r.add_post("/v1/suggest", _op("suggest"))
    r.add_post("/v1/render", _op("render"))
    if service.has_tone:
        r.add_post("/v1/tone", _op("tone"))
    if service.has_customers:
        from . import customers_api
        customers_api.add_routes(app)

    from . import chatwoot as chatwoot_mod
    from . import zendesk as zendesk_mod
    chatwoot_mod.add_routes(app, chatwoot or {}, token)
    zendesk_mod.add_routes(app, zendesk or {}, token)

    side = sidebar_dir()
    if side is not None:
        from . import sidebar as sidebar_mod
        sidebar_mod.add_routes(app, side)
    return app
