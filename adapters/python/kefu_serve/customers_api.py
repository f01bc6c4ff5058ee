"""Customer notes over HTTP: find customers, the profile card, notes, care reminders.

The routes answer what the ``kefu`` command prints with ``--json`` (issue 4's contract):

- ``GET  /v1/customers?q=QUERY``       = ``kefu --db DB customers find --json QUERY``
- ``GET  /v1/customers/{customer}``    = ``kefu --db DB customers show --json CUSTOMER`` (the profile card)
- ``POST /v1/notes`` ``{"customer", "text", "author"?, "pinned"?}`` = ``kefu --db DB notes add --json ...``
- ``GET  /v1/notes?q=QUERY``           = ``kefu --db DB notes search --json QUERY``
- ``GET  /v1/reminders``               = ``kefu --db DB reminders --json``
- ``POST /v1/profile`` ``{"external_ids": [...], "email", "phone", "name"}`` — for the sidebar and the
  helpdesk notes: the first identifier that names a customer gives ``{"customer": card, "reminders"}``;
  ``{"customer": null, "reminders": []}`` when none does.

The archive is ``kefu.Engine(db_path=...).customers`` (kefu.CustomerStore), in process; its calls
release the GIL and run off the event loop. The routes exist only when the service has a database
(``kefu serve`` passes the global ``--db``; ``python3 -m kefu_serve serve --db PATH``).
"""
from __future__ import annotations

import asyncio
import datetime as dt
from typing import Optional

from aiohttp import web

import kefu

from .core import BadRequest, dumps



class NotFound(Exception):
    pass


def _iso(seconds: int) -> str:
    return dt.datetime.fromtimestamp(int(seconds), dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class PythonBackend:
    """engine.customers (kefu.CustomerStore): in process; the GIL is released inside."""

    def __init__(self, store):
        self.store = store

    def _call(self, fn, *args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except kefu.KefuError as e:
            if getattr(e, "code", "") == "not_found":
                raise NotFound(str(e))
            raise

    def find(self, query: str) -> dict:
        return {"customers": [c.to_dict() for c in self._call(self.store.find, query, 20)]}

    def show(self, ref: str) -> dict:
        return self._call(self.store.show, ref)

    def add_note(self, ref: str, text: str, author: str = "", pinned: bool = False) -> dict:
        return self._call(self.store.add_note, ref, text, author=author, pinned=pinned).to_dict()

    def search(self, query: str) -> dict:
        hits = self._call(self.store.search, query, limit=20)
        return {"notes": [{"author": h.author, "customer_id": h.customer_id, "id": h.id, "kind": h.kind,
                           "pinned": h.pinned, "score": h.score, "text": h.text, "time": _iso(h.time)}
                          for h in hits]}

    def reminders(self) -> dict:
        return {"reminders": self._call(self.store.reminders)}


def backend_for(engine, db: Optional[str]):
    """The archive of an engine opened with a database (kefu.Engine(db_path=...)), else None."""
    if getattr(engine, "db_path", "") and hasattr(engine, "customers"):
        return PythonBackend(engine.customers)
    return None


def identifiers(who) -> list:
    """The ways a helpdesk names a customer, most specific first."""
    ids = list(getattr(who, "external_ids", None) or who.get("external_ids") or []) if not isinstance(who, dict) \
        else list(who.get("external_ids") or [])
    get = (lambda k: who.get(k)) if isinstance(who, dict) else (lambda k: getattr(who, k, ""))
    for key in ("email", "phone"):
        value = get(key)
        if value:
            ids.append(str(value))
    return [str(i) for i in ids if i]


def _profile_from(card: Optional[dict]) -> dict:
    return {"customer": card, "reminders": (card or {}).get("reminders") or []}


def suggest_context(card: dict, basic: Optional[dict]) -> dict:
    """What suggest takes from a profile card: name, form of address, types and tags."""
    ctx = dict(basic or {})
    if card.get("name"):
        ctx["name"] = card["name"]
    customer = card.get("customer") or {}
    if customer.get("title"):
        ctx["title"] = customer["title"]
    types = [t for t in card.get("types") or [] if t in ("price_sensitive", "quality_seeking", "health_beauty")]
    if types:
        ctx["types"] = types
    if card.get("tags"):
        ctx["tags"] = list(card["tags"])
    return ctx


def profile_for(service, who, basic: Optional[dict]):
    """(card, reminders, suggest context) for the helpdesk adapters; blocking (run it off the loop)."""
    for ident in identifiers(who):
        try:
            card = service.customers.show(ident)
        except (NotFound, BadRequest, kefu.KefuError):
            continue
        return card, card.get("reminders") or [], suggest_context(card, basic)
    return None, [], basic


def add_routes(app: web.Application) -> None:
    from .app import SERVICE_KEY, json_response, read_json

    def backend(request):
        return request.app[SERVICE_KEY].customers

    async def off_loop(fn, *args, **kwargs):
        return await asyncio.get_running_loop().run_in_executor(None, lambda: fn(*args, **kwargs))

    def query(request) -> str:
        q = request.query.get("q", "").strip()
        if not q:
            raise BadRequest('the query parameter "q" is required')
        return q

    async def find(request: web.Request) -> web.Response:
        return json_response(dumps(await off_loop(backend(request).find, query(request))))

    async def show(request: web.Request) -> web.Response:
        try:
            card = await off_loop(backend(request).show, request.match_info["customer"])
        except NotFound as e:
            raise web.HTTPNotFound(reason=str(e))
        return json_response(dumps(card))

    async def add_note(request: web.Request) -> web.Response:
        body = await read_json(request)
        customer, text = body.get("customer"), body.get("text")
        if not isinstance(customer, (str, int)) or not isinstance(text, str) or not text.strip():
            raise BadRequest('"customer" (an id, external id, phone or email) and "text" are required')
        author = body.get("author") if isinstance(body.get("author"), str) else ""
        try:
            note = await off_loop(backend(request).add_note, str(customer), text, author, body.get("pinned") is True)
        except NotFound as e:
            raise web.HTTPNotFound(reason=str(e))
        return json_response(dumps(note), status=201)

    async def search_notes(request: web.Request) -> web.Response:
        return json_response(dumps(await off_loop(backend(request).search, query(request))))

    async def reminders(request: web.Request) -> web.Response:
        return json_response(dumps(await off_loop(backend(request).reminders)))

    async def profile(request: web.Request) -> web.Response:
        body = await read_json(request)
        for ident in identifiers(body):
            try:
                return json_response(dumps(_profile_from(await off_loop(backend(request).show, ident))))
            except (NotFound, BadRequest, kefu.KefuError):
                continue
        return json_response(dumps(_profile_from(None)))

    r = app.router
    r.add_get("/v1/customers", find)
    r.add_get("/v1/customers/{customer}", show)
    r.add_post("/v1/notes", add_note)
    r.add_get("/v1/notes", search_notes)
    r.add_get("/v1/reminders", reminders)
    r.add_post("/v1/profile", profile)


def openapi_paths(errors) -> dict:
    ok = {"200": {"description": "ok", "content": {"application/json": {"schema": {"type": "object"}}}}}
    q = [{"name": "q", "in": "query", "required": True, "schema": {"type": "string"}}]
    sec = [{"bearer": []}]
    return {
        "/v1/customers": {"get": {"summary": "Find customers by external id, phone, email, kefu id or name prefix "
                                             "(= kefu customers find --json)", "security": sec, "parameters": q,
                                  "responses": {**ok, **errors(400, 401)}}},
        "/v1/customers/{customer}": {"get": {
            "summary": "The profile card (= kefu customers show --json)", "security": sec,
            "parameters": [{"name": "customer", "in": "path", "required": True, "schema": {"type": "string"}}],
            "responses": {**ok, **errors(401, 404)}}},
        "/v1/notes": {
            "get": {"summary": "Full-text search over notes and consultations (= kefu notes search --json)",
                    "security": sec, "parameters": q, "responses": {**ok, **errors(400, 401)}},
            "post": {"summary": "Add a note (= kefu notes add --json)", "security": sec,
                     "requestBody": {"required": True, "content": {"application/json": {"schema": {
                         "type": "object", "required": ["customer", "text"], "properties": {
                             "customer": {"type": "string"}, "text": {"type": "string"},
                             "author": {"type": "string"}, "pinned": {"type": "boolean"}}}}}},
                     "responses": {"201": {"description": "the note"}, **errors(400, 401, 404, 413)}}},
        "/v1/reminders": {"get": {"summary": "Care reminders due (= kefu reminders --json)", "security": sec,
                                  "responses": {**ok, **errors(401)}}},
        "/v1/profile": {"post": {
            "summary": "The profile card of the first identifier that names a customer (for sidebars)",
            "security": sec,
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "type": "object", "properties": {
                    "external_ids": {"type": "array", "items": {"type": "string"}, "example": ["chatwoot:14"]},
                    "email": {"type": "string"}, "phone": {"type": "string"}, "name": {"type": "string"}}}}}},
            "responses": {"200": {"description": '{"customer": card or null, "reminders": [...]}'},
                          **errors(400, 401, 413)}}},
    }
