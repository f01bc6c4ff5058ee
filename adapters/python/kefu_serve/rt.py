"""Request Tracker 5: a poller that comments kefu's suggestions on new customer correspondence.

It reads RT through REST 2.0 (RT::REST2, core since RT 5.0; Debian's ``request-tracker5`` ships its
documentation in ``RT/REST2.pm``, also at https://docs.bestpractical.com/rt/5.0.3/RT/REST2.html):

- ``GET /REST/2.0/transactions?query=<TransactionSQL>`` — new ``Create`` and ``Correspond``
  transactions on tickets since the last one seen (``id > N``);
- ``GET /REST/2.0/transaction/:id/attachments`` and ``GET /REST/2.0/attachment/:id`` — the
  message text (``Content`` is base64);
- ``GET /REST/2.0/user/:id`` — who wrote it (``Privileged`` staff are skipped: only customers get
  suggestions) and their e-mail, to find them in kefu's archive;
- ``POST /REST/2.0/ticket/:id/comment`` with ``{"Subject", "Content", "ContentType": "text/plain"}``
  — the comment with the suggestions, which RT shows to staff only.

Authentication: HTTP Basic with an RT user, or ``Authorization: token ...`` (RT::Authen::Token). The
RT user needs SeeQueue, ShowTicket, ShowTicketComments and CommentOnTicket on the queues it watches.
The last transaction id seen is kept in ``state_file`` so a restart neither repeats nor skips.
"""
from __future__ import annotations

import base64
import json
import logging
import os
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Optional

from .core import Service
from .helpdesk import Customer, answer

log = logging.getLogger("kefu_serve")

SUBJECT = "kefu"


class RTError(RuntimeError):
    pass


class RTClient:
    def __init__(self, url: str, *, user: Optional[str] = None, password: Optional[str] = None,
                 token: Optional[str] = None, timeout: float = 30.0):
        self.base = url.rstrip("/") + "/REST/2.0"
        self.timeout = timeout
        if token:
            self.auth = f"token {token}"
        elif user:
            self.auth = "Basic " + base64.b64encode(f"{user}:{password or ''}".encode("utf-8")).decode("ascii")
        else:
            raise ValueError("RT needs --user/--password or --rt-token")

    def request(self, method: str, path: str, body=None, query: Optional[dict] = None):
        url = self.base + path
        if query:
            url += "?" + urllib.parse.urlencode(query)
        data = None
        headers = {"Authorization": self.auth, "Accept": "application/json"}
        if body is not None:
            data = json.dumps(body, ensure_ascii=False).encode("utf-8")
            headers["Content-Type"] = "application/json; charset=utf-8"
        req = urllib.request.Request(url, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                raw = resp.read()
        except urllib.error.HTTPError as e:
            raise RTError(f"RT answered {e.code} to {method} {path}: {e.read()[:300]!r}") from None
        except urllib.error.URLError as e:
            raise RTError(f"cannot reach RT at {self.base}: {e.reason}") from None
        return json.loads(raw.decode("utf-8")) if raw else None

    def get(self, path: str, **query):
        return self.request("GET", path, query=query or None)

    def last_transaction_id(self, pages: int = 10) -> int:
        """The newest customer-message transaction this user can see (REST2 drops the ones it may not
        see after paging, so a page can come back short or empty)."""
        query = "ObjectType = 'RT::Ticket' AND (Type = 'Create' OR Type = 'Correspond')"
        for page in range(1, pages + 1):
            res = self.get("/transactions", query=query, orderby="id", order="DESC", per_page=100, page=page)
            items = res.get("items") or []
            if items:
                return max(int(i["id"]) for i in items)
            if page >= int(float(res.get("pages") or 1)):
                break
        return 0

    def search_transactions(self, after_id: int, per_page: int = 100) -> list:
        """Create and Correspond transactions on tickets with id > after_id, oldest first."""
        query = (f"ObjectType = 'RT::Ticket' AND id > {int(after_id)} AND "
                 "(Type = 'Create' OR Type = 'Correspond')")
        out, page = [], 1
        while True:
            res = self.get("/transactions", query=query, orderby="id", order="ASC", per_page=per_page,
                           page=page, fields="Type,Creator,ObjectId,ObjectType")
            items = res.get("items") or []
            out += items
            if page >= int(float(res.get("pages") or 1)) or not items:
                return out
            page += 1

    def message_text(self, transaction_id) -> str:
        """The text/plain body of a transaction (the first non-empty text part)."""
        res = self.get(f"/transaction/{transaction_id}/attachments", fields="ContentType", per_page=50)
        for item in res.get("items") or []:
            if not (item.get("ContentType") or "").lower().startswith("text/plain"):
                continue
            full = self.get(f"/attachment/{item['id']}")  # "Content" is base64 (GET /attachment/:id)
            content = full.get("Content")
            if content:
                text = base64.b64decode(content).decode("utf-8", "replace").strip()
                if text:
                    return text
        return ""

    def user(self, user_id) -> dict:
        return self.get(f"/user/{urllib.parse.quote(str(user_id), safe='')}")

    def ticket(self, ticket_id) -> dict:
        return self.get(f"/ticket/{ticket_id}")

    def comment(self, ticket_id, content: str, subject: str = SUBJECT) -> list:
        return self.request("POST", f"/ticket/{ticket_id}/comment",
                            {"Subject": subject, "Content": content, "ContentType": "text/plain"})


class Poller:
    """Polls RT for new customer messages and comments kefu's suggestions on their tickets."""

    def __init__(self, client: RTClient, service: Service, *, state_file: Optional[str] = None,
                 queue: Optional[str] = None, agent_locale: Optional[str] = None, skip_users: set = frozenset(),
                 from_start: bool = False):
        self.client = client
        self.service = service
        self.state_file = state_file
        self.queue = queue
        self.agent_locale = agent_locale
        self.skip_users = set(skip_users)
        self._users: dict = {}
        self.last_id = self._load_state(from_start)

    def _load_state(self, from_start: bool) -> int:
        """Where the last run stopped; on a first run, now (an RT with years of tickets gets no flood
        of comments on old messages) unless from_start."""
        if self.state_file and os.path.exists(self.state_file):
            with open(self.state_file, encoding="utf-8") as f:
                return int(json.load(f).get("last_transaction", 0))
        if from_start:
            return 0
        self.last_id = self.client.last_transaction_id()
        log.info("first run: answering messages after RT transaction %s", self.last_id)
        self._save_state()
        return self.last_id

    def _save_state(self) -> None:
        if not self.state_file:
            return
        tmp = self.state_file + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump({"last_transaction": self.last_id}, f)
        os.replace(tmp, self.state_file)

    def _user(self, ref) -> dict:
        uid = ref.get("id") if isinstance(ref, dict) else ref
        if uid not in self._users:
            self._users[uid] = self.client.user(uid)
        return self._users[uid]

    def handle(self, txn: dict) -> bool:
        """Comment on the ticket of one transaction; False if it is not a customer's message."""
        user = self._user(txn.get("Creator"))
        name = user.get("Name") or ""
        if user.get("Privileged") in (1, "1", True) or name in self.skip_users or name == "RT_System":
            return False
        ticket_id = txn.get("ObjectId")
        if self.queue:
            queue = (self.client.ticket(ticket_id).get("Queue") or {}).get("id")
            if str(queue) != self.queue and (self.client.get(f"/queue/{queue}").get("Name") != self.queue):
                return False
        text = self.client.message_text(txn["id"])
        if not text:
            return False
        email = user.get("EmailAddress") or ""
        who = Customer(external_ids=[f"rt:{name}"],
                       name=user.get("RealName") or "", email=email)
        ans = answer(self.service, text, who, agent_locale=self.agent_locale)
        self.client.comment(ticket_id, ans.note)
        log.info("commented on RT ticket %s (transaction %s)", ticket_id, txn["id"])
        return True

    def poll_once(self) -> int:
        done = 0
        for txn in self.client.search_transactions(self.last_id):
            try:
                if self.handle(txn):
                    done += 1
            except Exception:
                log.warning("transaction %s could not be answered", txn.get("id"), exc_info=True)
            self.last_id = max(self.last_id, int(txn["id"]))
            self._save_state()
        return done

    def run(self, interval: float = 10.0) -> None:
        while True:
            try:
                self.poll_once()
            except RTError as e:
                log.warning("%s", e)
            time.sleep(interval)
