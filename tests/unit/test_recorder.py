"""The wire observer that writes the log, over a real local HTTP server and requests."""

import base64
import json
from pathlib import Path
from typing import Any, Mapping

import pytest
import requests
from certbot import errors

from certbot_privacy._internal.adapter import wire
from certbot_privacy._internal.adapter.recorder import DisclosureRecorder
from certbot_privacy._internal.adapter.state import RUN
from certbot_privacy._internal.errors import DisclosureLogError
from certbot_privacy._internal.log.writer import DisclosureLog
from tests.helpers.http import LocalServer, Reply
from tests.helpers.logs import (
    ACCOUNT_URL,
    assert_valid_log,
    new_account_body,
    pem_private_key,
)

UA = "CertbotACMEClient/5.8.0 python-requests/2.32.3"
JWK_LOCATION = '{"kty": "EC", "crv": "P-256", "x": "AAAA", "y": "BBBB", "d": "c2VjcmV0"}'


@pytest.fixture
def server(local_server: LocalServer) -> LocalServer:
    """The local server, answering like an ACME server (201 with a Location; a problem)."""
    local_server.default = Reply(
        201, (("Content-Type", "application/json"), ("Location", ACCOUNT_URL)), b"{}"
    )
    local_server.routes["/problem"] = Reply(
        400,
        (("Content-Type", "application/problem+json"),),
        b'{"type":"urn:ietf:params:acme:error:badNonce","status":400}',
    )
    return local_server


def _record_with(log_path: Path, **kw: Any) -> DisclosureRecorder:
    recorder = DisclosureRecorder(DisclosureLog(log_path), clock=lambda: 1_800_000_000.0, **kw)
    RUN.activate(wire.WirePolicy(user_agent=UA, observer=recorder))
    return recorder


def test_recorded_request_is_exactly_what_the_server_received(
    server: LocalServer, tmp_path: Path
) -> None:
    """Method, URL, every header (Host included, in order) and body bytes match the wire."""
    _record_with(tmp_path / "d.jsonl", directory_urls=[server.url + "/dir"])
    body = new_account_body()
    response = requests.post(
        server.url + "/new-acct",
        data=body,
        timeout=30,
        headers={"Content-Type": "application/jose+json"},
    )
    assert response.status_code == 201
    request, outcome = assert_valid_log(tmp_path / "d.jsonl")
    ((method, path, headers, received),) = [
        (h.method, h.path, h.headers, h.body) for h in server.hits
    ]
    assert (request["method"], request["url"]) == (method, server.url + path)
    assert list(request["headers"].items()) == headers
    assert request["headers"]["User-Agent"] == UA
    assert request["implicit_headers"] == ["Host"]
    assert request["body"].encode() == received == body
    assert request["recipient"] == server.url + "/dir"
    assert request["personal_data"]["contact"] == ["mailto:admin@example.org"]
    assert (outcome["event"], outcome["request"], outcome["status"]) == ("response", 0, 201)
    assert outcome["location"] == ACCOUNT_URL


def test_bodyless_requests_are_recorded_with_an_empty_body(
    server: LocalServer, tmp_path: Path
) -> None:
    """HEAD and GET (newNonce, directory) are recorded with body "" and their headers."""
    _record_with(tmp_path / "d.jsonl")
    requests.head(server.url + "/new-nonce", timeout=30)
    requests.get(server.url + "/dir", timeout=30)
    parsed = assert_valid_log(tmp_path / "d.jsonl")
    assert [(r["event"], r.get("method"), r.get("body")) for r in parsed] == [
        ("request", "HEAD", ""),
        ("response", "HEAD", None),
        ("request", "GET", ""),
        ("response", "GET", None),
    ]
    assert [list(parsed[i]["headers"].items()) for i in (0, 2)] == [
        hit.headers for hit in server.hits
    ]


def test_text_body_is_recorded_as_the_http_library_encodes_it(
    server: LocalServer, tmp_path: Path
) -> None:
    """A str body with non-ASCII text is recorded as the bytes that went out.

    urllib3 2 sends it as UTF-8 (recorded as ``body``); urllib3 1 (Debian bookworm) as
    Latin-1, which is not UTF-8 text, so it is recorded as ``body_b64``.
    """
    _record_with(tmp_path / "d.jsonl", directory_urls=[server.url + "/dir"])
    requests.post(server.url + "/form", data="name=Zoë", timeout=30)
    request = assert_valid_log(tmp_path / "d.jsonl")[0]
    recorded = (
        request["body"].encode() if "body" in request else base64.b64decode(request["body_b64"])
    )
    assert recorded == server.hits[0].body


def test_streamed_body_is_read_first_and_sent_as_recorded(
    server: LocalServer, tmp_path: Path
) -> None:
    """A generator body is turned into the recorded bytes, sent with a Content-Length."""
    _record_with(tmp_path / "d.jsonl", directory_urls=[server.url + "/dir"])
    requests.post(server.url + "/stream", data=iter([b"part one, ", b"part two"]), timeout=30)
    request = assert_valid_log(tmp_path / "d.jsonl")[0]
    ((headers, received),) = [(h.headers, h.body) for h in server.hits]
    assert request["body"].encode() == received == b"part one, part two"
    assert ("Content-Length", "18") in headers
    assert list(request["headers"].items()) == headers


def test_unwritable_log_means_nothing_is_sent(server: LocalServer, tmp_path: Path) -> None:
    """Fail closed: if the record cannot be written, the server receives nothing."""
    _record_with(tmp_path)  # a directory: the log cannot be written
    with pytest.raises(errors.Error, match="it is a directory"):
        requests.post(server.url + "/new-acct", data=b"{}", timeout=30)
    assert server.hits == []


def test_private_key_in_a_request_stops_it_before_it_leaves(
    server: LocalServer, tmp_path: Path
) -> None:
    """A request carrying a private key is neither recorded nor sent."""
    _record_with(tmp_path / "d.jsonl")
    with pytest.raises(
        errors.Error,
        match=r"^Refused to send POST .*/leak and to "
        r"record it in .*: a PEM private key",
    ):
        requests.post(server.url + "/leak", data=pem_private_key(), timeout=30)
    assert server.hits == []
    assert not (tmp_path / "d.jsonl").exists()


def test_failed_send_is_recorded_as_an_error(tmp_path: Path, closed_port: int) -> None:
    """A connection that fails gives an error record naming the request and why."""
    port = closed_port  # nothing listens: the send fails
    _record_with(tmp_path / "d.jsonl")
    try:
        with pytest.raises(requests.ConnectionError):
            requests.get(f"http://127.0.0.1:{port}/dir", timeout=30)
    finally:
        RUN.deactivate()
    request, error = assert_valid_log(tmp_path / "d.jsonl")
    assert (error["event"], error["request"], error["error_type"]) == (
        "error",
        request["seq"],
        "ConnectionError",
    )
    assert error["error"]


def test_problem_responses_record_their_acme_type(server: LocalServer, tmp_path: Path) -> None:
    """A badNonce answer is recorded with its status and problem type."""
    _record_with(tmp_path / "d.jsonl")
    requests.post(server.url + "/problem", data=b"{}", timeout=30)
    outcome = assert_valid_log(tmp_path / "d.jsonl")[1]
    assert (outcome["status"], outcome["problem_type"]) == (
        400,
        "urn:ietf:params:acme:error:badNonce",
    )


class _FailsAfter:
    """An appender that works *count* times, then fails like a full disk."""

    def __init__(self, path: Path, count: int) -> None:
        self.log = DisclosureLog(path)
        self.path = self.log.path
        self.count = count

    def append(self, record: Mapping[str, Any], durable: bool = True) -> Mapping[str, Any]:
        if self.count == 0:
            raise DisclosureLogError(f"Cannot write the disclosure log {self.path}: disk full.")
        self.count -= 1
        return self.log.append(record, durable)


def test_unrecordable_outcome_is_logged_not_raised(
    server: LocalServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Once a request has gone, failing to record its response does not stop certbot."""
    recorder = DisclosureRecorder(_FailsAfter(tmp_path / "d.jsonl", 1))
    RUN.activate(wire.WirePolicy(user_agent=UA, observer=recorder))
    assert requests.get(server.url + "/dir", timeout=30).status_code == 201
    assert "could not be recorded" in caplog.text
    assert len(assert_valid_log(tmp_path / "d.jsonl")) == 1


def test_consent_and_blocked_records(server: LocalServer, tmp_path: Path) -> None:
    """Consent decisions and blocked requests are appended and numbered like the rest."""
    recorder = DisclosureRecorder(
        DisclosureLog(tmp_path / "d.jsonl"), directory_urls=[server.url + "/dir"]
    )
    prepared = requests.Request(
        "POST", server.url + "/new-acct", data=new_account_body(), headers={"User-Agent": UA}
    ).prepare()
    assert (
        recorder.record_consent(
            purpose="share_email",
            text="Send your email?",
            granted=False,
            recipient=server.url + "/dir",
            values=["admin@example.org"],
            how="prompt",
        )
        == 0
    )
    assert recorder.record_blocked(reason="no consent to share the email", request=prepared) == 1
    assert (
        recorder.record_blocked(
            reason="EFF subscription not consented", recipient="EFF (supporters.eff.org)"
        )
        == 2
    )
    consent, blocked, eff = assert_valid_log(tmp_path / "d.jsonl")
    assert consent["decision"] == "refused"
    assert blocked["recipient"] == server.url + "/dir"
    assert blocked["personal_data"]["contact"] == ["mailto:admin@example.org"]
    assert "ip_address" not in blocked["personal_data"]
    assert eff["recipient"] == "EFF (supporters.eff.org)"
    assert server.hits == []


def test_directories_added_later_name_the_recipient(tmp_path: Path) -> None:
    """add_directory attributes requests on that origin to the CA's directory URL."""
    recorder = DisclosureRecorder(DisclosureLog(tmp_path / "d.jsonl"))
    assert recorder.recipient("https://ca.example/acme/order/1", {}) == "https://ca.example"
    recorder.add_directory("https://ca.example/dir")
    assert recorder.recipient("https://ca.example/acme/order/1", {}) == "https://ca.example/dir"


def test_custom_recipient_function_is_used(server: LocalServer, tmp_path: Path) -> None:
    """A recipient_for callable decides who is named as the recipient."""
    _record_with(tmp_path / "d.jsonl", recipient_for=lambda url, headers: "Test CA")
    requests.get(server.url + "/dir", timeout=30)
    assert {r["recipient"] for r in assert_valid_log(tmp_path / "d.jsonl")} == {"Test CA"}


def test_foreign_token_is_refused(tmp_path: Path) -> None:
    """after_send only accepts the token before_send returned."""
    recorder = DisclosureRecorder(DisclosureLog(tmp_path / "d.jsonl"))
    with pytest.raises(TypeError):
        recorder.after_send(object(), requests.Response())
    assert not (tmp_path / "d.jsonl").exists()


def test_private_key_looking_response_header_is_withheld_not_fatal(
    server: LocalServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A CA's Location that looks like a JWK is recorded as its digest, with a warning."""
    server.routes["/jwk-location"] = Reply(200, (("Location", JWK_LOCATION),), b"{}")
    _record_with(tmp_path / "d.jsonl", directory_urls=[server.url + "/dir"])
    assert requests.get(server.url + "/jwk-location", timeout=30).status_code == 200
    _, response = assert_valid_log(tmp_path / "d.jsonl")
    assert response["location"].startswith("sha256:") and response["withheld"] == ["location"]
    assert "c2VjcmV0" not in (tmp_path / "d.jsonl").read_text()
    assert "looks like a private key" in caplog.text


def test_dns_api_credentials_never_reach_the_log(tmp_path: Path, closed_port: int) -> None:
    """A provider's key in a header, the URL and its error text are all left out."""
    port = closed_port  # nothing listens: the send fails
    recorder = _record_with(tmp_path / "d.jsonl", directory_urls=["https://ca.example/dir"])
    recorder.expect_challenge("www.example.com", "_acme-challenge.www.example.com", "v4lue")
    url = f"http://user:pw-s3cr3t@127.0.0.1:{port}/zones/example.com?api_key=k3y-s3cr3t"
    with pytest.raises(requests.ConnectionError):
        requests.post(
            url, json={"content": "v4lue"}, headers={"X-NSONE-Key": "h3ader-s3cr3t"}, timeout=5
        )
    assert "s3cr3t" not in (tmp_path / "d.jsonl").read_text()
    request, error = assert_valid_log(tmp_path / "d.jsonl")
    assert request["url"] == f"http://127.0.0.1:{port}/zones/example.com?api_key=[redacted]"
    assert request["body_redacted"] == {"content": "v4lue"}
    assert request["personal_data"]["domain"] == ["example.com"]
    assert error["url"] == request["url"] and error["error"]


def test_a_token_in_a_dns_api_path_never_reaches_the_log(tmp_path: Path, closed_port: int) -> None:
    """/u/<token>/ and update.php?<token>: redacted in the URL and in the error's text."""
    port = closed_port  # nothing listens: the send fails
    _record_with(tmp_path / "d.jsonl", directory_urls=["https://ca.example/dir"])
    token = "k9XbQ2mZ7vLwP4sT1yRnE8cH"
    for url in (f"http://127.0.0.1:{port}/u/{token}/", f"http://127.0.0.1:{port}/x.php?{token}"):
        with pytest.raises(requests.ConnectionError):
            requests.get(url, timeout=30)
    assert token not in (tmp_path / "d.jsonl").read_text()
    first, first_error, second, second_error = assert_valid_log(tmp_path / "d.jsonl")
    assert first["url"] == f"http://127.0.0.1:{port}/u/[redacted]/" == first_error["url"]
    assert second["url"] == f"http://127.0.0.1:{port}/x.php?[redacted]" == second_error["url"]
    assert first_error["error"] and second_error["error"]


def test_urls_a_directory_lists_are_the_ca_s(server: LocalServer, tmp_path: Path) -> None:
    """An endpoint the directory lists on another origin is recorded exactly, as the CA's."""
    server.routes["/listing"] = Reply(
        200,
        (("Content-Type", "application/json"),),
        b'{"newOrder": "https://acme.elsewhere.example/new-order", "meta": {}}',
    )
    recorder = _record_with(tmp_path / "d.jsonl", directory_urls=[server.url + "/listing"])
    requests.get(server.url + "/listing", timeout=30)
    assert "https://acme.elsewhere.example" in recorder.acme_origins


def test_request_records_are_on_disk_before_the_send_outcomes_need_not_be(
    server: LocalServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each request's record is fdatasync-ed before it leaves; its response's is not."""
    from certbot_privacy._internal.log import writer

    hits_at_sync: list[int] = []
    real_datasync = writer._datasync

    def datasync(fd: int) -> None:
        hits_at_sync.append(len(server.hits))
        real_datasync(fd)

    monkeypatch.setattr(writer, "_datasync", datasync)
    path = tmp_path / "d.jsonl"
    _record_with(path, directory_urls=[server.url + "/dir"])
    for name in ("/new-nonce", "/new-acct"):
        requests.post(server.url + name, data=b"{}", timeout=30)
    events = [json.loads(line)["event"] for line in path.read_bytes().splitlines()]
    assert events == ["request", "response", "request", "response"]
    # One sync per request record, each before the server had that request; none for the
    # response records.
    assert hits_at_sync == [0, 1]
