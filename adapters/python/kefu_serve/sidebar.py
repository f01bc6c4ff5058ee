"""Serves the sidebar page (``adapters/sidebar/``) at ``/sidebar/``.

The page itself holds no secret: the helpdesk opens it with the kefu token in the URL fragment
(``/sidebar/#token=...``), which browsers never send to a server, and the page calls ``/v1/*`` with it.
``/sidebar/i18n/zh-TW.json`` and ``zh-HK.json`` are made from ``zh-CN.json`` with OpenCC.
"""
from __future__ import annotations

import json
import pathlib

from aiohttp import web

from .compose import agent_locale, to_traditional

_TYPES = {".html": "text/html", ".js": "text/javascript", ".css": "text/css", ".json": "application/json",
          ".svg": "image/svg+xml", ".png": "image/png"}

# Helpdesks frame the page; scripts come from the page itself (and Zendesk's ZAF SDK in Zendesk).
_CSP = ("default-src 'self'; script-src 'self' https://static.zdassets.com; style-src 'self' 'unsafe-inline'; "
        "connect-src 'self'; img-src 'self' data:; frame-ancestors *")


def add_routes(app: web.Application, root: pathlib.Path) -> None:
    root = root.resolve()
    cache: dict = {}

    def i18n(locale: str) -> bytes:
        loc = agent_locale(locale)
        if loc not in cache:
            if loc in ("zh-TW", "zh-HK"):
                base = json.loads((root / "i18n" / "zh-CN.json").read_text(encoding="utf-8"))
                keys = list(base)
                lines = to_traditional("\n".join(base[k].replace("\n", " ") for k in keys), loc).split("\n")
                data = dict(zip(keys, lines)) if len(lines) == len(keys) else base
                cache[loc] = json.dumps(data, ensure_ascii=False).encode("utf-8")
            else:
                cache[loc] = (root / "i18n" / f"{loc}.json").read_bytes()
        return cache[loc]

    async def page(request: web.Request) -> web.StreamResponse:
        name = request.match_info.get("name") or "index.html"
        if name.startswith("i18n/") and name.endswith(".json"):
            body = i18n(name[len("i18n/"):-len(".json")])
            return web.Response(body=body, content_type="application/json", charset="utf-8",
                                headers={"Cache-Control": "no-cache"})
        path = (root / name).resolve()
        if root not in path.parents or not path.is_file():
            raise web.HTTPNotFound()
        ctype = _TYPES.get(path.suffix, "application/octet-stream")
        return web.Response(body=path.read_bytes(), content_type=ctype,
                            charset="utf-8" if ctype.startswith("text") else None,
                            headers={"Content-Security-Policy": _CSP, "Cache-Control": "no-cache",
                                     "Referrer-Policy": "no-referrer"})

    async def redirect(request: web.Request) -> web.Response:
        raise web.HTTPFound("/sidebar/" + (f"?{request.query_string}" if request.query_string else ""))

    app.router.add_get("/sidebar", redirect)
    app.router.add_get("/sidebar/", page)
    app.router.add_get("/sidebar/{name:.+}", page)
