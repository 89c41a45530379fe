"""The harness itself: the recording proxy records what arrives and plays ARI, OCSP, the trap.

These talk to the proxy and Pebble directly with requests, no certbot, so that a broken
harness shows up here rather than as a puzzling failure of a certbot test.
"""

import datetime
import json
from pathlib import Path

import pytest
import requests

from harness import OCSP_UNAUTHORIZED, AcmeStack, TestCA

pytestmark = pytest.mark.e2e


def _get(acme: AcmeStack, tls: TestCA, path: str) -> requests.Response:
    return requests.get(acme.proxy.base_url + path, verify=str(tls.ca_cert), timeout=10)


def test_directory_points_back_at_the_proxy(acme: AcmeStack, tls: TestCA) -> None:
    """Pebble builds its URLs from the Host the proxy forwards, so they name the proxy."""
    directory = _get(acme, tls, "/dir").json()
    assert directory["newNonce"] == acme.proxy.base_url + "/nonce-plz"
    assert directory["renewalInfo"] == acme.proxy.base_url + "/renewal-info"


def test_directory_has_no_ari_when_ari_is_off(acme: AcmeStack, tls: TestCA) -> None:
    """With no ARI window the directory is Pebble's own, without renewalInfo."""
    acme.proxy.ari.window = None
    assert "renewalInfo" not in _get(acme, tls, "/dir").json()


@pytest.mark.parametrize("window", ["past", "future"])
def test_renewal_info_window(acme: AcmeStack, tls: TestCA, window: str) -> None:
    """renewal-info answers a suggested window in the past or the future, and is recorded."""
    acme.proxy.ari.window = window
    mark = acme.proxy.mark()
    answer = _get(acme, tls, "/renewal-info/abc.def")
    suggested = answer.json()["suggestedWindow"]
    now = _now_rfc3339()
    if window == "past":
        assert suggested["start"] < suggested["end"] < now
    else:
        assert now < suggested["start"] < suggested["end"]
    assert answer.headers["Retry-After"] == "1"
    (record,) = acme.proxy.since(mark)
    assert (record.role, record.method, record.path) == ("ari", "GET", "/renewal-info/abc.def")


def test_requests_are_recorded_as_received(acme: AcmeStack, tls: TestCA) -> None:
    """Header names keep their case and order, the body its bytes, the status is noted."""
    mark = acme.proxy.mark()
    body = b'{"not": "a jws"}\xff'
    requests.post(
        acme.proxy.base_url + "/new-acct",
        data=body,
        verify=str(tls.ca_cert),
        headers={"X-Mixed-Case": "Value", "Content-Type": "application/jose+json"},
        timeout=10,
    )
    (record,) = acme.proxy.since(mark)
    assert ("X-Mixed-Case", "Value") in record.headers
    assert record.body == body
    assert record.status is not None and record.status >= 400
    assert record.url == acme.proxy.base_url + "/new-acct"
    assert record.jws() is None


def test_ocsp_answers_unauthorized(acme: AcmeStack) -> None:
    """The OCSP listener answers every request with the DER "unauthorized" response."""
    mark = acme.proxy.mark()
    answer = requests.post(
        acme.proxy.ocsp_url,
        data=b"\x30\x00",
        timeout=10,
        headers={"Content-Type": "application/ocsp-request"},
    )
    assert answer.content == OCSP_UNAUTHORIZED
    assert answer.headers["Content-Type"] == "application/ocsp-response"
    (record,) = acme.proxy.since(mark)
    assert (record.role, record.body) == ("ocsp", b"\x30\x00")


def test_trap_records_and_refuses_connect(acme: AcmeStack) -> None:
    """A request through the trap proxy is recorded as an outside attempt and refused."""
    mark = acme.proxy.mark()
    trap = {"https": acme.proxy.trap_url, "http": acme.proxy.trap_url}
    with pytest.raises(requests.exceptions.ProxyError):
        requests.get("https://supporters.eff.org/subscribe", proxies=trap, timeout=10)
    answer = requests.get("http://example.org/x", proxies=trap, timeout=10)
    assert answer.status_code == 403
    attempts = [(a.method, a.target) for a in acme.proxy.outside_since(mark)]
    assert attempts == [("CONNECT", "supporters.eff.org:443"), ("GET", "http://example.org/x")]
    assert acme.proxy.since(mark) == []


def _now_rfc3339() -> str:
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_pebble_config_names_the_proxy_as_ocsp_responder(acme: AcmeStack) -> None:
    """Pebble's certificates point at the proxy's OCSP listener."""
    config = json.loads((acme.pebble.workdir / "pebble-config.json").read_text())
    assert config["pebble"]["ocspResponderURL"] == acme.proxy.ocsp_url


def test_pebble_whose_port_was_taken_meanwhile_starts_on_another(
    tls: TestCA, tmp_path: Path
) -> None:
    """free_port's port can be taken before Pebble binds it (another xdist worker's
    server): Pebble exits, and start() tries again on new ports; the other server's answer
    on the port (here a directory, as another Pebble's) is not taken for Pebble's."""
    import http.server
    import ssl
    import threading

    from harness import Pebble

    class Directory(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *args: object) -> None:
            pass

    other = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Directory)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(str(tls.server_cert), str(tls.server_key))
    other.socket = context.wrap_socket(other.socket, server_side=True)
    threading.Thread(target=other.serve_forever, daemon=True).start()
    taken = other.server_address[1]
    pebble = Pebble(tmp_path / "pebble", tls)
    pebble.port = taken
    try:
        pebble.start()
        assert pebble.port != taken
        assert pebble.process is not None and pebble.process.poll() is None
    finally:
        pebble.stop()
        other.shutdown()
        other.server_close()
