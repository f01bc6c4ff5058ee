"""What every helpdesk adapter does with a customer's message: find the customer in kefu's archive
(when the service has one), rank and render replies for them, and write the note for the agent."""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import Optional

from . import compose
from .core import Service

log = logging.getLogger("kefu_serve")


@dataclass
class Customer:
    """Who wrote, as the helpdesk knows them."""
    external_ids: list = field(default_factory=list)  # "chatwoot:14", "zendesk:8447388090494", "rt:jane"
    name: str = ""
    email: str = ""
    phone: str = ""


class SeenSet:
    """The last `size` delivery keys seen: helpdesks retry webhooks (and a replayed signed delivery is
    still fresh for a few minutes), so each customer message is answered once."""

    def __init__(self, size: int = 10000):
        from collections import OrderedDict
        self._keys: "OrderedDict[str, None]" = OrderedDict()
        self._size = size

    def first_time(self, key: str) -> bool:
        if key in self._keys:
            self._keys.move_to_end(key)
            return False
        self._keys[key] = None
        if len(self._keys) > self._size:
            self._keys.popitem(last=False)
        return True

    def forget(self, key: str) -> None:
        self._keys.pop(key, None)


@dataclass
class Answer:
    result: dict           # the suggestions JSON (kefu suggest --json)
    note: str              # the text posted back to the helpdesk
    card: Optional[dict]   # the profile card, if the customer is in the archive
    reminders: list


def lookup(service: Service, who: Customer):
    """(card, reminders, suggest-customer context) for a known customer; (None, [], basic) otherwise."""
    basic = {"name": who.name} if who.name else None
    if not service.has_customers:
        return None, [], basic
    from . import customers_api
    try:
        return customers_api.profile_for(service, who, basic)
    except Exception:  # the archive must never stop the suggestions
        log.warning("customer lookup failed", exc_info=True)
        return None, [], basic


def answer(service: Service, text: str, who: Customer, *, locale: Optional[str] = None,
           agent_locale: Optional[str] = None, markdown: bool = False, limit: int = 3) -> Answer:
    card, reminders, ctx = lookup(service, who)
    req = {"text": text, "limit": limit}
    if locale:
        req["locale"] = locale
    if ctx:
        req["customer"] = ctx
    result = json.loads(service.suggest(req))
    note = compose.note_text(result, locale=agent_locale or result.get("locale"), card=card,
                             reminders=reminders, markdown=markdown)
    return Answer(result=result, note=note, card=card, reminders=reminders)
