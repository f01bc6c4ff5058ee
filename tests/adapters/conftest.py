"""Shared fixtures for the adapter tests: start `kefu serve` on a free loopback port, talk to it."""
from __future__ import annotations

import json
import os
import pathlib
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

HERE = pathlib.Path(__file__).resolve().parent
SOURCE = pathlib.Path(os.environ.get("KEFU_SOURCE_DIR") or HERE.parent.parent)
KEFU_CLI = os.environ.get("KEFU_CLI")  # the built `kefu`; without it the package is run directly


class Server:
    """A running `kefu serve`; stop() ends it and returns its exit code and stderr."""

    def __init__(self, args, env=None, token="test-token", cli=True):
        self.token = token
        full_env = dict(os.environ)
        if not full_env.get("KEFU_DB"):
            import tempfile
            self._tmp = tempfile.TemporaryDirectory(prefix="kefu-serve-test-")
            full_env["KEFU_DB"] = os.path.join(self._tmp.name, "kefu.db")
        full_env.update(env or {})
        if cli and KEFU_CLI:
            cmd = [KEFU_CLI, "serve", "--port", "0"] + list(args)
        else:
            cmd = [sys.executable, "-m", "kefu_serve", "serve", "--port", "0"] + list(args)
        if token is not None and "--token" not in args:
            cmd += ["--token", token]
        import tempfile
        self._log = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(cmd, env=full_env, stdout=subprocess.DEVNULL, stderr=self._log)
        self.port = None
        deadline = time.time() + 60
        while time.time() < deadline and self.port is None:
            m = re.search(rb"http://127\.0\.0\.1:(\d+)/", self._read_log())
            if m:
                self.port = int(m.group(1))
            elif self.proc.poll() is not None:
                break
            else:
                time.sleep(0.02)
        if self.port is None:
            self.proc.kill()
            raise RuntimeError("kefu serve did not start: " + self._read_log().decode("utf-8", "replace"))
        self.base = f"http://127.0.0.1:{self.port}"
        while time.time() < deadline:  # the engine loads after the socket is bound
            try:
                urllib.request.urlopen(self.base + "/healthz", timeout=20).read()
                return
            except (urllib.error.URLError, OSError):
                if self.proc.poll() is not None:
                    raise RuntimeError("kefu serve exited: " + self._read_log().decode("utf-8", "replace"))
                time.sleep(0.05)
        raise RuntimeError("kefu serve did not answer /healthz")

    def _read_log(self) -> bytes:
        self._log.seek(0)
        return self._log.read()

    def alive(self) -> bool:
        return self.proc.poll() is None

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode, self._read_log().decode("utf-8", "replace")

    def request(self, method, path, body=None, headers=None, token=True, raw=None):
        """(status, parsed JSON or text, headers)."""
        h = {"Content-Type": "application/json"}
        if token is True:
            h["Authorization"] = f"Bearer {self.token}"
        elif isinstance(token, str):
            h["Authorization"] = f"Bearer {token}"
        h.update(headers or {})
        data = raw if raw is not None else (json.dumps(body, ensure_ascii=False).encode("utf-8")
                                            if body is not None else None)
        req = urllib.request.Request(self.base + path, data=data, method=method, headers=h)
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                status, text, rh = r.status, r.read().decode("utf-8"), dict(r.headers)
        except urllib.error.HTTPError as e:
            status, text, rh = e.code, e.read().decode("utf-8"), dict(e.headers)
        try:
            return status, json.loads(text), rh
        except json.JSONDecodeError:
            return status, text, rh

    def post(self, path, body=None, **kw):
        return self.request("POST", path, body, **kw)


@pytest.fixture(scope="module")
def server():
    s = Server([])
    yield s
    s.stop()


def cli_json(*args, stdin=None):
    """Runs the `kefu` command and returns its stdout (for byte-for-byte comparisons)."""
    if not KEFU_CLI:
        pytest.skip("KEFU_CLI is not set (run through ctest)")
    out = subprocess.run([KEFU_CLI, *args], input=stdin, capture_output=True, check=True,
                         env=dict(os.environ, KEFU_DB=os.environ.get("KEFU_DB", "")))
    return out.stdout.decode("utf-8").strip()
