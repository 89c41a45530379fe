"""A real local HTTP server for unit tests: what it received, and how it answers."""

import http.server
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Tuple


@dataclass(frozen=True)
class Reply:
    """What the server answers: status, headers, body."""

    status: int = 200
    headers: Tuple[Tuple[str, str], ...] = ()
    body: bytes = b"ok"


@dataclass(frozen=True)
class Hit:
    """One request as the server received it."""

    method: str
    path: str
    headers: List[Tuple[str, str]]
    body: bytes

    @property
    def user_agent(self) -> str:
        """The User-Agent header received ("" if none)."""
        return next((v for k, v in self.headers if k.lower() == "user-agent"), "")


@dataclass
class LocalServer:
    """A running server: its base URL, what it received, and how it answers."""

    url: str = ""
    hits: List[Hit] = field(default_factory=list)
    routes: Dict[str, Reply] = field(default_factory=dict)
    default: Reply = Reply()
    #: Called with each hit as it arrives, before it is answered (what was true then).
    on_hit: Optional[Callable[[Hit], None]] = None


@contextmanager
def running_server() -> Iterator[LocalServer]:
    """Run a real HTTP/1.1 server on a free loopback port until the block ends."""
    state = LocalServer()

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            hit = Hit(self.command, self.path, list(self.headers.items()), body)
            if state.on_hit is not None:
                state.on_hit(hit)
            state.hits.append(hit)
            reply = state.routes.get(self.path, state.default)
            self.send_response(reply.status)
            for name, value in reply.headers:
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(reply.body)

        do_GET = do_POST = do_HEAD = _handle

        def log_message(self, *args: Any) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()
