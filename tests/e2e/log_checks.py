"""Assertions about the disclosure log a certbot run wrote, against what the server received.

The log is read here with nothing but ``json`` and ``hashlib``, and checked against the
JSON Schema shipped in the package with ``jsonschema``, so a bug in the plugin's own
reader or verifier cannot make the log agree with itself.
"""

import base64
import hashlib
import json
import os
import stat
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple
from urllib.parse import urlsplit

import jsonschema

from certbot_privacy._internal.log import schema
from harness.certbot_runner import CertbotResult
from harness.recording_proxy import RecordedRequest

_VALIDATOR = jsonschema.Draft202012Validator(schema.json_schema())

Record = Dict[str, Any]


class LogCursor:
    """Remembers where a log ended, so a run's own records can be told apart."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.start = len(read_log(path)) if path.exists() else 0

    def new_records(self) -> List[Record]:
        """The records appended since the cursor was made."""
        return read_log(self.path)[self.start :]


def read_lines(path: Path) -> List[bytes]:
    """The complete lines of *path*, without their newlines (a crash tail is dropped)."""
    data = path.read_bytes()
    lines = data.split(b"\n")
    return lines[:-1]  # the last element is "" or a truncated tail


def read_log(path: Path) -> List[Record]:
    """Every complete record of the log at *path*."""
    return [json.loads(line) for line in read_lines(path)]


def assert_log_sound(path: Path, created_dir: bool = False) -> List[Record]:
    """The log is 0600, every record is valid, the chain is intact.

    *created_dir*: the log's directory did not exist before, so the writer made it, 0700.
    """
    mode = stat.S_IMODE(os.stat(path).st_mode)
    assert mode == 0o600, f"{path} has mode {oct(mode)}"
    if created_dir:
        dir_mode = stat.S_IMODE(os.stat(path.parent).st_mode)
        assert dir_mode == 0o700, f"{path.parent} has mode {oct(dir_mode)}"
    previous = b""
    records = []
    for number, line in enumerate(read_lines(path)):
        record = json.loads(line)
        errors = sorted(_VALIDATOR.iter_errors(record), key=str)
        assert not errors, f"{path}:{number + 1}: {errors[0].message}"
        assert record["seq"] == number, f"{path}:{number + 1}: seq {record['seq']}"
        expected = "sha256:" + hashlib.sha256(previous).hexdigest()
        assert record["prev"] == expected, f"{path}:{number + 1}: chain broken"
        previous = line
        records.append(record)
    return records


def body_of(record: Record) -> bytes:
    """The exact body bytes a request record says were sent."""
    if "body_b64" in record:
        return base64.b64decode(record["body_b64"])
    return str(record.get("body", "")).encode("utf-8")


def _header(record: Record, name: str) -> Optional[str]:
    headers = record.get("headers", {})
    items = headers.items() if isinstance(headers, dict) else headers
    for key, value in items:
        if key.lower() == name.lower():
            return str(value)
    return None


def _path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _key(request: RecordedRequest) -> Tuple[str, str, Optional[str], bytes]:
    return (request.method, request.path, request.user_agent, request.body)


def _record_key(record: Record) -> Tuple[str, str, Optional[str], bytes]:
    return (
        record["method"],
        _path_of(record["url"]),
        _header(record, "User-Agent"),
        body_of(record),
    )


def assert_log_matches(
    records: Sequence[Record],
    received: Sequence[RecordedRequest],
    story: str = "",
    last_outcome_lost: bool = False,
) -> None:
    """The log shows exactly what the server received, in order, written ahead.

    Walking both in order: each server-side request must be the next request record (same
    method, path, User-Agent and body bytes); a request record the server did not receive
    must have an ``error`` record (it failed before reaching the server). Every request
    record comes before its own ``response``/``error`` record, and a ``response`` record
    carries the status the server answered with. *last_outcome_lost*: the log broke after
    the last request record was written and sent (certbot said so), so that request, and
    only it, has no outcome, and the server must have received it.
    """
    requests = [r for r in records if r["event"] == "request"]
    outcomes = {r["request"]: r for r in records if r["event"] in ("response", "error")}
    by_seq = {r["seq"]: r for r in records}
    queue = list(received)
    for record in requests:
        outcome = outcomes.get(record["seq"])
        if outcome is None and last_outcome_lost and record is requests[-1]:
            assert queue and _key(queue[0]) == _record_key(record), (
                f"request {record['seq']} has no outcome and was not received\n{story}"
            )
            queue.pop(0)
            continue
        assert outcome is not None, f"no outcome recorded for request {record['seq']}\n{story}"
        assert outcome["seq"] > record["seq"], f"outcome before request {record['seq']}"
        if queue and _key(queue[0]) == _record_key(record):
            got = queue.pop(0)
            if outcome["event"] == "response" and got.status is not None:
                assert outcome["status"] == got.status, (
                    f"request {record['seq']}: log says {outcome['status']}, server "
                    f"answered {got.status}\n{story}"
                )
            continue
        assert outcome["event"] == "error", (
            f"log request {record['seq']} {record['method']} {record['url']} was not "
            f"received next; the server got {queue[0].request_line if queue else 'nothing'}"
            f"\n{story}"
        )
    assert not queue, (
        f"the server received {len(queue)} request(s) the log does not show "
        f"first: {[r.request_line for r in queue]}\n{story}"
    )
    assert by_seq  # the run was recorded at all


def assert_run_logged(result: CertbotResult, cursor: LogCursor) -> List[Record]:
    """The whole log is sound and this run's records match what the server received."""
    assert_log_sound(cursor.path)
    records = cursor.new_records()
    assert_log_matches(records, result.requests, result.describe())
    return records


def assert_no_private_key(path: Path, *secrets: str) -> None:
    """No private key, nor any of *secrets* (e.g. a JWK's ``d``), appears in the log."""
    text = path.read_text(encoding="utf-8")
    assert "PRIVATE KEY" not in text
    for secret in secrets:
        assert secret not in text, "a private key value is in the disclosure log"
        compact = secret.replace("\n", "")
        assert compact not in text


def private_key_material(config_dir: Path) -> List[str]:
    """Every private key certbot keeps under *config_dir*: PEM bodies and JWK ``d``."""
    found: List[str] = []
    for pem in config_dir.rglob("privkey*.pem"):
        body = "".join(
            line for line in pem.read_text().splitlines() if not line.startswith("-----")
        )
        found += [body, body[:64]]
    for key_file in config_dir.rglob("private_key.json"):
        jwk = json.loads(key_file.read_text())
        found += [str(jwk[k]) for k in ("d", "p", "q") if k in jwk]
    return found
