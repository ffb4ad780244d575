"""Fixtures: a real `switchboard serve --listen 127.0.0.1:0` on a temporary
data dir ($SWITCHBOARD_BIN is the binary; CTest sets it), and a TCP proxy that
can drop or refuse requests (retry tests).

A skipped test fails the run, and so does a run that collected no tests:
every test here must run against the real server."""

import json
import os
import select
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from switchboard_client import Client  # noqa: E402

LISTEN_PREFIX = "switchboard listening on "


def binary():
    path = os.environ.get("SWITCHBOARD_BIN")
    if not path or not os.access(path, os.X_OK):
        raise RuntimeError("set SWITCHBOARD_BIN to the switchboard binary (got %r)" % path)
    return path


class Server:
    """One `switchboard serve` process. start() again after kill()/stop()
    restarts it on the same data dir."""

    def __init__(self, data_dir, token=None, extra=()):
        self.data_dir = data_dir
        self.token = token
        self.extra = list(extra)
        self.proc = None
        self.url = None

    def start(self, timeout=60):
        # Sweeps run when a test asks (POST /v1/admin/expire), never on the
        # real-time timer in the middle of a test.
        config = os.path.join(self.data_dir, "..", "config.json")
        with open(config, "w") as f:
            json.dump({"expiry": {"interval_seconds": 86400}}, f)
        args = [binary(), "serve", "--listen", "127.0.0.1:0", "--data-dir",
                self.data_dir, "--clock", "manual", "--config", config] + self.extra
        if self.token:
            token_file = os.path.join(self.data_dir, "..", "token")
            with open(token_file, "w") as f:
                f.write(self.token)
            args += ["--token-file", token_file]
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        line = b""
        while not line.endswith(b"\n"):
            left = deadline - time.monotonic()
            ready, _, _ = select.select([self.proc.stdout], [], [], max(left, 0))
            if not ready:
                self.kill()
                raise RuntimeError("switchboard did not print its listening line")
            chunk = os.read(self.proc.stdout.fileno(), 1)
            if not chunk:
                raise RuntimeError("switchboard exited: %s" % self.proc.wait())
            line += chunk
        text = line.decode().strip()
        assert text.startswith(LISTEN_PREFIX), text
        self.url = text[len(LISTEN_PREFIX):]
        return self

    @property
    def port(self):
        return int(self.url.rsplit(":", 1)[1])

    def client(self, **kw):
        return Client(self.url, token=self.token, **kw)

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            assert self.proc.wait(timeout=60) == 0


def new_data_dir():
    root = tempfile.mkdtemp(prefix="sb-pytest-")
    path = os.path.join(root, "data")
    os.mkdir(path)
    return path


@pytest.fixture(scope="session")
def server():
    """One server for the tests that only need their own chats."""
    s = Server(new_data_dir()).start()
    yield s
    s.stop()


@pytest.fixture
def fresh_server():
    """A server of its own (empty data dir)."""
    s = Server(new_data_dir()).start()
    yield s
    s.kill()


@pytest.fixture
def client(server):
    return server.client()


@pytest.fixture
def chat():
    """A chat id nobody else uses."""
    return uuid.uuid4().hex[:12]


def source(chat_id, platform="telegram", **kw):
    return dict({"platform": platform, "chat_id": chat_id, "chat_type": "dm",
                 "user_id": "u" + chat_id, "user_name": "Ana"}, **kw)


def advance(client, seconds):
    """Moves the server's manual clock."""
    return client._request("POST", "/v1/admin/clock", {"advance_seconds": seconds})


class Proxy:
    """A loopback HTTP proxy in front of a server (one request per
    connection, like urllib). `on_response(request_bytes) -> bool`: return
    False to drop the reply (the client sees the connection close). When the
    upstream cannot be reached the client connection is closed, as a dead
    server's would be. `fail_with` = list of raw responses served instead of
    forwarding, first ones first."""

    def __init__(self, upstream_port):
        self.upstream_port = upstream_port
        self.on_response = None
        self.fail_with = []
        self.requests = []
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.url = "http://127.0.0.1:%d" % self.sock.getsockname()[1]
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    @staticmethod
    def _read_message(conn, is_request=False):
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(65536)
            if not chunk:
                return data
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        length = None
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value.strip())
        while length is not None and len(body) < length:
            chunk = conn.recv(65536)
            if not chunk:
                break
            body += chunk
        if length is None and not is_request:  # a reply: to the end (close)
            while True:
                chunk = conn.recv(65536)
                if not chunk:
                    break
                body += chunk
        return head + b"\r\n\r\n" + body

    def _serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                self._one(conn)

    def _one(self, conn):
        request = self._read_message(conn, is_request=True)
        self.requests.append(request)
        if self.fail_with:
            conn.sendall(self.fail_with.pop(0))
            return
        try:
            up = socket.create_connection(("127.0.0.1", self.upstream_port), timeout=30)
        except OSError:
            return
        with up:
            up.sendall(request)
            response = self._read_message(up)
        if self.on_response and not self.on_response(request):
            return
        conn.sendall(response)

    def close(self):
        self.sock.close()


def take(stream, n, until=None, seconds=30):
    """The first `n` events of an events() generator (or, with `until`, the
    events read until until(events) holds, at least `n`). A guard against a
    hang, not a timing assertion: a stream that stays silent fails the test
    after `seconds` instead of blocking the run."""
    got = []
    done = threading.Event()

    def read():
        try:
            for event in stream:
                got.append(event)
                if len(got) >= n and (until is None or until(got)):
                    return
        finally:
            done.set()

    threading.Thread(target=read, daemon=True).start()
    assert done.wait(seconds), "the event stream stayed silent; got %r" % got
    return list(got)


class _Hang(Exception):
    pass


@pytest.fixture(autouse=True)
def hang_guard():
    """Fails (instead of blocking the run) a test still running after 300 s."""
    def expire(signum, frame):
        raise _Hang("test still running after 300 s")
    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(300)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


def request_body(raw):
    return json.loads(raw.partition(b"\r\n\r\n")[2].decode())


_skipped = []


def pytest_collection_modifyitems(session, config, items):
    if not items:
        raise pytest.UsageError("no tests collected")


def pytest_runtest_logreport(report):
    if report.skipped:
        _skipped.append(report.nodeid)


def pytest_sessionfinish(session, exitstatus):
    if _skipped and session.exitstatus == 0:
        print("\nskipped tests are failures here: %s" % ", ".join(_skipped))
        session.exitstatus = 1
