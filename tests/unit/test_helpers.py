"""The shared test helpers produce what the other tests assume."""

import json
from pathlib import Path

from certbot_privacy._internal.log import classify
from tests.helpers.audit import LE, REAL_LOGS, UNKNOWN_CA, fleet_log, lines_of
from tests.helpers.logs import VALIDATOR, new_account_body, private_jwk


def test_sign_makes_a_flattened_jws() -> None:
    """The helper produces a flattened JWS, like acme's ClientNetwork."""
    body = json.loads(new_account_body())
    assert set(body) == {"protected", "payload", "signature"}


def test_private_jwk_holds_private_members() -> None:
    """The private JWK helper really holds private members (the guard tests rely on it)."""
    assert {"d", "p", "q"} <= set(private_jwk())


def test_fleet_log_is_a_valid_chain_of_schema_records(tmp_path: Path) -> None:
    """The fleet log the audit tests use is what the writer and the schema accept."""
    path = fleet_log(tmp_path / "fleet.jsonl")
    parsed = [json.loads(line) for line in lines_of(path)]
    assert [r["seq"] for r in parsed] == list(range(len(parsed)))
    for record in parsed:
        VALIDATOR.validate(record)
    assert {r["recipient"] for r in parsed} == {
        LE,
        UNKNOWN_CA,
        classify.EFF_RECIPIENT,
        "OCSP responder r3.o.lencr.org",
    }


def test_real_logs_from_the_e2e_suite_are_schema_records() -> None:
    """The checked-in e2e logs are records of schema 1, so tests over them mean something."""
    assert len(REAL_LOGS) >= 3
    for path in REAL_LOGS:
        for line in lines_of(path):
            VALIDATOR.validate(json.loads(line))


def test_the_syslog_daemon_returns_every_datagram_sent_before_it_is_asked(
    tmp_path: Path,
) -> None:
    """The e2e tests' /dev/log (here on a socket of the test's own) has, when asked, every
    datagram sent before, however late its thread gets to read them: the thread starts
    reading a second after they were sent (a fixed wait of 0.2 s returned none)."""
    import socket
    import time

    from tests.e2e.conftest import SyslogDaemon

    class Late(SyslogDaemon):
        def _serve(self) -> None:
            time.sleep(1)
            super()._serve()

    path = str(tmp_path / "log")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(path)
    # Fewer than the kernel queues for a socket nobody reads (net.unix.max_dgram_qlen: 10).
    sent = [f"<86>Dec  3 14:00:00 certbot-privacy[{n}]: {{}}".encode() for n in range(4)]
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sender:
        sender.settimeout(5)
        for datagram in [b"<13>Dec  3 14:00:00 cron[1]: other", *sent]:
            sender.sendto(datagram, path)
    try:
        assert Late(sock).received() == sent
    finally:
        sock.close()


def test_a_request_sequence_s_shape_counts_a_repeated_poll_once() -> None:
    """The e2e comparison of two runs: an authorization or order polled once more (the
    server was slower) is the same shape; any other request more, or other headers, is not."""
    from harness import RecordedRequest
    from tests.e2e.wire_checks import shape

    def run(*requests: "tuple[str, str] | tuple[str, str, str]") -> list[RecordedRequest]:
        made = []
        for n, (method, path, *header) in enumerate(requests):
            headers = [("User-Agent", "UA"), *[(h, "x") for h in header]]
            made.append(RecordedRequest(n, 0.0, "acme", "acme", method, path, "", headers, b""))
        return made

    once = run(("GET", "/dir"), ("POST", "/authZ/1"), ("POST", "/my-order/2"))
    polled = run(
        ("GET", "/dir"), ("POST", "/authZ/3"), ("POST", "/authZ/3"), ("POST", "/my-order/4")
    )
    assert shape(polled) == shape(once)
    assert shape(run(("GET", "/dir"), ("GET", "/dir"))) != shape(run(("GET", "/dir")))
    header = run(("GET", "/dir"), ("POST", "/authZ/1", "X-Extra"), ("POST", "/my-order/2"))
    assert shape(header) != shape(once)
