"""Command line: ``python3 -m kefu_serve serve|rt-poll ...`` (``kefu serve`` runs the first).

    kefu serve --port 8787 --token T            # or KEFU_TOKEN=T kefu serve
    python3 -m kefu_serve rt-poll --url http://rt.example/ --user kefu --password ... --once
"""
from __future__ import annotations

import argparse
import logging
import os
import signal
import socket
import sys

EXIT_USAGE = 2


def _env(name: str, default=None):
    value = os.environ.get(name)
    return value if value else default


def _add_engine_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--templates", default=_env("KEFU_TEMPLATES"), help="a shop's own template packs, over the bundled ones")
    p.add_argument("--no-bundled", action="store_true", help="serve only the packs of --templates")
    p.add_argument("--db", default=_env("KEFU_DB"), help="customer database (SQLite), when this kefu has customer notes")
    p.add_argument("-v", "--verbose", action="store_true", help="log requests and debug messages")


def _make_service(args):
    import kefu
    from .core import Service
    kwargs = {"bundled": not args.no_bundled}
    if args.templates:
        kwargs["template_dir"] = args.templates
    engine = None
    if args.db:
        try:  # the customer archive in process, when this kefu's Python package has it
            engine = kefu.Engine(**kwargs, db_path=args.db)
        except TypeError:
            engine = None
    if engine is None:
        engine = kefu.Engine(**kwargs)
    return Service(engine, db=args.db)


def _serve_one(args, sock: socket.socket) -> None:
    from aiohttp import web
    from .app import make_app
    try:
        import uvloop  # Debian's python3-uvloop: a faster event loop when it is there
        uvloop.install()
    except ImportError:
        pass
    chatwoot = {k: v for k, v in {
        "url": args.chatwoot_url, "api_token": args.chatwoot_token, "secret": args.chatwoot_secret,
        "agent_locale": args.agent_locale}.items() if v}
    zendesk = {k: v for k, v in {
        "url": args.zendesk_url, "email": args.zendesk_email, "api_token": args.zendesk_token,
        "oauth_token": args.zendesk_oauth, "secret": args.zendesk_secret,
        "agent_locale": args.agent_locale}.items() if v}
    origins = [o for o in (args.allow_origin or []) + (_env("KEFU_ALLOW_ORIGINS", "") or "").split() if o]
    app = make_app(_make_service(args), args.token, max_body=args.max_body, chatwoot=chatwoot, zendesk=zendesk,
                   allow_origins=origins)
    web.run_app(app, sock=sock, access_log=logging.getLogger("aiohttp.access") if args.verbose else None,
                print=None, handle_signals=True)


def _die_with_parent() -> None:
    """A worker gets SIGTERM when the process that started it dies, however it dies (Linux prctl)."""
    try:
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        PR_SET_PDEATHSIG = 1
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    except (OSError, AttributeError):
        pass


def _listen(host: str, port: int, share: bool) -> socket.socket:
    """A listening socket; with `share`, SO_REUSEPORT so that each worker listens on the port with a
    socket of its own and the kernel spreads new connections evenly between them (one socket shared
    by all workers lets whichever wakes first accept them all: measured, 16 of 16 went to one worker).
    Linux lets only processes of the same user join the port this way."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if share:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    try:
        sock.bind((host, port))
        sock.listen(1024)
    except OSError:
        sock.close()
        raise
    return sock


def cmd_serve(args) -> int:
    if not args.token:
        print("kefu serve: a bearer token is required: --token T or KEFU_TOKEN=T", file=sys.stderr)
        return EXIT_USAGE
    if args.workers < 1:
        print("kefu serve: --workers must be at least 1", file=sys.stderr)
        return EXIT_USAGE
    share = args.workers > 1
    try:
        sock = _listen(args.host, args.port, share)
    except OSError as e:
        print(f"kefu serve: cannot listen on {args.host}:{args.port}: {e.strerror}", file=sys.stderr)
        return 1
    port = sock.getsockname()[1]
    host = f"[{args.host}]" if sock.family == socket.AF_INET6 else args.host
    print(f"kefu serve: http://{host}:{port}/ (OpenAPI at /openapi.json, sidebar at /sidebar/), "
          f"{args.workers} worker(s)", file=sys.stderr, flush=True)
    if share and (args.chatwoot_secret or args.zendesk_secret or args.chatwoot_url or args.zendesk_url):
        logging.getLogger("kefu_serve").warning(
            "each of the %d workers remembers only the webhook deliveries it answered itself: a helpdesk's "
            "retry reaching another worker is answered again (use --workers 1 for webhooks)", args.workers)
    # Until the event loop takes over, SIGTERM ends the parent cleanly (and so its workers).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    children = []
    for _ in range(args.workers - 1):
        pid = os.fork()
        if pid == 0:
            code = 0
            try:
                _die_with_parent()
                sock.close()  # the parent's; this worker listens on its own
                _serve_one(args, _listen(args.host, port, True))
            except BaseException:
                code = 1
            finally:
                os._exit(code)
        children.append(pid)

    def stop_children(*_):
        for pid in children:
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass

    try:
        _serve_one(args, sock)
    finally:
        stop_children()
        for pid in children:
            try:
                os.waitpid(pid, 0)
            except ChildProcessError:
                pass
    return 0


def cmd_rt_poll(args) -> int:
    from . import rt
    client = rt.RTClient(args.url, user=args.user, password=args.password, token=args.rt_token)
    poller = rt.Poller(client, _make_service(args), state_file=args.state, queue=args.queue,
                       agent_locale=args.agent_locale, skip_users=set(args.skip_user or []),
                       from_start=args.from_start)
    if args.once:
        n = poller.poll_once()
        print(f"kefu rt-poll: commented on {n} new message(s)", file=sys.stderr)
        return 0
    poller.run(interval=args.interval)
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="kefu_serve", description="kefu in the agent's own helpdesk")
    sub = parser.add_subparsers(dest="command", required=True)

    s = sub.add_parser("serve", help="the local HTTP service (JSON, OpenAPI, webhooks, sidebar)")
    s.add_argument("--host", default=_env("KEFU_HOST", "127.0.0.1"), help="address to bind (default 127.0.0.1)")
    s.add_argument("--port", type=int, default=int(_env("KEFU_PORT", "8787")), help="port (0: any free port)")
    s.add_argument("--token", default=_env("KEFU_TOKEN"), help="bearer token clients must send (or KEFU_TOKEN)")
    s.add_argument("--workers", type=int, default=int(_env("KEFU_WORKERS", "1")),
                   help="worker processes, each with its own engine, sharing the port (default 1)")
    s.add_argument("--max-body", type=int, default=256 * 1024, help="largest request body in bytes (413 above)")
    s.add_argument("--agent-locale", default=_env("KEFU_AGENT_LOCALE"), help="language of notes posted to helpdesks")
    s.add_argument("--allow-origin", action="append",
                   help="let pages from this origin call the service (CORS), e.g. 'https://*.zdusercontent.com'")
    s.add_argument("--chatwoot-url", default=_env("KEFU_CHATWOOT_URL"))
    s.add_argument("--chatwoot-token", default=_env("KEFU_CHATWOOT_TOKEN"))
    s.add_argument("--chatwoot-secret", default=_env("KEFU_CHATWOOT_SECRET"))
    s.add_argument("--zendesk-url", default=_env("KEFU_ZENDESK_URL"))
    s.add_argument("--zendesk-email", default=_env("KEFU_ZENDESK_EMAIL"))
    s.add_argument("--zendesk-token", default=_env("KEFU_ZENDESK_TOKEN"))
    s.add_argument("--zendesk-oauth", default=_env("KEFU_ZENDESK_OAUTH"))
    s.add_argument("--zendesk-secret", default=_env("KEFU_ZENDESK_SECRET"))
    _add_engine_options(s)
    s.set_defaults(func=cmd_serve)

    r = sub.add_parser("rt-poll", help="Request Tracker 5: comment kefu's suggestions on new customer messages")
    r.add_argument("--url", default=_env("KEFU_RT_URL"), required=not _env("KEFU_RT_URL"), help="RT's base URL")
    r.add_argument("--user", default=_env("KEFU_RT_USER"))
    r.add_argument("--password", default=_env("KEFU_RT_PASSWORD"))
    r.add_argument("--rt-token", default=_env("KEFU_RT_TOKEN"), help="an RT auth token instead of user/password")
    r.add_argument("--queue", default=_env("KEFU_RT_QUEUE"), help="only this queue")
    r.add_argument("--state", default=_env("KEFU_RT_STATE"), help="file remembering the last transaction seen")
    r.add_argument("--interval", type=float, default=10.0, help="seconds between polls")
    r.add_argument("--once", action="store_true", help="poll once and exit")
    r.add_argument("--from-start", action="store_true",
                   help="without a state file, answer every message RT already has (default: only new ones)")
    r.add_argument("--skip-user", action="append", help="never answer this RT user's messages (repeatable)")
    r.add_argument("--agent-locale", default=_env("KEFU_AGENT_LOCALE"))
    _add_engine_options(r)
    r.set_defaults(func=cmd_rt_poll)

    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING,
                        format="kefu_serve: %(levelname)s: %(message)s")
    try:
        return args.func(args)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
