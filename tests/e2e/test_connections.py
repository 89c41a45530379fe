"""The choke point below every library: connections, hooks and coverage in the log.

Real certbot (both targets) against Pebble behind the recording proxy. The audit hook
writes a ``connection`` record the first time the process reaches a destination, before
it connects; hooks get a ``hook`` record before they run; each run states its coverage.
"""

import json
from pathlib import Path
from typing import Any, Dict, List

import pytest

from harness import CertbotRunner, require_success

from .log_checks import LogCursor, assert_log_sound

pytestmark = pytest.mark.e2e

Record = Dict[str, Any]


def _log(certbot: CertbotRunner) -> Path:
    return certbot.logs_dir / "disclosure.jsonl"


def _port(url: str) -> int:
    return int(url.split("://", 1)[1].split("/", 1)[0].rsplit(":", 1)[1])


def test_the_proxy_connection_is_recorded_before_its_first_request_arrives(
    certbot: CertbotRunner,
) -> None:
    """A private certonly: a connection record for the CA's address, seen at request level,
    written (by seq, and by time) before the proxy received the run's first request."""
    cursor = LogCursor(_log(certbot))
    result = require_success(certbot.run(*certbot.certonly_args(certbot.domain())))
    records = cursor.new_records()
    assert_log_sound(_log(certbot))
    Path("/tmp/i18a/last.jsonl").write_text("\n".join(json.dumps(r) for r in records))
    port = _port(certbot.proxy.directory_url)
    connections = [r for r in records if r["event"] == "connection" and r["port"] == port]
    assert connections, result.describe()
    first = connections[0]
    assert (first["transport"], first["via"], first["seen"], first["own"]) == (
        "tcp",
        "socket.connect",
        "request",
        None,
    )
    assert first["address"] == "127.0.0.1" and first["host"] == first["recipient"]
    assert first["opened_by"]["module"].startswith("urllib3") and first["opened_by"]["plugin"] is None
    requests = [r for r in records if r["event"] == "request"]
    assert requests[0]["seq"] < first["seq"] < requests[1]["seq"]
    first_received = min(r.time for r in result.requests)
    assert _epoch(first["time"]) <= first_received + 0.001
    runs = {r.get("run") for r in records}
    assert len(runs) == 1 and len(str(runs.pop())) == 32


def _epoch(stamp: str) -> float:
    import datetime

    return datetime.datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()
