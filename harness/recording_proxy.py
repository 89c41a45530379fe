"""A recording proxy in front of Pebble: what the server side really received.

The end-to-end tests assert on what reached the server, not on what the plugin believes it
sent. :class:`RecordingProxy` runs three loopback listeners in threads of the test process:

``acme`` (HTTPS)
    A reverse proxy in front of Pebble. It forwards each request to Pebble unchanged,
    ``Host`` header included, so that the URLs in Pebble's answers point back at the proxy.
    It also plays the ARI part that Debian's Pebble 2.4 lacks: with an ARI window set it adds
    ``renewalInfo`` to the directory and answers ``GET /renewal-info/<id>`` itself.
``ocsp`` (plain HTTP)
    The ``ocspResponderURL`` of Pebble's certificates. It answers every request with the
    DER OCSPResponse "unauthorized" (certbot then treats the status as unknown).
``trap`` (plain HTTP)
    An HTTP proxy for everything that is not loopback: certbot runs with ``HTTPS_PROXY`` and
    ``HTTP_PROXY`` pointing here and ``NO_PROXY=127.0.0.1,localhost``, so any attempt to
    reach the outside world (the EFF, say) arrives here as a ``CONNECT supporters.eff.org:443``
    or an absolute-URI request, is recorded, and is refused with 403. A host registered
    with :meth:`RecordingProxy.add_provider` (a DNS provider's API, ``api.nsone.net``) is
    played instead: the CONNECT is accepted, TLS is served with a certificate for that
    host from the test CA, and each request is recorded (listener ``provider``) and
    answered by the test's :data:`Responder`. A ``CONNECT`` to a host in
    :attr:`RecordingProxy.impersonate` is tunnelled to the ``acme`` listener instead:
    certbot then talks to Pebble under that CA's name (``--server
    https://acme-v02.api.letsencrypt.org/directory``), with TLS verified against the test
    CA, and sees the CA facts this project has about it.

:attr:`RecordingProxy.inject` adds headers to Pebble's answers (a ``Location`` that looks
like a private key, say) for paths that start with a given prefix. The directory can be
rewritten too: :attr:`RecordingProxy.directory_meta` replaces members of its ``meta``
(``termsOfService``, say: to test what a directory announcing other, or hostile, terms
does to the consent notice); and :attr:`RecordingProxy.problems` answers a request path
with an ACME problem document instead of Pebble (a CA's error detail, as hostile as a
test needs).

Every request is recorded exactly as it arrived: the request line, all headers as
``(name, value)`` pairs in their original case and order, and the raw body bytes.
"""

import base64
import contextlib
import datetime
import http.client
import json
import os
import select
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable, Optional

#: A DER OCSPResponse with responseStatus "unauthorized" (6) and no responseBytes.
OCSP_UNAUTHORIZED = bytes.fromhex("30030a0106")

#: Headers that belong to one hop and are not forwarded (RFC 9110 section 7.6.1).
_HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-connection",
        "transfer-encoding",
        "te",
        "trailer",
        "upgrade",
        "proxy-authorization",
        "proxy-authenticate",
    }
)

ARI_PATH = "/renewal-info"


@dataclass
class RecordedRequest:
    """One request as the proxy received it, and the status it was answered with."""

    seq: int
    time: float
    listener: str  #: "acme", "ocsp" or "provider"
    role: str  #: "acme" (forwarded to Pebble); "ari", "ocsp", "problem"; a fake provider's host
    method: str
    path: str
    request_line: str
    headers: list[tuple[str, str]]
    body: bytes
    status: Optional[int] = None
    response_body: bytes = b""

    @property
    def url(self) -> str:
        """The absolute URL requested, from the listener's scheme and the Host received."""
        scheme = "https" if self.listener in ("acme", "provider") else "http"
        host = (self.header_values("Host") or ["?"])[0]
        return f"{scheme}://{host}{self.path}"

    def header_values(self, name: str) -> list[str]:
        """All values of header *name* (case-insensitive), in the order received."""
        return [value for key, value in self.headers if key.lower() == name.lower()]

    @property
    def user_agent(self) -> Optional[str]:
        """The User-Agent received, ``None`` if there was none; more than one is an error."""
        values = self.header_values("User-Agent")
        if len(values) > 1:
            raise AssertionError(f"{len(values)} User-Agent headers in {self.request_line}")
        return values[0] if values else None

    def jws(self) -> Optional[dict[str, Any]]:
        """The decoded ``protected`` header and ``payload`` of a JWS body, else ``None``."""
        try:
            outer = json.loads(self.body)
            protected = json.loads(_b64url(outer["protected"]))
            raw_payload = _b64url(outer["payload"])
        except (ValueError, KeyError, TypeError):
            return None
        payload: Any = json.loads(raw_payload) if raw_payload else ""
        return {"protected": protected, "payload": payload}

    def raw_text(self) -> str:
        """Everything received, as one string: request line, headers and body."""
        lines = [self.request_line] + [f"{key}: {value}" for key, value in self.headers]
        return "\r\n".join(lines) + "\r\n\r\n" + self.body.decode("utf-8", "replace")

    def __str__(self) -> str:
        return f"#{self.seq} {self.listener}/{self.role} {self.request_line} -> {self.status}"


@dataclass(frozen=True)
class OutsideAttempt:
    """A request that tried to leave the loopback world, caught by the trap."""

    time: float
    method: str
    target: str  #: ``host:port`` of a CONNECT, or the absolute URI of a plain request
    headers: list[tuple[str, str]]


@dataclass(frozen=True)
class Mark:
    """Positions in the proxy's records, taken by :meth:`RecordingProxy.mark`."""

    requests: int
    outside: int


#: A fake provider's answer to (method, path, body): status and a JSON-ready body (or an
#: :class:`XmlAnswer`, sent as it is).
Responder = Callable[[str, str, bytes], tuple[int, Any]]


class XmlAnswer(bytes):
    """A fake provider's XML body, sent as it is with ``Content-Type: text/xml``."""


@dataclass
class AccountAlias:
    """Give certbot another account URL than Pebble's (a key-like one, say), and keep
    Pebble answering: ``newAccount``'s ``Location`` becomes *alias*, and each later JWS
    whose ``kid`` is *alias* is signed again with Pebble's URL before it is forwarded,
    with the account key certbot saved under *accounts_dir*. What the proxy records is
    what certbot sent.
    """

    alias: str
    accounts_dir: Path
    real: Optional[str] = None

    def resign(self, body: bytes) -> bytes:
        """*body* with Pebble's account URL as ``kid``, if it names the alias."""
        try:
            outer = json.loads(body)
            protected = json.loads(_b64url(outer["protected"]))
        except (ValueError, KeyError, TypeError):
            return body
        if self.real is None or protected.get("kid") != self.alias:
            return body
        from acme import jws as acme_jws
        from josepy.jwa import JWASignature
        from josepy.jwk import JWK

        (key_file,) = self.accounts_dir.glob("**/private_key.json")
        key = JWK.json_loads(key_file.read_text(encoding="utf-8"))
        signed = acme_jws.JWS.sign(
            _b64url(outer["payload"]),
            key=key,
            alg=JWASignature.from_json(protected["alg"]),
            nonce=_b64url(protected["nonce"]),
            url=protected["url"],
            kid=self.real,
        )
        text: str = signed.json_dumps()
        return text.encode("utf-8")


@dataclass
class AriSettings:
    """How the proxy plays ARI: ``window`` is "past", "future" or None (no ARI at all)."""

    window: Optional[str] = "past"
    retry_after: int = 1


class RecordingProxy:
    """The three recording listeners; see the module docstring. Thread-safe."""

    def __init__(self, server_cert: str, server_key: str, upstream_ca: str) -> None:
        self._lock = threading.Lock()
        self.requests: list[RecordedRequest] = []
        self.connect_attempts: list[OutsideAttempt] = []
        self.ari = AriSettings()
        #: Headers added to Pebble's answers: (path prefix, name, value).
        self.inject: list[tuple[str, str, str]] = []
        #: Another account URL than Pebble's, for certbot (:class:`AccountAlias`).
        self.account_alias: Optional[AccountAlias] = None
        #: Fake DNS provider APIs by host: (TLS context, responder).
        self.providers: dict[str, tuple[ssl.SSLContext, Responder]] = {}
        #: Members that replace those of the directory's ``meta`` (``None`` removes one).
        self.directory_meta: dict[str, Any] = {}
        #: Host names whose ``CONNECT`` is tunnelled to the acme listener, each with the
        #: path its directory is served at (forwarded to Pebble's ``/dir``).
        self.impersonate: dict[str, str] = {}
        #: ACME problem documents to answer instead of Pebble, by request path (status 400).
        self.problems: dict[str, dict[str, Any]] = {}
        #: The ``CONNECT`` requests tunnelled (not outside attempts).
        self.tunnelled: list[OutsideAttempt] = []
        self.upstream: Optional[tuple[str, int]] = None
        self.upstream_context = ssl.create_default_context(cafile=upstream_ca)
        server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        server_context.load_cert_chain(server_cert, server_key)
        self._servers = [
            _Server("acme", self, _AcmeHandler, server_context),
            _Server("ocsp", self, _OcspHandler, None),
            _Server("trap", self, _TrapHandler, None),
        ]
        self.acme_port, self.ocsp_port, self.trap_port = (s.port for s in self._servers)
        self._threads: list[threading.Thread] = []

    # --- addresses ---------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        return f"https://127.0.0.1:{self.acme_port}"

    @property
    def directory_url(self) -> str:
        """The ACME directory, as certbot's ``--server``."""
        return f"{self.base_url}/dir"

    @property
    def ocsp_url(self) -> str:
        return f"http://127.0.0.1:{self.ocsp_port}/ocsp"

    @property
    def trap_url(self) -> str:
        return f"http://127.0.0.1:{self.trap_port}"

    def add_provider(self, host: str, cert: str, key: str, responder: Responder) -> None:
        """Play the HTTPS API at *host* (reached through the trap) with *responder*."""
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        self.providers[host] = (context, responder)

    # --- life cycle ------------------------------------------------------------------------
    def start(self, upstream: tuple[str, int]) -> None:
        """Start serving; ACME requests are forwarded over HTTPS to *upstream*."""
        self.upstream = upstream
        for server in self._servers:
            thread = threading.Thread(
                target=server.serve_forever, name=f"proxy-{server.name}", daemon=True
            )
            thread.start()
            self._threads.append(thread)

    def close(self) -> None:
        for server in self._servers:
            if self._threads:
                server.shutdown()
            server.server_close()
        for thread in self._threads:
            thread.join(timeout=5)
        self._threads.clear()

    # --- records ---------------------------------------------------------------------------
    def mark(self) -> Mark:
        """A position in the records, to read what came after it with :meth:`since`."""
        with self._lock:
            return Mark(len(self.requests), len(self.connect_attempts))

    def since(self, mark: Mark) -> list[RecordedRequest]:
        """The requests received after *mark*, in arrival order."""
        with self._lock:
            return list(self.requests[mark.requests :])

    def outside_since(self, mark: Mark) -> list[OutsideAttempt]:
        """The attempts to reach beyond loopback after *mark*."""
        with self._lock:
            return list(self.connect_attempts[mark.outside :])

    def _record(
        self, handler: BaseHTTPRequestHandler, listener: str, role: str, body: bytes
    ) -> RecordedRequest:
        with self._lock:
            record = RecordedRequest(
                seq=len(self.requests),
                time=time.time(),
                listener=listener,
                role=role,
                method=handler.command,
                path=handler.path,
                request_line=handler.requestline,
                headers=list(handler.headers.items()),
                body=body,
            )
            self.requests.append(record)
            return record

    def _record_outside(self, handler: BaseHTTPRequestHandler) -> None:
        with self._lock:
            self.connect_attempts.append(
                OutsideAttempt(
                    time=time.time(),
                    method=handler.command,
                    target=handler.path,
                    headers=list(handler.headers.items()),
                )
            )

    def _record_tunnel(self, handler: BaseHTTPRequestHandler) -> None:
        with self._lock:
            self.tunnelled.append(
                OutsideAttempt(
                    time=time.time(),
                    method=handler.command,
                    target=handler.path,
                    headers=list(handler.headers.items()),
                )
            )

    # --- the directory -------------------------------------------------------------------
    def rewrite_directory(self, answer: bytes, host: str) -> bytes:
        """Pebble's directory, with ARI added and ``meta`` members replaced as configured."""
        if self.ari.window is None and not self.directory_meta:
            return answer
        directory = json.loads(answer)
        if self.ari.window is not None:
            directory["renewalInfo"] = f"https://{host}{ARI_PATH}"
        if self.directory_meta:
            meta = dict(directory.get("meta") or {})
            for name, value in self.directory_meta.items():
                if value is None:
                    meta.pop(name, None)
                else:
                    meta[name] = value
            directory["meta"] = meta
        return json.dumps(directory, indent=2).encode()

    # --- ARI ---------------------------------------------------------------------------
    def renewal_info(self) -> bytes:
        """The body of a renewal-info answer for the configured window."""
        now = datetime.datetime.now(datetime.timezone.utc)
        if self.ari.window == "past":
            start, end = now - datetime.timedelta(days=2), now - datetime.timedelta(days=1)
        else:
            start, end = now + datetime.timedelta(days=365), now + datetime.timedelta(days=366)
        window = {"start": _rfc3339(start), "end": _rfc3339(end)}
        return json.dumps({"suggestedWindow": window}).encode()


class _Server(ThreadingHTTPServer):
    """A loopback HTTP(S) server on a free port; TLS handshakes happen in handler threads."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(
        self, name: str, proxy: RecordingProxy, handler: type, tls: Optional[ssl.SSLContext]
    ) -> None:
        super().__init__(("127.0.0.1", 0), handler)
        self.name = name
        self.proxy = proxy
        self.tls = tls
        self.port: int = self.server_address[1]

    def finish_request(self, request: Any, client_address: Any) -> None:
        if self.tls is None:
            super().finish_request(request, client_address)
            return
        # wrap_socket detaches *request*, so the TLS socket is ours to shut and close.
        request.settimeout(30)
        try:
            tls_socket = self.tls.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError):
            request.close()
            return
        try:
            super().finish_request(tls_socket, client_address)
        finally:
            with contextlib.suppress(OSError):
                tls_socket.shutdown(socket.SHUT_RDWR)
            tls_socket.close()

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Stay quiet about clients that hang up; the test sees their requests or not."""


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        """No access log on stderr: the records are the log."""

    def read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks: list[bytes] = []
            while True:
                size = int(self.rfile.readline().split(b";")[0], 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def answer(
        self,
        record: Optional[RecordedRequest],
        status: int,
        headers: list[tuple[str, str]],
        body: bytes,
    ) -> None:
        if record is not None:
            record.status = status
            record.response_body = body
        self.send_response(status)
        for key, value in headers:
            if key.lower() not in _HOP_BY_HOP and key.lower() != "content-length":
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


class _AnyVerbHandler(_Handler):
    """One method for every verb: the request line, headers and body, then :meth:`respond`."""

    def handle_one_request(self) -> None:
        self.raw_requestline = self.rfile.readline(65537)
        if not self.raw_requestline:
            self.close_connection = True
            return
        if not self.parse_request():
            return
        self.respond(self.read_body())
        self.wfile.flush()

    def respond(self, body: bytes) -> None:
        raise NotImplementedError


class _AcmeHandler(_AnyVerbHandler):
    def respond(self, body: bytes) -> None:
        proxy = self.server.proxy
        path = self.path.split("?", 1)[0]
        if proxy.ari.window is not None and path.startswith(ARI_PATH + "/"):
            record = proxy._record(self, "acme", "ari", body)
            self.answer(
                record,
                200,
                [("Content-Type", "application/json"), ("Retry-After", str(proxy.ari.retry_after))],
                proxy.renewal_info(),
            )
        elif path in proxy.problems:
            record = proxy._record(self, "acme", "problem", body)
            self.answer(
                record,
                400,
                [("Content-Type", "application/problem+json")],
                json.dumps(proxy.problems[path]).encode(),
            )
        else:
            record = proxy._record(self, "acme", "acme", body)
            host = (self.headers.get("Host") or "").rsplit(":", 1)[0]
            directory_path = proxy.impersonate.get(host, "/dir")
            is_directory = path == directory_path
            alias = proxy.account_alias
            if alias is not None:
                body = alias.resign(body)
            status, headers, answer = self.forward(body, "/dir" if is_directory else None)
            if alias is not None and path == "/sign-me-up" and status in (200, 201):
                alias.real = dict((k.lower(), v) for k, v in headers).get("location")
                headers = [(k, v) for k, v in headers if k.lower() != "location"]
                headers.append(("Location", alias.alias))
            for prefix, name, value in list(proxy.inject):
                if path.startswith(prefix):
                    headers = [(k, v) for k, v in headers if k.lower() != name.lower()]
                    headers.append((name, value))
            if is_directory and status == 200:
                answer = proxy.rewrite_directory(answer, self.headers["Host"])
            self.answer(record, status, headers, answer)

    def forward(
        self, body: bytes, path: Optional[str] = None
    ) -> tuple[int, list[tuple[str, str]], bytes]:
        proxy = self.server.proxy
        assert proxy.upstream is not None
        connection = http.client.HTTPSConnection(
            *proxy.upstream, timeout=60, context=proxy.upstream_context
        )
        try:
            connection.putrequest(
                self.command, path or self.path, skip_host=True, skip_accept_encoding=True
            )
            for key, value in self.headers.items():
                if key.lower() not in _HOP_BY_HOP and key.lower() != "content-length":
                    connection.putheader(key, value)
            if body or self.command in ("POST", "PUT"):
                connection.putheader("Content-Length", str(len(body)))
            connection.endheaders(body or None)
            response = connection.getresponse()
            return response.status, response.getheaders(), response.read()
        except OSError as error:
            return 502, [("Content-Type", "text/plain")], f"upstream: {error}".encode()
        finally:
            connection.close()


class _OcspHandler(_Handler):
    def do_POST(self) -> None:
        record = self.server.proxy._record(self, "ocsp", "ocsp", self.read_body())
        self.answer(record, 200, [("Content-Type", "application/ocsp-response")], OCSP_UNAUTHORIZED)

    do_GET = do_POST


class _ProviderHandler(_AnyVerbHandler):
    """Serves one fake provider's requests on a TLS connection the trap accepted."""

    def __init__(self, request: Any, client_address: Any, server: Any, host: str) -> None:
        self.host = host
        super().__init__(request, client_address, server)

    def respond(self, body: bytes) -> None:
        proxy = self.server.proxy
        record = proxy._record(self, "provider", self.host, body)
        status, answer = proxy.providers[self.host][1](self.command, self.path, body)
        if isinstance(answer, XmlAnswer):  # an XML API (Route 53)
            self.answer(record, status, [("Content-Type", "text/xml")], bytes(answer))
            return
        data = b"" if answer is None else json.dumps(answer).encode()
        self.answer(record, status, [("Content-Type", "application/json")], data)


class _TrapHandler(_Handler):
    def do_CONNECT(self) -> None:
        proxy = self.server.proxy
        host, _, port = self.path.rpartition(":")
        if host in proxy.impersonate and port == "443":
            self._tunnel_to_acme()
            return
        provider = proxy.providers.get(host)
        if provider is None:
            self.refuse()
            return
        self.send_response(200, "Connection established")
        self.end_headers()
        self.wfile.flush()
        self.close_connection = True
        try:
            tls = provider[0].wrap_socket(self.connection, server_side=True)
        except (ssl.SSLError, OSError):
            return
        try:
            _ProviderHandler(tls, self.client_address, self.server, host)
        except OSError:
            pass
        finally:
            with contextlib.suppress(OSError):
                tls.close()

    def _tunnel_to_acme(self) -> None:
        """A CA the proxy stands in for: splice the connection to the acme listener."""
        proxy = self.server.proxy
        proxy._record_tunnel(self)
        self.close_connection = True
        upstream = socket.create_connection(("127.0.0.1", proxy.acme_port), timeout=60)
        try:
            self.send_response(200, "Connection established")
            self.end_headers()
            self.wfile.flush()
            _splice(self.connection, upstream)
        finally:
            upstream.close()

    def refuse(self) -> None:
        self.server.proxy._record_outside(self)
        self.close_connection = True
        self.answer(
            None,
            403,
            [("Content-Type", "text/plain")],
            b"certbot-privacy e2e: no traffic beyond loopback\n",
        )

    do_GET = do_POST = do_HEAD = do_PUT = do_DELETE = refuse


def _splice(client: socket.socket, upstream: socket.socket) -> None:
    """Copy bytes both ways until either side closes (a tunnel; TLS passes through)."""
    peers = {client: upstream, upstream: client}
    while True:
        ready, _, _ = select.select(list(peers), [], [], 60)
        if not ready:
            return
        for sock in ready:
            try:
                data = sock.recv(65536)
            except OSError:
                return
            if not data:
                return
            peers[sock].sendall(data)


def _b64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _rfc3339(moment: datetime.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def listens(pid: int, port: int) -> bool:
    """Whether process *pid* itself listens on 127.0.0.1:*port* (TCP), read from /proc.

    For a server started on a :func:`free_port`: whoever answers on the port may be another
    process that took it meanwhile (another pytest-xdist worker's server).
    """
    mine = set()
    try:
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            with contextlib.suppress(OSError):
                mine.add(os.readlink(fd))
    except OSError:  # it has exited
        return False
    wanted = f"0100007F:{port:04X}"  # 127.0.0.1:port as /proc/net/tcp writes it
    for line in Path("/proc/net/tcp").read_text(encoding="ascii").splitlines()[1:]:
        fields = line.split()
        if fields[1] == wanted and fields[3] == "0A" and f"socket:[{fields[9]}]" in mine:
            return True  # 0A: LISTEN
    return False
