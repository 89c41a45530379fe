"""httpx, urllib3, http.client and DNS UPDATE in privacy mode: each request recorded first.

Real libraries against loopback servers that copy the log file the moment a connection
or message arrives (:mod:`tests.helpers.watching`): each request's record is on disk
before the first byte reaches the server, the server gets the privacy-mode User-Agent,
and a request that passes through several of these layers is recorded once.
"""

import base64
import json
import os
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from certbot_privacy._internal.adapter import mode, stacks, wire
from certbot_privacy._internal.adapter.recorder import DisclosureRecorder
from certbot_privacy._internal.adapter.state import RUN
from certbot_privacy._internal.log.writer import DisclosureLog
from tests.helpers import watching

UA = "CertbotACMEClient/5.8.0 python-requests/2.32.3"


@pytest.fixture
def log(tmp_path: Path) -> Iterator[Path]:
    """Privacy mode on (as switch_on makes it) with its log at the returned path."""
    path = tmp_path / "disclosure.jsonl"
    recorder = DisclosureRecorder(DisclosureLog(str(path)))
    policy = wire.WirePolicy(user_agent=UA, observer=mode._FailClosed(recorder))
    with RUN.scoped():
        RUN.activate(policy, recorder=recorder)
        stacks.install()
        yield path
    stacks.uninstall()


def _records(path: Path) -> list[dict[str, Any]]:
    """The log's records, each valid against the shipped JSON Schema."""
    from tests.helpers.logs import VALIDATOR

    found = [json.loads(line) for line in path.read_text().splitlines()]
    for record in found:
        VALIDATOR.validate(record)
    return found


def _requests(path: Path) -> list[dict[str, Any]]:
    return [r for r in _records(path) if r["event"] == "request"]


def _agent(headers: list[tuple[str, str]]) -> list[str]:
    return [v for k, v in headers if k.lower() == "user-agent"]


def _assert_written_ahead(server: watching.Watched, path: Path, stack: str) -> None:
    (at_arrival,) = server.log_at_arrival
    arrived = [json.loads(line) for line in at_arrival.splitlines()]
    # The audit hook's connection record follows the request record (seen at request level).
    (record,) = [r for r in arrived if r["event"] != "connection"]
    assert {r["seen"] for r in arrived if r["event"] == "connection"} <= {"request"}
    assert record["event"] == "request" and record["stack"] == stack
    (method, target, headers, _) = server.received[0]
    assert record["method"] == method
    assert record["url"].split("?")[0] == server.url + target.split("?")[0]
    assert _agent(headers) == [UA]
    assert record["headers"]["User-Agent"] == UA
    answer = _records(path)[-1]
    assert (answer["event"], answer["request"], answer["status"]) == ("response", 0, 200)


def test_urllib3_request_is_recorded_before_it_connects(log: Path) -> None:
    """urllib3 used directly (botocore): recorded, then sent with the minimal User-Agent."""
    import urllib3

    with watching.http_server(log) as server, urllib3.PoolManager() as pool:
        pool.request(
            "POST",
            server.url + "/zones",
            body=b"<x/>",
            headers={"User-Agent": "Boto3/1 os/linux md/arch#x86_64"},
        )
    _assert_written_ahead(server, log, "urllib3")
    assert _requests(log)[0]["body_bytes"] == 4


def test_httpx_request_is_recorded_before_it_connects(log: Path) -> None:
    """httpx (certbot-dns-cloudflare): recorded, then sent with the minimal User-Agent."""
    import httpx

    with watching.http_server(log) as server, httpx.Client() as client:
        client.get(
            server.url + "/client/v4/zones?name=example.com",
            headers={"Authorization": "Bearer CFt0k3n-abcdef"},
        )
    _assert_written_ahead(server, log, "httpx")
    assert "CFt0k3n-abcdef" not in log.read_text()


#: What the cloudflare library (on httpx) adds to every request: the host's platform.
HOST_DETAILS = {
    "X-Stainless-OS": "Linux",
    "X-Stainless-Arch": "x64",
    "X-Stainless-Runtime": "CPython",
    "X-Stainless-Runtime-Version": "3.11.7",
}


@pytest.mark.parametrize("stack", ["httpx", "urllib3", "http.client", "requests"])
def test_headers_that_describe_the_host_are_not_sent(log: Path, stack: str) -> None:
    """Privacy mode sends nothing about the host but the minimal User-Agent, on any stack."""
    headers = {"X-Stainless-Lang": "python", **HOST_DETAILS}
    with watching.http_server(log) as server:
        url = server.url + "/client/v4/zones"
        if stack == "httpx":
            import httpx

            httpx.get(url, headers=headers)
        elif stack == "urllib3":
            import urllib3

            with urllib3.PoolManager() as pool:
                pool.request("GET", url, headers=headers)
        elif stack == "http.client":
            import http.client
            from urllib.parse import urlsplit

            parts = urlsplit(url)
            connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=10)
            connection.request("GET", parts.path, headers=headers)
            connection.getresponse().read()
            connection.close()
        else:
            import requests

            requests.get(url, headers=headers, timeout=10)
    (_, _, received, _) = server.received[0]
    names = {name.lower() for name, _ in received}
    assert not names & {name.lower() for name in HOST_DETAILS}, received
    assert "x-stainless-lang" in names  # the client software's own name may stay
    (record,) = _requests(log)
    assert not set(record["headers"]) & set(HOST_DETAILS)


def test_httpx_streamed_body_is_read_first_and_sent_as_recorded(log: Path) -> None:
    """An iterator body is read into bytes before the record; the server gets those bytes."""
    import httpx

    with watching.http_server(log) as server, httpx.Client() as client:
        client.post(server.url + "/p", content=iter([b'{"a":', b" 1}"]))
    (record,) = _requests(log)
    assert server.received[0][3] == b'{"a": 1}'
    assert record["body_bytes"] == len(b'{"a": 1}')


def test_http_client_request_is_recorded_before_it_connects(log: Path) -> None:
    """http.client (httplib2, urllib): recorded, then sent with the minimal User-Agent."""
    import http.client

    with watching.http_server(log) as server:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        conn.request("GET", "/dns/v1/projects/p", headers={"user-agent": "Python-httplib2/0.20"})
        conn.getresponse().read()
        conn.close()
    _assert_written_ahead(server, log, "http.client")


def test_urllib_request_is_recorded_once(log: Path) -> None:
    """urllib.request sits on http.client: one record, its own User-Agent replaced."""
    with watching.http_server(log) as server:
        urllib.request.urlopen(server.url + "/token", data=b"grant=x", timeout=30).read()
    _assert_written_ahead(server, log, "http.client")


def test_requests_over_urllib3_is_recorded_once_as_requests(log: Path) -> None:
    """requests sits on urllib3: the outer layer records, the inner ones pass through."""
    import requests

    with watching.http_server(log) as server:
        requests.get(server.url + "/x", timeout=30)
    _assert_written_ahead(server, log, "requests")


def test_unwritable_log_means_nothing_is_sent(log: Path) -> None:
    """If the record cannot be written, the library's request is not sent: no connection."""
    import httpx
    import urllib3
    from certbot import errors

    log.mkdir()  # a directory: the log cannot be written
    with watching.http_server(log / "x") as server:
        with pytest.raises(errors.Error, match="Nothing was sent"):
            urllib3.PoolManager().request("GET", server.url + "/a")
        with pytest.raises(errors.Error, match="Nothing was sent"):
            httpx.get(server.url + "/b")
    assert server.log_at_arrival == [] and server.received == []


def test_mode_off_leaves_the_libraries_alone(log: Path) -> None:
    """With privacy mode off the libraries send their own User-Agent, and nothing is recorded."""
    import httpx

    RUN.deactivate()
    with watching.http_server(log) as server:
        httpx.get(server.url + "/c")
    assert _agent(server.received[0][2]) == [f"python-httpx/{httpx.__version__}"]
    assert not log.exists()


# --- DNS UPDATE --------------------------------------------------------------------------

SECRET = base64.b64encode(os.urandom(32)).decode()
VALUE = "kX3Ymz0Jc2bgPexFwE1JxUu2ROdVPCJzAgTA9jWkfhw"


def _update(keyring: Any) -> Any:
    import dns.tsig
    import dns.update

    update = dns.update.UpdateMessage(
        "example.com", keyring=keyring, keyalgorithm=dns.tsig.HMAC_SHA512
    )
    update.add("_acme-challenge.www.example.com.", 10, "TXT", VALUE)
    return update


@pytest.mark.parametrize("transport", ["tcp", "udp"])
def test_dns_update_is_recorded_before_it_is_sent_without_tsig_secret_or_mac(
    log: Path, transport: str
) -> None:
    """Each message to the DNS server is a request record; the TSIG secret and MAC never."""
    import dns.query
    import dns.tsigkeyring

    keyring = dns.tsigkeyring.from_text({"certbot-key.": ("hmac-sha512", SECRET)})
    update = _update(keyring)
    with watching.dns_server(log, keyring) as server:
        getattr(dns.query, transport)(update, "127.0.0.1", 5, server.port)
    (at_arrival,) = server.log_at_arrival
    arrived = [json.loads(line) for line in at_arrival.splitlines()]
    # The audit hook's connection record follows the request record (seen at request level).
    (record,) = [r for r in arrived if r["event"] != "connection"]
    assert {r["seen"] for r in arrived if r["event"] == "connection"} <= {"request"}
    assert record["event"] == "request"
    assert record["method"] == "UPDATE" and record["transport"] == transport
    assert record["recipient"] == f"DNS server 127.0.0.1:{server.port}"
    assert record["url"] == f"dns://127.0.0.1:{server.port}/example.com"
    assert record["dns"] == {
        "zone": "example.com",
        "name": "_acme-challenge.www.example.com",
        "type": "TXT",
        "ttl": 10,
    }
    assert record["personal_data"]["dns_challenge"] == [VALUE]
    assert "www.example.com" in record["personal_data"]["domain"]
    assert record["tsig_key_name"] == "certbot-key"
    answer = _records(log)[-1]
    assert (answer["event"], answer["request"], answer["rcode"]) == ("response", 0, "NOERROR")
    text = log.read_text()
    secret = base64.b64decode(SECRET)
    mac = update.mac
    assert mac and len(mac) == 64
    for form in (SECRET, secret.hex(), mac.hex(), base64.b64encode(mac).decode()):
        assert form not in text
    assert secret.decode("latin-1") not in text


def test_dns_query_beside_the_update_is_recorded_once(log: Path) -> None:
    """udp_with_fallback calls udp (and maybe tcp) inside: one record, method QUERY."""
    import dns.message
    import dns.query

    query = dns.message.make_query("_acme-challenge.www.example.com", "SOA")
    with watching.dns_server(log) as server:
        dns.query.udp_with_fallback(query, "127.0.0.1", 5, server.port)
    (record,) = _requests(log)
    assert record["method"] == "QUERY" and record["transport"] == "udp"
    assert record["dns"]["name"] == "_acme-challenge.www.example.com"
    assert record["dns"]["type"] == "SOA"


def test_install_imports_none_of_the_libraries_and_wraps_them_on_import() -> None:
    """Switching on imports no httpx or dnspython; they are wrapped when they are imported."""
    import subprocess
    import sys

    code = """
import sys
from certbot_privacy._internal.adapter import stacks
stacks.install()
assert "httpx" not in sys.modules and "dns.query" not in sys.modules, sorted(sys.modules)
import httpx, dns.query
assert getattr(httpx.HTTPTransport.handle_request, "__certbot_privacy_patch__", None)
assert getattr(dns.query.tcp, "__certbot_privacy_patch__", None)
print("ok")
"""
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.stdout.strip() == "ok", done.stderr


@pytest.mark.parametrize("stack", ["urllib3", "httpx", "http.client"])
def test_a_refused_connection_is_an_error_record_after_its_request(log: Path, stack: str) -> None:
    """Nothing listens: the request record is there, then an error record naming it."""
    import http.client

    import httpx
    import urllib3

    url = "http://127.0.0.1:9/zones"
    with pytest.raises(Exception):  # noqa: B017 - each library raises its own
        if stack == "urllib3":
            urllib3.PoolManager().request("GET", url, retries=False)
        elif stack == "httpx":
            httpx.get(url)
        else:
            http.client.HTTPConnection("127.0.0.1", 9, timeout=30).request("GET", "/zones")
    # The audit hook's connection record sits between them: it was written, the connect failed.
    request, error = [r for r in _records(log) if r["event"] != "connection"]
    assert (request["event"], request["stack"]) == ("request", stack)
    assert (error["event"], error["request"]) == ("error", request["seq"])


def test_http_client_streamed_body_is_read_first_and_sent_as_recorded(log: Path) -> None:
    """A file body given to http.client is read into bytes, recorded, and those bytes sent."""
    import http.client
    import io

    with watching.http_server(log) as server:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        conn.request("POST", "/p", body=io.BytesIO(b"grant_type=x&assertion=y"))
        conn.getresponse().read()
        conn.close()
    (record,) = _requests(log)
    assert server.received[0][3] == b"grant_type=x&assertion=y"
    assert record["body_bytes"] == len(b"grant_type=x&assertion=y")
    assert record["headers"]["Content-Length"] == str(len(b"grant_type=x&assertion=y"))


def test_httplib2_request_is_recorded_before_it_connects(log: Path) -> None:
    """httplib2 (certbot-dns-google) connects before http.client's request: recorded earlier."""
    import httplib2  # type: ignore[import-untyped]

    with watching.http_server(log) as server:
        http = httplib2.Http(timeout=30, proxy_info=None)
        response, _ = http.request(
            server.url + "/dns/v1/projects/p/managedZones",
            headers={"authorization": "Bearer ya29.secret-token-123"},
        )
        http.close()
    assert response.status == 200
    _assert_written_ahead(server, log, "http.client")
    assert "ya29.secret-token-123" not in log.read_text()


def test_request_level_names_only_the_stacks_wrapped_in_this_run() -> None:
    """A coverage record names requests and the stacks whose wrappers are installed (the
    library imported and patched), not every stack the plugin knows; --privacy-strict also
    counts those waiting for their import."""
    import subprocess
    import sys

    code = """
import sys
from certbot_privacy._internal.adapter import coverage, stacks
print(coverage.request_level())
stacks.install()
print(coverage.request_level(), coverage.request_level(armed=True))
import urllib3
print(coverage.request_level())
import httpx
print(coverage.request_level())
import dns.query
print(coverage.request_level())
"""
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    # dnspython 2.9 with its DoH extra imports httpx2 with dns.query (not Debian's 2.3).
    import importlib.util

    if importlib.util.find_spec("httpx2") is None:
        armed = "['requests', 'urllib3', 'httpx', 'http.client', 'dns-update']"
    else:
        armed = "['requests', 'urllib3', 'httpx', 'httpx2', 'http.client', 'dns-update']"
    assert done.stdout.splitlines() == [
        "['requests']",
        "['requests'] " + armed,
        "['requests', 'urllib3', 'http.client']",
        "['requests', 'urllib3', 'httpx', 'http.client']",
        armed,
    ], done.stderr


# --- httpx AsyncClient, DNS over HTTPS and TLS ------------------------------------------


def test_httpx_async_request_is_recorded_before_it_connects(log: Path) -> None:
    """httpx's AsyncClient: recorded, then sent with the minimal User-Agent, as the sync
    client; its connection is the recorded request's (per task, not per thread)."""
    import asyncio

    import httpx

    async def fetch(url: str) -> None:
        async with httpx.AsyncClient() as client:
            await client.post(
                url + "/client/v4/zones", content=b'{"a": 1}', headers={"X-Stainless-OS": "Linux"}
            )

    with watching.http_server(log) as server:
        asyncio.run(fetch(server.url))
    _assert_written_ahead(server, log, "httpx")
    assert not [k for k, _ in server.received[0][2] if k.lower() == "x-stainless-os"]


def test_httpx_async_tasks_are_told_apart(log: Path) -> None:
    """While one task awaits its recorded request, another task's own connection is not
    taken for it (inflight is per task, not per thread)."""
    import asyncio
    import socket
    import threading
    import time

    import httpx

    held_request, other_arrived = threading.Event(), threading.Event()

    def slow(server: socket.socket) -> None:  # answers once the other connection arrived
        conn, _ = server.accept()
        with conn:
            conn.recv(65536)
            held_request.set()
            other_arrived.wait(30)
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")

    def other(server: socket.socket) -> None:
        conn, _ = server.accept()
        other_arrived.set()
        conn.close()

    with (
        socket.create_server(("127.0.0.1", 0)) as held,
        socket.create_server(("127.0.0.1", 0)) as plain,
    ):
        held.settimeout(30)
        plain.settimeout(30)
        threads = [threading.Thread(target=slow, args=(held,), daemon=True)]
        threads.append(threading.Thread(target=other, args=(plain,), daemon=True))
        for thread in threads:
            thread.start()
        held_port, plain_port = held.getsockname()[1], plain.getsockname()[1]

        async def raw() -> None:
            # Once the request below is in flight, held by the server (a fixed sleep let a
            # loaded machine connect here first, and the test proved nothing).
            deadline = time.monotonic() + 30
            while not held_request.is_set() and time.monotonic() < deadline:
                await asyncio.sleep(0.01)
            assert held_request.is_set(), "the held request never arrived"
            _, writer = await asyncio.open_connection("127.0.0.1", plain_port)
            writer.close()

        async def both() -> None:
            async with httpx.AsyncClient() as client:
                await asyncio.gather(client.get(f"http://127.0.0.1:{held_port}/held"), raw())

        asyncio.run(both())
        for thread in threads:
            thread.join(30)
    seen = {r["port"]: r["seen"] for r in _records(log) if r["event"] == "connection"}
    assert seen == {held_port: "request", plain_port: "connection"}


def _failed() -> tuple[type[BaseException], ...]:
    """How a DoH or DoT exchange with a server that speaks neither fails (TLS, DNS)."""
    import dns.exception

    return (OSError, EOFError, dns.exception.DNSException)


def _http1() -> dict[str, Any]:
    """DoH over HTTP/1.1 (dnspython 2.9 tries HTTP/3 by default; 2.3 has only 1.1 and 2).

    Skips where this dnspython has no DoH client: 2.9 sends DoH with ``httpx2`` and ``h2``
    (``scripts/bootstrap`` installs them in .venv), 2.3 (Debian's) with httpx or requests.
    """
    import dns.query
    import dns.version

    if not dns.query.have_doh:
        pytest.skip(f"dnspython {dns.version.version} has no DoH client here (httpx2 for 2.9)")

    version = getattr(dns.query, "HTTPVersion", None)
    return {} if version is None else {"http_version": version.H1}


def _doh_update() -> Any:
    import dns.update

    update = dns.update.UpdateMessage("example.com")
    update.add("_acme-challenge.www.example.com.", 10, "TXT", VALUE)
    return update


def test_dns_update_over_https_is_recorded_once_before_it_is_sent(log: Path) -> None:
    """dns.query.https with an UPDATE: one DNS request record (transport https, the DoH URL,
    the DNS-01 value), on disk as the server gets it; httpx below it records nothing more."""
    import dns.query

    with watching.http_server(log) as server:
        url = server.url + "/dns-query"
        with pytest.raises(_failed()):  # the server answers "ok", not a DNS message
            dns.query.https(_doh_update(), url, timeout=30, **_http1())
    (at_arrival,) = server.log_at_arrival
    (record,) = [r for r in map(json.loads, at_arrival.splitlines()) if r["event"] == "request"]
    assert (record["method"], record["transport"], record["url"]) == ("UPDATE", "https", url)
    assert record["stack"] == "dns" and record["personal_data"]["dns_challenge"] == [VALUE]
    assert len(_requests(log)) == 1


def test_a_dns_query_over_https_is_the_http_librarys_request(log: Path) -> None:
    """A DoH query (not an UPDATE) is left to the layer below: httpx (or httpx2, its fork,
    which dnspython 2.9 uses) records the request."""
    import dns.message
    import dns.query
    import dns.version

    query = dns.message.make_query("_acme-challenge.www.example.com", "TXT")
    with watching.http_server(log) as server, pytest.raises(_failed()):
        dns.query.https(query, server.url + "/dns-query", timeout=30, **_http1())
    (record,) = _requests(log)
    # dnspython 2.9 sends DoH with httpx2 (the fork of httpx), Debian's 2.3 with httpx.
    assert record["stack"] in ("httpx", "httpx2") and record["method"] == "POST"
    assert record["stack"] == (
        "httpx2" if dns.version.MAJOR > 2 or dns.version.MINOR >= 9 else "httpx"
    )
    assert record["url"] == server.url + "/dns-query"


def test_dns_over_tls_update_is_a_request_and_a_query_a_connection(log: Path) -> None:
    """dns.query.tls: an UPDATE is recorded (dns+tls://) before the server accepts; a query
    is left at connection level, its connection recorded (seen: connection) first."""
    import dns.message
    import dns.query

    query = dns.message.make_query("_acme-challenge.www.example.com", "TXT")
    with watching.dns_server(log) as server, watching.dns_server(log) as resolver:
        with pytest.raises(_failed()):  # the server speaks no TLS
            dns.query.tls(_doh_update(), "127.0.0.1", timeout=2, port=server.port)
        with pytest.raises(_failed()):
            dns.query.tls(query, "127.0.0.1", timeout=2, port=resolver.port)
    first = server.log_at_arrival[0]
    (update,) = [r for r in map(json.loads, first.splitlines()) if r["event"] == "request"]
    assert (update["method"], update["transport"]) == ("UPDATE", "tls")
    assert update["url"] == f"dns+tls://127.0.0.1:{server.port}/example.com"
    assert [r["method"] for r in _requests(log)] == ["UPDATE"]  # the query: no request
    seen = {r["port"]: r["seen"] for r in _records(log) if r["event"] == "connection"}
    assert seen == {server.port: "request", resolver.port: "connection"}
    on_arrival = [json.loads(line) for line in resolver.log_at_arrival[0].splitlines()]
    assert any(r["event"] == "connection" and r["port"] == resolver.port for r in on_arrival)
