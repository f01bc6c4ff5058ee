"""Request Tracker 5 end to end: Debian's request-tracker5 with SQLite and its standalone rt-server on
loopback; a customer writes in by e-mail (rt-mailgate, as a real mail server would deliver it), the
kefu poller runs, and RT's own REST 2.0 API shows the comment with kefu's suggestions on the ticket.

RT is installed by ./setup.sh (Debian packages request-tracker5, rt5-db-sqlite, rt5-standalone,
rt5-clients). The RT instance lives in a temporary directory: its own site config (RT_SITE_CONFIG),
its own SQLite database, and a sendmail stand-in that keeps outgoing mail in a file.
"""
from __future__ import annotations

import base64
import json
import os
import pathlib
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

RT_SETUP = "/usr/sbin/rt-setup-database-5"
RT_SERVER = "/usr/share/request-tracker5/libexec/rt-server"
RT_MAILGATE = "/usr/bin/rt-mailgate-5"
KEFU_USER, KEFU_PASSWORD = "kefu", "kefu-rt-test-password"

if not all(os.path.exists(p) for p in (RT_SETUP, RT_SERVER, RT_MAILGATE)):
    if os.environ.get("CI"):
        raise RuntimeError("Request Tracker 5 is not installed: ./setup.sh installs request-tracker5 for this test")
    pytest.skip("Request Tracker 5 is not installed (./setup.sh installs it)", allow_module_level=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


SITE_CONFIG = """
Set($rtname, 'kefu-test');
Set($Organization, 'kefu.test');
Set($WebDomain, '127.0.0.1');
Set($WebPort, {port});
Set($WebPath, '');
Set($WebBaseURL, 'http://127.0.0.1:{port}');
Set($DatabaseType, 'SQLite');
Set($DatabaseName, '{dir}/rtdb');
Set($LogToSTDERR, 'warning');
Set($LogToSyslog, undef);
Set($LogToFile, undef);
Set($MailCommand, 'sendmailpipe');
Set($SendmailPath, '{dir}/sendmail');
Set($SendmailArguments, '');
Set($CorrespondAddress, 'support@kefu.test');
Set($CommentAddress, 'support-comment@kefu.test');
Set($Timezone, 'UTC');
1;
"""

# Customers may open tickets by mail; the kefu user reads them and comments (staff only see comments).
INITIAL_DATA = """
@Users = (
  {{ Name => '{user}', Password => '{password}', Privileged => 1,
    EmailAddress => 'kefu@kefu.test', RealName => 'kefu assistant' }},
);
@ACL = (
  map( {{ {{ GroupDomain => 'SystemInternal', GroupType => 'Everyone', Queue => 'General', Right => $_ }} }}
       qw(CreateTicket ReplyToTicket) ),
  map( {{ {{ UserId => '{user}', Queue => 'General', Right => $_ }} }}
       qw(SeeQueue ShowTicket ShowTicketComments CommentOnTicket) ),
);
1;
"""

SENDMAIL = """#!/bin/sh
# Outgoing RT mail goes to a file, never to the network.
{ echo "From kefu-test $(date)"; cat; echo; } >> "$(dirname "$0")/outbox.mbox"
"""


class RT:
    def __init__(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="kefu-rt-")
        self.dir = pathlib.Path(self.tmp.name)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        (self.dir / "etc").mkdir()
        (self.dir / "etc" / "d").mkdir()
        (self.dir / "etc" / "RT_SiteConfig.pm").write_text(SITE_CONFIG.format(port=self.port, dir=self.dir))
        (self.dir / "initialdata").write_text(INITIAL_DATA.format(user=KEFU_USER, password=KEFU_PASSWORD))
        (self.dir / "sendmail").write_text(SENDMAIL)
        (self.dir / "sendmail").chmod(0o755)
        self.env = dict(os.environ, RT_SITE_CONFIG=str(self.dir / "etc" / "RT_SiteConfig.pm"),
                        RT_SITE_CONFIG_DIR=str(self.dir / "etc" / "d"))
        t0 = time.time()
        for args in (["--action", "init", "--skip-create"],
                     ["--action", "insert", "--datafile", str(self.dir / "initialdata"), "--skip-create"]):
            out = subprocess.run([RT_SETUP, *args], env=self.env, capture_output=True, timeout=300)
            assert out.returncode == 0, out.stdout.decode() + out.stderr.decode()
        self.setup_seconds = time.time() - t0
        self.log = open(self.dir / "rt-server.log", "wb")
        self.proc = subprocess.Popen([RT_SERVER, "--port", str(self.port)], env=self.env, stdout=self.log,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.time() + 120
        while time.time() < deadline:
            try:
                self.get("/queues/all")
                break
            except (urllib.error.URLError, ConnectionError, OSError):
                assert self.proc.poll() is None, (self.dir / "rt-server.log").read_text()
                time.sleep(0.2)
        else:
            raise RuntimeError("rt-server did not come up")
        self.start_seconds = time.time() - t0

    def request(self, method, path, body=None, user=KEFU_USER, password=KEFU_PASSWORD):
        headers = {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        req = urllib.request.Request(f"{self.url}/REST/2.0{path}", data=data, method=method, headers=headers)
        with urllib.request.urlopen(req, timeout=60) as r:
            return json.loads(r.read().decode("utf-8"))

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def mail(self, sender, subject, text, action="correspond"):
        """A customer's e-mail, delivered the way an MTA hands it to RT."""
        from email.header import Header
        from email.mime.text import MIMEText
        msg = MIMEText(text, "plain", "utf-8")
        msg["From"] = sender
        msg["To"] = "support@kefu.test"
        msg["Subject"] = Header(subject, "utf-8")
        out = subprocess.run([RT_MAILGATE, "--url", self.url + "/", "--queue", "General", "--action", action],
                             input=msg.as_bytes(), capture_output=True, timeout=120, env=self.env)
        assert out.returncode == 0, out.stdout.decode() + out.stderr.decode()

    def history(self, ticket):
        items = self.get(f"/ticket/{ticket}/history?fields=Type,Creator&per_page=100")["items"]
        return items

    def transaction_text(self, txn_id):
        for item in self.get(f"/transaction/{txn_id}/attachments?fields=ContentType")["items"]:
            if (item.get("ContentType") or "").startswith("text/plain"):
                full = self.get(f"/attachment/{item['id']}")  # Content is base64 here (REST2 docs)
                if full.get("Content"):
                    return base64.b64decode(full["Content"]).decode("utf-8")
        return ""

    def stop(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.log.close()
        self.tmp.cleanup()


@pytest.fixture(scope="module")
def rt():
    instance = RT()
    print(f"\nRT: database set up in {instance.setup_seconds:.1f} s, serving after {instance.start_seconds:.1f} s")
    yield instance
    instance.stop()


def run_poller(rt, state, db=""):
    env = dict(os.environ, KEFU_DB=db)
    out = subprocess.run([sys.executable, "-m", "kefu_serve", "rt-poll", "--url", rt.url, "--user", KEFU_USER,
                          "--password", KEFU_PASSWORD, "--state", str(state), "--once"],
                         capture_output=True, timeout=300, env=env)
    assert out.returncode == 0, out.stderr.decode()
    return out.stderr.decode()


def kefu_comments(rt, ticket):
    return [t for t in rt.history(ticket) if t["Type"] == "Comment" and t["Creator"]["id"] == KEFU_USER]


def test_customer_mail_gets_a_comment_with_suggestions(rt, tmp_path):
    import kefu
    state = tmp_path / "rt-state.json"
    # Older correspondence is not answered on the poller's first run: it starts from now.
    rt.mail("Old Customer <old@example.com>", "旧问题", "去年的订单能开发票吗")
    run_poller(rt, state)
    old = rt.get("/tickets?query=" + urllib.parse.quote("Requestor.EmailAddress = 'old@example.com'"))["items"][0]["id"]
    assert not kefu_comments(rt, old)

    customer_text = "我的快递怎么还没到？都一个星期了，到底什么时候能送到"
    rt.mail("Wang Fang <wangfang@example.com>", "快递还没到", customer_text)
    tickets = rt.get("/tickets?query=" + urllib.parse.quote("Requestor.EmailAddress = 'wangfang@example.com'"))
    assert tickets["count"] == 1
    ticket = tickets["items"][0]["id"]
    assert not kefu_comments(rt, ticket)

    t0 = time.time()
    log = run_poller(rt, state)
    print(f"poller: {time.time() - t0:.1f} s; {log.strip()}")

    comments = kefu_comments(rt, ticket)
    assert len(comments) == 1, rt.history(ticket)
    note = rt.transaction_text(comments[0]["id"])
    expected = kefu.Engine().suggest(customer_text, customer={"name": "Wang Fang"})
    assert expected.intent == "shipping"
    assert expected.suggestions[0].template_id in note
    assert expected.suggestions[0].text in note
    assert "建议回复" in note

    # Polling again answers nothing twice.
    run_poller(rt, state)
    assert len(kefu_comments(rt, ticket)) == 1

    # The customer writes again on the same ticket: one more comment, for the new message.
    reply = "能不能帮我退款，我不想要了"
    rt.mail("Wang Fang <wangfang@example.com>", f"[kefu-test #{ticket}] Re: 快递还没到", reply)
    run_poller(rt, state)
    comments = kefu_comments(rt, ticket)
    assert len(comments) == 2
    second = rt.transaction_text(comments[1]["id"])
    assert kefu.Engine().suggest(reply).suggestions[0].template_id in second

    # Staff correspondence is not answered.
    rt.request("POST", f"/ticket/{ticket}/correspond",
               {"Content": "您好，已为您加急处理。", "ContentType": "text/plain"}, user="root", password="password")
    run_poller(rt, state)
    assert len(kefu_comments(rt, ticket)) == 2

    # RT keeps comments from the customer: no mail with the suggestions went to them.
    outbox = (rt.dir / "outbox.mbox").read_text(errors="replace") if (rt.dir / "outbox.mbox").exists() else ""
    for message in outbox.split("\nFrom kefu-test ")[1:] if outbox else []:
        if "wangfang@example.com" in message.split("\n\n", 1)[0]:
            assert expected.suggestions[0].template_id not in message


def test_english_customer_gets_english_labels_and_her_profile(rt, tmp_path):
    # Jane is in kefu's customer archive: the comment carries her profile card.
    import kefu
    db = str(tmp_path / "kefu.db")
    store = kefu.Engine(db_path=db).customers
    store.upsert("Jane Doe", emails="jane@example.com", tags=["quality_seeking", "vip"])
    store.add_note("jane@example.com", "Prefers e-mail; bought the navy jacket in October")
    run_poller(rt, tmp_path / "state.json", db)  # first run: from now on
    rt.mail("Jane Doe <jane@example.com>", "Broken zipper", "The jacket I received has a broken zipper. I want a refund!")
    ticket = rt.get("/tickets?query=" + urllib.parse.quote("Requestor.EmailAddress = 'jane@example.com'"))["items"][0]["id"]
    run_poller(rt, tmp_path / "state.json", db)
    comments = kefu_comments(rt, ticket)
    assert len(comments) == 1
    note = rt.transaction_text(comments[0]["id"])
    assert "Suggested replies" in note
    assert "Customer profile: Jane Doe" in note and "quality-seeking" in note and "VIP" in note
