"""Helpers for the audit tests: logs written by the real writer, and the real e2e logs.

Logs are built from :mod:`certbot_privacy._internal.log.records` builders (with real ACME bodies
from :mod:`tests.helpers.logs`) and appended with
:class:`~certbot_privacy._internal.log.writer.DisclosureLog`, so the audit meets exactly what
certbot-privacy writes. ``data/audit/`` holds logs that the end-to-end suite produced with real
certbot runs against Pebble (see its README). Their own tests are in ``tests/unit/test_helpers.py``.
"""

import gzip
import io
import sys
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Sequence

from certbot_privacy._internal.audit import source
from certbot_privacy._internal.log import classify, records
from certbot_privacy._internal.log.writer import DisclosureLog
from tests.helpers.logs import (
    finalize_body,
    make_certificate,
    make_csr,
    new_account_body,
    new_order_body,
    ocsp_request_body,
    post_as_get_body,
)

FIXTURES = Path(__file__).resolve().parents[1] / "unit" / "data" / "audit"
REAL_LOGS = sorted(FIXTURES.glob("*.jsonl"))

LE = "https://acme-v02.api.letsencrypt.org/directory"
UNKNOWN_CA = "https://acme.example.net/directory"
UA = "CertbotACMEClient/5.8.0 python-requests/2.32.3"
#: 2024-05-01T00:00:00Z
T0 = 1714521600.0
DAY = 86400.0

Record = Dict[str, Any]


def _headers(body: bytes) -> Dict[str, str]:
    headers = {"User-Agent": UA, "Accept": "*/*", "Host": "acme-v02.api.letsencrypt.org"}
    if body:
        headers["Content-Type"] = "application/jose+json"
    return headers


def request(
    when: float,
    body: bytes = b"",
    *,
    recipient: str = LE,
    method: str = "POST",
    url: str = "https://acme-v02.api.letsencrypt.org/acme/new-order",
    user_agent: Optional[str] = None,
) -> Record:
    """A ``request`` record as the recorder builds it."""
    headers = _headers(body)
    if user_agent is not None:
        headers["User-Agent"] = user_agent
    return records.request_record(
        method=method,
        url=url,
        headers=headers,
        body=body,
        recipient=recipient,
        when=when,
        implicit_headers=["Host"],
    )


def response(when: float, seq: int, *, recipient: str = LE, status: int = 201) -> Record:
    """A ``response`` record for the request numbered *seq*."""
    return records.response_record(
        request_seq=seq,
        status=status,
        recipient=recipient,
        method="POST",
        url="https://acme-v02.api.letsencrypt.org/x",
        when=when,
    )


def issuance(
    when: float, domain: str, *, contact: Optional[str] = None, recipient: str = LE
) -> List[Record]:
    """The requests of one issuance (account, order, authz, finalize), without responses.

    With a *contact* (an email address) the account is registered first.
    """
    flow = [
        request(
            when,
            method="HEAD",
            url="https://acme-v02.api.letsencrypt.org/new-nonce",
            recipient=recipient,
        )
    ]
    if contact is not None:
        flow.append(request(when + 1, new_account_body(contact), recipient=recipient))
    flow += [
        request(when + 2, new_order_body(domain), recipient=recipient),
        request(when + 3, post_as_get_body(), recipient=recipient),
        request(when + 4, finalize_body(make_csr((domain,))), recipient=recipient),
    ]
    return flow


def with_responses(requests: Iterable[Record], first_seq: int = 0) -> List[Record]:
    """Interleave each request with its response, as the recorder writes them."""
    out: List[Record] = []
    for record in requests:
        seq = first_seq + len(out)
        out += [record, response(_when(record), seq, recipient=record["recipient"])]
    return out


def _when(record: Record) -> float:
    from datetime import datetime

    return datetime.fromisoformat(record["time"].replace("Z", "+00:00")).timestamp()


def ocsp_request(when: float, serial: int = 0x1234ABCD) -> Record:
    """An OCSP request (plain requests.post, its own recipient)."""
    body = ocsp_request_body(make_certificate(("www.example.org",), serial))
    headers = {"User-Agent": UA, "Content-Type": classify.OCSP_CONTENT_TYPE}
    url = "http://r3.o.lencr.org"
    return records.request_record(
        method="POST",
        url=url,
        headers=headers,
        body=body,
        recipient=classify.recipient_for(url, headers),
        when=when,
    )


def eff_request(when: float, email: str = "admin@example.org") -> Record:
    """The EFF mailing-list subscription POST."""
    body = f"data_type=json&email={email}&form_id=eff_supporters_library_subscribe_form"
    headers = {"User-Agent": UA, "Content-Type": "application/x-www-form-urlencoded"}
    return records.request_record(
        method="POST",
        url="https://supporters.eff.org/subscribe/certbot",
        headers=headers,
        body=body.encode(),
        recipient=classify.EFF_RECIPIENT,
        when=when,
    )


def write_log(path: Path, entries: Iterable[Record]) -> Path:
    """Append *entries* with the real writer; return *path*."""
    log = DisclosureLog(path)
    for entry in entries:
        log.append(entry)
    return path


def gzip_copy(path: Path, target: Path) -> Path:
    """Write *path* gzip-compressed to *target*, as logrotate's ``compress`` does."""
    target.write_bytes(gzip.compress(path.read_bytes()))
    return target


def fleet_log(path: Path) -> Path:
    """A small log of a fleet: two sites on Let's Encrypt, one unknown CA, OCSP, the EFF.

    example.org registers with a contact on 2024-05-01 and renews on 2024-07-30;
    example.net goes to an unknown CA on 2024-06-01 and one of its requests is marked as
    sent with privacy mode off; an OCSP check and an EFF subscription follow; one request
    to the EFF was blocked.
    """
    first = issuance(T0, "example.org", contact="admin@example.org")
    other = issuance(T0 + 31 * DAY, "example.net", recipient=UNKNOWN_CA)
    other[1]["privacy_mode"] = False
    renewal = issuance(T0 + 90 * DAY, "example.org")
    extras = [ocsp_request(T0 + 91 * DAY), eff_request(T0 + 92 * DAY)]
    blocked = records.blocked_record(
        reason="no consent", recipient=classify.EFF_RECIPIENT, when=T0 + 93 * DAY
    )
    consent = records.consent_record(
        purpose="share_email",
        text="Share it?",
        granted=True,
        recipient=LE,
        when=T0,
        values=["admin@example.org"],
    )
    return write_log(path, [consent, *with_responses(first + other + renewal + extras, 1), blocked])


def read_items(*paths: Path) -> List[source.Item]:
    """Every line of *paths* through the audit's reader."""
    return list(source.read([str(p) for p in paths]))


def lines_of(path: Path) -> List[bytes]:
    """The lines of a file, without newlines (the last one too, if it has none)."""
    data = path.read_bytes()
    lines = data.split(b"\n")
    return lines[:-1] if data.endswith(b"\n") else lines


def assert_fits(text: str, columns: int = 80) -> None:
    """Every line of *text* takes at most *columns* terminal columns (wide characters two)."""
    from certbot_privacy._internal.rules import layout

    wide = [line for line in text.splitlines() if layout.width(line) > columns]
    assert not wide, f"{len(wide)} lines wider than {columns} columns: {wide[:3]}"


def unwrapped(text: str) -> str:
    """*text* with verify's hanging-indent continuation lines joined back to their entry
    (for tests that look for a whole sentence; set COLUMNS wide enough that no long file
    name is cut)."""
    import re

    return re.sub(r"\n  (?=\S)", " ", text)


def checked_verify_text(argv: Sequence[str], code: int, out: str) -> str:
    """For a ``verify`` text output *out* of *argv* (exit *code*): check that every line
    fits 80 columns, then return the same verdict laid out 120 wide with its entries joined
    back into one line each (so that a long test path is not cut where a test looks)."""
    import pytest

    from certbot_privacy._internal.audit import cli

    if list(argv[:1]) != ["verify"] or "--format" in argv:
        return out
    assert_fits(out, 80)
    wide = io.StringIO()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("COLUMNS", "120")
        patch.setattr(sys, "stdout", wide)
        assert cli.main(list(argv)) == code
    return unwrapped(wide.getvalue())
