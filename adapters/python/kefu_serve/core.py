"""The operations every adapter shares, on one ``kefu.Engine``.

Each takes the JSON request a client sent (a dict) and returns the JSON text kefu's own surfaces
print, so that ``POST /v1/suggest`` answers byte for byte what ``kefu suggest --json`` prints: the
suggestion, analysis and tone results come straight from the engine's ``to_json()``.

Tone checks (``Engine.check_tone``) and customer notes (``Engine.customers``) are used when the
installed ``kefu`` package has them; :attr:`Service.capabilities` says which are there, and the HTTP
layer only routes to what exists.
"""
from __future__ import annotations

import json
from typing import Any, Optional

import kefu

CHANNELS = ("plain", "markdown", "html")
LOCALES = ("zh-CN", "zh-TW", "zh-HK", "en")


class BadRequest(ValueError):
    """The request is well-formed JSON but asks for something invalid (HTTP 400)."""

    def __init__(self, message: str, code: str = "invalid_argument"):
        super().__init__(message)
        self.code = code


def dumps(obj: Any) -> str:
    """Compact UTF-8 JSON with sorted keys: the shape nlohmann::json prints for kefu's results."""
    return json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _str(req: dict, key: str, required: bool = False, default: Optional[str] = None) -> Optional[str]:
    value = req.get(key, default)
    if value is None:
        if required:
            raise BadRequest(f'"{key}" is required', "invalid_argument")
        return default
    if not isinstance(value, str):
        raise BadRequest(f'"{key}" must be a string', "invalid_argument")
    return value


def _obj(req: dict, key: str) -> Optional[dict]:
    value = req.get(key)
    if value is None:
        return None
    if not isinstance(value, dict):
        raise BadRequest(f'"{key}" must be an object', "invalid_argument")
    return value


def _limit(req: dict, default: int = 3) -> int:
    value = req.get("limit", default)
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 50:
        raise BadRequest('"limit" must be an integer from 1 to 50')
    return value


def _channel(req: dict) -> str:
    channel = _str(req, "channel", default="plain")
    if channel not in CHANNELS:
        raise BadRequest(f'"channel" must be one of {", ".join(CHANNELS)}', "unsupported")
    return channel


def _vars(req: dict) -> Optional[dict]:
    v = _obj(req, "vars")
    if v is None:
        return None
    return {str(k): ("" if val is None else str(val)) for k, val in v.items()}


class Service:
    """kefu's operations as JSON in, JSON out, shared by the HTTP service and the adapters."""

    def __init__(self, engine: Optional["kefu.Engine"] = None, *, db: Optional[str] = None):
        self.engine = engine if engine is not None else kefu.Engine()
        self.db = db or None
        from . import customers_api
        self.customers = customers_api.backend_for(self.engine, self.db)

    # ---- what this kefu build offers ----
    @property
    def has_tone(self) -> bool:
        return hasattr(self.engine, "check_tone")

    @property
    def has_customers(self) -> bool:
        """The customer archive (kefu_serve.customers_api): a database and the kefu command to reach it."""
        return self.customers is not None

    @property
    def capabilities(self) -> dict:
        return {
            "analyze": True,
            "suggest": True,
            "render": True,
            "tone": self.has_tone,
            "customers": self.has_customers,
            "notes": self.has_customers,
        }

    # ---- replies ----
    def analyze(self, req: dict) -> str:
        text = _str(req, "text", required=True)
        return self.engine.analyze(text, locale=_str(req, "locale") or None).to_json()

    def suggest(self, req: dict) -> str:
        return self.suggest_result(req).to_json()

    def suggest_result(self, req: dict):
        """Takes what `kefu suggest` takes: "customer" and "vars" (or both inside "context", like
        --context), and "name", "title", "type" like --name, --title, --type."""
        text = _str(req, "text", required=True)
        context = _obj(req, "context") or {}
        customer = dict(_obj(context, "customer") or {})
        customer.update(_obj(req, "customer") or {})
        for key in ("name", "title"):
            if _str(req, key):
                customer[key] = req[key]
        if _str(req, "type"):
            customer["types"] = list(customer.get("types") or []) + [req["type"]]
        variables = _vars(context) or {}
        variables.update(_vars(req) or {})
        return self.engine.suggest(
            text,
            locale=_str(req, "locale") or None,
            customer=customer or None,
            vars=variables or None,
            channel=_channel(req),
            limit=_limit(req),
        )

    def render(self, req: dict) -> str:
        template_id = _str(req, "template_id") or _str(req, "template")
        if not template_id:
            raise BadRequest('"template_id" is required')
        locale = _str(req, "locale") or "zh-CN"
        r = self.engine.render(template_id, vars=_vars(req), locale=locale, channel=_channel(req))
        return dumps({"template_id": template_id, "text": r.text, "missing": list(r.missing)})

    # ---- tone ----
    def tone(self, req: dict) -> str:
        return self.tone_report(req).to_json()

    def tone_report(self, req: dict):
        if not self.has_tone:
            raise BadRequest("this kefu build has no tone checks", "unsupported")
        draft = _str(req, "text", required=True)
        kwargs: dict = {"locale": _str(req, "locale") or None, "channel": _channel(req)}
        customer = _str(req, "customer")
        if customer:
            kwargs["customer"] = customer
        return self.engine.check_tone(draft, **kwargs)
