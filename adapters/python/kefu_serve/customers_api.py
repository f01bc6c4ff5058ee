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

The Python bindings do not expose the customer archive yet, so this module runs the ``kefu`` command
(``KEFU_CLI_EXE``, set by ``kefu serve``, or ``kefu`` on PATH) in a subprocess, off the event loop.
Each call costs a process start and an engine load (a few hundred ms): fine for a profile per
conversation, not for bulk use (use ``kefu customers import/export`` for that).
"""
from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
from typing import Optional

from aiohttp import web

from .core import BadRequest, dumps

TIMEOUT = 30.0


def kefu_executable() -> Optional[str]:
    exe = os.environ.get("KEFU_CLI_EXE") or os.environ.get("KEFU_CLI")
    if exe and os.access(exe, os.X_OK):
        return exe
    return shutil.which("kefu")


def available(db: Optional[str]) -> bool:
    return bool(db) and kefu_executable() is not None


class NotFound(Exception):
    pass


def _argv(db: str, args: list) -> list:
    return [kefu_executable(), "--db", db, *args]


def _result(proc_rc: int, out: bytes, err: bytes) -> dict:
    if proc_rc == 0:
        return json.loads(out.decode("utf-8"))
    message = err.decode("utf-8", "replace").strip().removeprefix("kefu: ")
    code, _, text = message.partition(": ")
    if code == "not_found":
        raise NotFound(text or message)
    raise BadRequest(text or message, code if code and " " not in code else "invalid_argument")


def run_sync(db: str, *args: str) -> dict:
    p = subprocess.run(_argv(db, list(args)), capture_output=True, timeout=TIMEOUT)
    return _result(p.returncode, p.stdout, p.stderr)


async def run(db: str, *args: str) -> dict:
    p = await asyncio.create_subprocess_exec(*_argv(db, list(args)), stdout=asyncio.subprocess.PIPE,
                                             stderr=asyncio.subprocess.PIPE)
    try:
        out, err = await asyncio.wait_for(p.communicate(), TIMEOUT)
    except asyncio.TimeoutError:
        p.kill()
        raise
    return _result(p.returncode, out, err)


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
            card = run_sync(service.db, "customers", "show", "--json", ident)
        except (NotFound, BadRequest):
            continue
        return card, card.get("reminders") or [], suggest_context(card, basic)
    return None, [], basic


def add_routes(app: web.Application) -> None:
    from .app import SERVICE_KEY, json_response, read_json

    def db(request) -> str:
        return request.app[SERVICE_KEY].db

    def query(request) -> str:
        q = request.query.get("q", "").strip()
        if not q:
            raise BadRequest('the query parameter "q" is required')
        return q

    async def find(request: web.Request) -> web.Response:
        return json_response(dumps(await run(db(request), "customers", "find", "--json", query(request))))

    async def show(request: web.Request) -> web.Response:
        try:
            card = await run(db(request), "customers", "show", "--json", request.match_info["customer"])
        except NotFound as e:
            raise web.HTTPNotFound(reason=str(e))
        return json_response(dumps(card))

    async def add_note(request: web.Request) -> web.Response:
        body = await read_json(request)
        customer, text = body.get("customer"), body.get("text")
        if not isinstance(customer, (str, int)) or not isinstance(text, str) or not text.strip():
            raise BadRequest('"customer" (an id, external id, phone or email) and "text" are required')
        args = ["notes", "add", "--json"]
        if isinstance(body.get("author"), str) and body["author"]:
            args += ["--author", body["author"]]
        if body.get("pinned") is True:
            args.append("--pin")
        try:
            note = await run(db(request), *args, "--", str(customer), text)
        except NotFound as e:
            raise web.HTTPNotFound(reason=str(e))
        return json_response(dumps(note), status=201)

    async def search_notes(request: web.Request) -> web.Response:
        return json_response(dumps(await run(db(request), "notes", "search", "--json", query(request))))

    async def reminders(request: web.Request) -> web.Response:
        return json_response(dumps(await run(db(request), "reminders", "--json")))

    async def profile(request: web.Request) -> web.Response:
        body = await read_json(request)
        for ident in identifiers(body):
            try:
                return json_response(dumps(_profile_from(await run(db(request), "customers", "show", "--json", ident))))
            except (NotFound, BadRequest):
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
