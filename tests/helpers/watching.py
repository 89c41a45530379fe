"""Loopback servers that look at the disclosure log the moment a client connects.

They prove write-ahead from the outside: each connection (HTTP) or message (DNS over UDP
or TCP) arrives with a copy of the log file as it was on disk then, before a byte was read.
"""

import http.server
import socket
import socketserver
import struct
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, List, Optional


def _on_disk(path: Path) -> str:
    return path.read_text() if path.exists() else ""


@dataclass
class Watched:
    """What a watching server saw: the log at each arrival, and what each request held."""

    url: str = ""
    port: int = 0
    #: The log file's text at each connection (HTTP) or message (DNS), in order.
    log_at_arrival: List[str] = field(default_factory=list)
    #: HTTP: (method, path, headers, body); DNS: the message's wire bytes.
    received: List[Any] = field(default_factory=list)


@contextmanager
def http_server(log: Path) -> Iterator[Watched]:
    """An HTTP/1.1 server on 127.0.0.1 answering 200 ``ok`` to everything."""
    state = Watched()

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _handle(self) -> None:
            if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                body = b""
                while True:
                    size = int(self.rfile.readline().split(b";")[0], 16)
                    chunk = self.rfile.read(size + 2)[:size]
                    if not size:
                        break
                    body += chunk
            else:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            state.received.append((self.command, self.path, list(self.headers.items()), body))
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        do_GET = do_POST = do_PUT = _handle

        def log_message(self, *args: Any) -> None:
            pass

    class Server(http.server.ThreadingHTTPServer):
        def server_bind(self) -> None:
            """Bind without http.server's ``getfqdn`` (a reverse lookup of 127.0.0.1 that
            the audit hook records: the test's own, not the library's under test)."""
            socketserver.TCPServer.server_bind(self)
            self.server_name, self.server_port = "127.0.0.1", self.server_address[1]

        def verify_request(self, request: Any, client_address: Any) -> bool:
            state.log_at_arrival.append(_on_disk(log))
            return True

    httpd = Server(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    state.port = httpd.server_address[1]
    state.url = f"http://127.0.0.1:{state.port}"
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()


#: How a DNS server answers a message that came by a transport (``tcp``, ``udp``); ``None``
#: resets the TCP connection (or drops the datagram) instead.
DnsResponder = Callable[[Any, str], Optional[Any]]


def _noerror(query: Any, transport: str) -> Any:
    import dns.message

    return dns.message.make_response(query)


@contextmanager
def dns_server(
    log: Path, keyring: Optional[Any] = None, respond: DnsResponder = _noerror
) -> Iterator[Watched]:
    """A DNS server on 127.0.0.1 (UDP and TCP, one port); by default it answers NOERROR.

    Answers to signed messages are TSIG-signed with *keyring*, as a real server's are.
    """
    import dns.message

    state = Watched()

    def answer(wire: bytes, transport: str) -> Optional[bytes]:
        state.received.append(wire)
        query = dns.message.from_wire(wire, keyring=keyring)
        response = respond(query, transport)
        return None if response is None else response.to_wire()

    class Tcp(socketserver.BaseRequestHandler):
        def handle(self) -> None:
            sock = self.request
            sock.settimeout(5)
            while True:
                head = sock.recv(2)
                if len(head) < 2:
                    return
                size = int.from_bytes(head, "big")
                wire = b""
                while len(wire) < size:
                    chunk = sock.recv(size - len(wire))
                    if not chunk:
                        return
                    wire += chunk
                reply = answer(wire, "tcp")
                if reply is None:  # reset: the client sees ConnectionResetError
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    sock.close()  # now, before socketserver's shutdown() would send a FIN
                    return
                sock.sendall(len(reply).to_bytes(2, "big") + reply)

    class TcpServer(socketserver.ThreadingTCPServer):
        daemon_threads = True
        allow_reuse_address = True

        def verify_request(self, request: Any, client_address: Any) -> bool:
            state.log_at_arrival.append(_on_disk(log))
            return True

    # The kernel's free TCP port may be taken for UDP (another worker's DNS client): then
    # another TCP port, a few times.
    for attempt in range(5):
        tcp = TcpServer(("127.0.0.1", 0), Tcp)
        state.port = tcp.server_address[1]
        udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            udp.bind(("127.0.0.1", state.port))
            break
        except OSError:
            udp.close()
            tcp.server_close()
            if attempt == 4:
                raise
    udp.settimeout(0.2)
    stop = threading.Event()

    def serve_udp() -> None:
        while not stop.is_set():
            try:
                wire, peer = udp.recvfrom(65535)
            except socket.timeout:
                continue
            except OSError:  # closed: the block ended (a thread's error fails a later test)
                return
            state.log_at_arrival.append(_on_disk(log))
            reply = answer(wire, "udp")
            if reply is not None:
                udp.sendto(reply, peer)

    threads = [
        threading.Thread(target=tcp.serve_forever, daemon=True),
        threading.Thread(target=serve_udp, daemon=True),
    ]
    for thread in threads:
        thread.start()
    state.url = f"dns://127.0.0.1:{state.port}"
    try:
        yield state
    finally:
        stop.set()
        tcp.shutdown()
        tcp.server_close()
        threads[1].join(30)  # it sees the stop within 0.2 s; generous on a loaded machine
        udp.close()
