"""A stand-in for a helpdesk's REST API on loopback: it records what kefu posts and answers the way
the vendor documents (Chatwoot's create-message, Zendesk's update-ticket)."""
from __future__ import annotations

import asyncio
import json
import threading

from aiohttp import web


class StandIn:
    def __init__(self):
        self.requests = []          # dicts: method, path, headers, json
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        if not self._ready.wait(20):
            raise RuntimeError("stand-in did not start")

    async def _record(self, request: web.Request) -> dict:
        raw = await request.read()
        entry = {"method": request.method, "path": request.path, "headers": dict(request.headers),
                 "json": json.loads(raw.decode("utf-8")) if raw else None}
        self.requests.append(entry)
        return entry

    async def _chatwoot_message(self, request: web.Request) -> web.Response:
        entry = await self._record(request)
        if request.headers.get("api_access_token") != "cw-token":
            return web.json_response({"error": "You need to sign in or sign up before continuing."}, status=401)
        body = entry["json"] or {}
        return web.json_response({"id": 1000 + len(self.requests), "content": body.get("content"),
                                  "message_type": 1, "private": body.get("private", False),
                                  "conversation_id": int(request.match_info["conversation"])})

    async def _zendesk_ticket(self, request: web.Request) -> web.Response:
        entry = await self._record(request)
        if not request.headers.get("Authorization", "").startswith("Basic "):
            return web.json_response({"error": "Couldn't authenticate you"}, status=401)
        ticket = int(request.match_info["ticket"])
        comment = ((entry["json"] or {}).get("ticket") or {}).get("comment") or {}
        return web.json_response({"ticket": {"id": ticket, "status": "open"},
                                  "audit": {"events": [{"type": "Comment", "body": comment.get("body"),
                                                        "public": comment.get("public", True)}]}})

    def _run(self):
        asyncio.set_event_loop(self._loop)
        app = web.Application()
        app.router.add_post("/api/v1/accounts/{account}/conversations/{conversation}/messages", self._chatwoot_message)
        app.router.add_put("/api/v2/tickets/{ticket}.json", self._zendesk_ticket)
        self._runner = web.AppRunner(app)
        self._loop.run_until_complete(self._runner.setup())
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        self._loop.run_until_complete(site.start())
        self.port = site._server.sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._ready.set()
        self._loop.run_forever()

    def close(self):
        async def stop():
            await self._runner.cleanup()
        asyncio.run_coroutine_threadsafe(stop(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
