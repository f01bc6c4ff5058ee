"""The OpenAPI 3.0 document ``kefu serve`` serves at ``/openapi.json``.

It lists only what this build offers (tone and customer routes appear when the ``kefu`` package has
them), so a client generated from it never calls a route that answers 404.
"""
from __future__ import annotations

from . import __version__

_ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {"error": {"type": "object", "required": ["code", "message"], "properties": {
        "code": {"type": "string", "example": "invalid_utf8"},
        "message": {"type": "string"},
    }}},
}

_LOCALE = {"type": "string", "enum": ["zh-CN", "zh-TW", "zh-HK", "en"],
           "description": "guessed from the text when absent"}
_CHANNEL = {"type": "string", "enum": ["plain", "markdown", "html"], "default": "plain"}

_ANALYSIS_PROPS = {
    "intent": {"type": "string"},
    "confidence": {"type": "number"},
    "emotion": {"type": "string", "enum": ["angry", "negative", "neutral", "positive"]},
    "emotion_score": {"type": "number"},
    "stage": {"type": "string", "enum": ["pre_sale", "in_sale", "post_sale"]},
    "locale": {"type": "string"},
    "intents": {"type": "array", "items": {"type": "object", "properties": {
        "intent": {"type": "string"}, "score": {"type": "number"}}}},
    "cues": {"type": "array", "items": {"type": "string"}},
}

_SCHEMAS = {
    "Error": _ERROR,
    "TextRequest": {
        "type": "object", "required": ["text"],
        "properties": {"text": {"type": "string", "description": "the customer's message"}, "locale": _LOCALE},
    },
    "SuggestRequest": {
        "type": "object", "required": ["text"],
        "properties": {
            "text": {"type": "string", "description": "the customer's message"},
            "locale": _LOCALE,
            "customer": {"type": "object", "properties": {
                "name": {"type": "string"}, "title": {"type": "string", "example": "女士"},
                "types": {"type": "array", "items": {"type": "string", "enum": [
                    "price_sensitive", "quality_seeking", "health_beauty"]}},
                "tags": {"type": "array", "items": {"type": "string"}}}},
            "vars": {"type": "object", "additionalProperties": {"type": "string"},
                     "example": {"order_id": "A-1042", "shop": "优品旗舰店"}},
            "channel": _CHANNEL,
            "limit": {"type": "integer", "minimum": 1, "maximum": 50, "default": 3},
            "context": {"type": "object", "description": "{\"customer\": {...}, \"vars\": {...}}, as --context"},
            "name": {"type": "string", "description": "the customer's name, as --name"},
            "title": {"type": "string", "description": "form of address, as --title"},
            "type": {"type": "string", "enum": ["price_sensitive", "quality_seeking", "health_beauty"],
                     "description": "customer type, as --type"},
        },
    },
    "RenderRequest": {
        "type": "object", "required": ["template_id"],
        "properties": {
            "template_id": {"type": "string", "description": "template id or shortcut (/xd)"},
            "locale": {**_LOCALE, "default": "zh-CN"},
            "vars": {"type": "object", "additionalProperties": {"type": "string"}},
            "channel": _CHANNEL,
        },
    },
    "ToneRequest": {
        "type": "object", "required": ["text"],
        "properties": {
            "text": {"type": "string", "description": "the agent's draft"},
            "locale": _LOCALE,
            "customer": {"type": "string", "description": "the customer's message the draft answers"},
            "channel": _CHANNEL,
        },
    },
    "Analysis": {"type": "object", "properties": _ANALYSIS_PROPS},
    "Suggestions": {"type": "object", "properties": {
        **_ANALYSIS_PROPS,
        "suggestions": {"type": "array", "items": {"type": "object", "properties": {
            "template_id": {"type": "string"}, "intent": {"type": "string"}, "text": {"type": "string"},
            "score": {"type": "number"}, "missing": {"type": "array", "items": {"type": "string"}},
            "shortcut": {"type": "string"}, "tags": {"type": "array", "items": {"type": "string"}}}}},
    }},
    "Rendered": {"type": "object", "properties": {
        "template_id": {"type": "string"}, "text": {"type": "string"},
        "missing": {"type": "array", "items": {"type": "string"}}}},
    "ToneReport": {"type": "object", "properties": {
        "score": {"type": "number", "description": "0 (worst) to 100"},
        "findings": {"type": "array", "items": {"type": "object", "properties": {
            "rule": {"type": "string"}, "category": {"type": "string"},
            "severity": {"type": "string", "enum": ["error", "warning", "info"]},
            "start": {"type": "integer"}, "end": {"type": "integer"},
            "start_byte": {"type": "integer"}, "end_byte": {"type": "integer"},
            "start_utf16": {"type": "integer"}, "end_utf16": {"type": "integer"},
            "message": {"type": "string"}, "suggestions": {"type": "array", "items": {"type": "string"}}}}}}},
}


def _errors(*statuses: int) -> dict:
    texts = {400: "malformed JSON or an invalid value", 401: "no bearer token, or a wrong one",
             404: "not found", 413: "the body is over the size limit"}
    return {str(s): {"description": texts[s],
                     "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
            for s in statuses}


def _post(summary: str, request: str, response: str, cli: str, *extra_errors: int) -> dict:
    return {"post": {
        "summary": summary,
        "description": f"Answers the same JSON as `{cli}`.",
        "security": [{"bearer": []}],
        "requestBody": {"required": True, "content": {"application/json": {
            "schema": {"$ref": f"#/components/schemas/{request}"}}}},
        "responses": {"200": {"description": "ok", "content": {"application/json": {
            "schema": {"$ref": f"#/components/schemas/{response}"}}}},
            **_errors(400, 401, 413, *extra_errors)},
    }}


def document(capabilities: dict) -> dict:
    paths = {
        "/v1/analyze": _post("Intent, emotion and purchase stage of a customer message",
                             "TextRequest", "Analysis", "kefu analyze --json"),
        "/v1/suggest": _post("Ranked, rendered reply templates for a customer message",
                             "SuggestRequest", "Suggestions", "kefu suggest --json"),
        "/v1/render": _post("Render one template by id or shortcut", "RenderRequest", "Rendered",
                            "kefu render --json", 404),
    }
    if capabilities.get("tone"):
        paths["/v1/tone"] = _post("Check an agent's draft against the service standard",
                                  "ToneRequest", "ToneReport", "kefu tone --json")
    if capabilities.get("customers"):
        from .customers_api import openapi_paths
        paths.update(openapi_paths(_errors))
    paths["/healthz"] = {"get": {"summary": "liveness and what this build offers",
                                 "responses": {"200": {"description": "ok"}}}}
    paths["/webhooks/chatwoot"] = {"post": {
        "summary": "Chatwoot message_created webhook (signed with X-Chatwoot-Signature, or ?token=)",
        "responses": {"200": {"description": "handled or ignored"}, **_errors(400, 401, 413)}}}
    paths["/webhooks/zendesk"] = {"post": {
        "summary": "Zendesk ticket comment webhook (signed with X-Zendesk-Webhook-Signature, or bearer)",
        "responses": {"200": {"description": "handled or ignored"}, **_errors(400, 401, 413)}}}
    return {
        "openapi": "3.0.3",
        "info": {"title": "kefu", "version": __version__,
                 "description": "Reply templates, tone checks and customer notes for shop customer service."},
        "servers": [{"url": "/"}],
        "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
                       "schemas": _SCHEMAS},
        "paths": paths,
    }
