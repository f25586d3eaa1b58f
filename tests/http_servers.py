"""Real HTTP servers on 127.0.0.1 (ephemeral ports) with scripted answers, for tests.

    with serve(always(200)) as server:
        ... server.url ..., server.requests

Each server runs in a daemon thread, records every request, and stops itself after
`lifetime` seconds even if a test forgets it (or hangs). A slow answer waits on an event that
stopping sets, so nothing outlives the server by more than a moment.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Answer:
    """One scripted answer: status, body, and a delay before answering."""

    status: int = 200
    body: str = "ok"
    delay: float = 0.0


@dataclass(frozen=True)
class Request:
    """One request the server received."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def always(status: int = 200, body: str | None = None) -> list[Answer]:
    """Every request gets `status` (body "ok" for 200, else "internal error: boom")."""
    return [Answer(status, body if body is not None else
                   ("ok" if status < 400 else "internal error: boom"))]


def fail_then_ok(failures: int = 1) -> list[Answer]:
    """`failures` answers of 500, then 200 for ever."""
    return [Answer(500, "warming up")] * failures + [Answer(200, "ok")]


def slow(delay: float, status: int = 200) -> list[Answer]:
    """Every answer waits `delay` seconds (use more than the client's timeout)."""
    return [Answer(status, "late", delay)]


@dataclass
class Server:
    """A running scripted server; the last answer of the script repeats."""

    script: Sequence[Answer]
    httpd: ThreadingHTTPServer
    stopped: threading.Event = field(default_factory=threading.Event)
    requests: list[Request] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def next_answer(self, request: Request) -> Answer:
        with self.lock:
            self.requests.append(request)
            index = min(len(self.requests), len(self.script)) - 1
            return self.script[index]

    def stop(self) -> None:
        if self.stopped.is_set():
            return
        self.stopped.set()  # releases any slow answer still waiting
        self.httpd.shutdown()
        self.httpd.server_close()


def _handler(server_ref: list[Server]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            server = server_ref[0]
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            answer = server.next_answer(Request(self.command, self.path, dict(self.headers),
                                                body))
            if answer.delay and server.stopped.wait(answer.delay):
                return  # stopping: drop the connection without answering
            data = answer.body.encode()
            try:
                self.send_response(answer.status)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except OSError:
                pass  # the client gave up (timeout): fine

        do_GET = do_POST = do_HEAD = do_PUT = _answer

        def log_message(self, format: str, *args: Any) -> None:
            pass  # keep test output clean

    return Handler


@contextmanager
def serve(script: Sequence[Answer], lifetime: float = 30.0) -> Iterator[Server]:
    """Run a server answering with `script` until the block ends or `lifetime` passes."""
    ref: list[Server] = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(ref))
    httpd.daemon_threads = True
    httpd.block_on_close = False
    server = Server(list(script), httpd)
    ref.append(server)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    watchdog = threading.Timer(lifetime, server.stop)
    watchdog.daemon = True
    watchdog.start()
    try:
        yield server
    finally:
        watchdog.cancel()
        server.stop()
        thread.join(timeout=5)


def closed_port_url() -> str:
    """A URL on 127.0.0.1 where nothing listens (connection refused)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"
