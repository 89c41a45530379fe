"""Building disclosure records (pure): plain data in, a ``dict`` for one log line out.

The builders take method, URL, headers, body bytes, recipient and time, and never touch
the network, the file system or certbot. ``seq`` and ``prev`` belong to the position in
a file: :mod:`.writer` adds them when it appends. The personal data in a request is
classified by :mod:`.classify`; the format itself (version, layout, categories) is
:mod:`.schema`'s. The private-key guard (:mod:`certbot_privacy._internal.rules.keyguard`) checks
what a request would *send* here, and every record the writer appends there: once each,
as it is the costliest step of a record.
"""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING, Any, Iterable, Mapping, Optional

from certbot_privacy._internal.log.classify import (
    CT_RECIPIENT,
    Known,
    Record,
    classify,
    content_type,
    decode_jws,
    header_dict,
)
from certbot_privacy._internal.log.schema import SCHEMA_VERSION, rfc3339
from certbot_privacy._internal.rules.keyguard import ensure_no_private_key

if TYPE_CHECKING:
    from certbot_privacy._internal.log.classify import Headers


def request_record(
    *,
    method: str,
    url: str,
    headers: Headers,
    body: Optional[bytes],
    recipient: str,
    when: float,
    implicit_headers: Iterable[str] = (),
    exact: bool = True,
    known: Optional[Known] = None,
) -> Record:
    """Build the ``request`` record of a request about to be sent.

    *headers* are every header as sent (a mapping, or name/value pairs; repeated names
    are joined with ``", "`` as HTTP allows); *implicit_headers* names those among them
    that the HTTP library adds itself (``Host``), so a reader knows they were derived.

    With *exact* (a request to the ACME server, OCSP, the EFF:
    :func:`~certbot_privacy._internal.log.classify.recorded_exactly`) the record holds the URL,
    every header and the exact *body* (``None`` for none): as UTF-8 text in ``body``,
    otherwise base64 in ``body_b64``, a JWS decoded into ``jws``. Otherwise (a DNS
    provider's API) only what :func:`certbot_privacy._internal.rules.redaction.redact_request`
    keeps: the URL without user info or query values, the allowed headers' values, the
    body's structure in ``body_redacted`` with its harmless values and the disclosures
    *known* to the run (names, DNS-01 values), ``redacted`` saying where values were left
    out. Raises :class:`~certbot_privacy._internal.errors.PrivateKeyError` if what would be sent
    holds a private key, whoever receives it.
    """
    header_map = header_dict(headers)
    data = body or b""
    ensure_no_private_key({"url": url, "headers": header_map, "body": _searched_as(data)})
    decoded = decode_jws(data) if exact else None
    notes: list[str] = []
    personal = classify(
        method,
        url,
        header_map,
        data,
        decoded,
        recipient,
        notes,
        None if exact else known or Known(),
    )
    record: Record = {
        "schema": SCHEMA_VERSION,
        "time": rfc3339(when),
        "event": "request",
        "recipient": recipient,
        "method": method,
        "url": url,
        "headers": header_map,
    }
    implicit = [name for name in implicit_headers if name in header_map]
    if implicit:
        record["implicit_headers"] = implicit
    if exact or not data:
        record.update(_body_fields(data))
        if decoded is not None:
            record["jws"] = decoded
    if not exact:
        # Imported here: requests to the ACME server (all a webroot or standalone run
        # sends) are recorded exactly, and the redaction rules cost their import.
        from certbot_privacy._internal.rules import redaction

        kept = known or Known()
        redacted = redaction.redact_request(
            url, header_map, data, content_type(header_map), keep=kept.keeps
        )
        record["url"], record["headers"] = redacted.url, redacted.headers
        if redacted.body is not None:
            record["body_redacted"] = redacted.body
            record["body_bytes"] = len(data)
        if redacted.where:
            record["redacted"] = redacted.where
    record["personal_data"] = personal
    if notes:
        record["classification_notes"] = notes
    published = _publication(decoded, personal)
    if published:
        record["published"] = published
    return record


#: Why the names of a finalized order are public (the ``published`` entry's ``reason``).
CT_REASON = (
    "a publicly trusted CA logs every certificate it issues, with these names, in public "
    "Certificate Transparency logs (RFC 6962): anyone can read them, for good"
)


def _publication(
    jws: Optional[Mapping[str, Any]], personal: Mapping[str, list[Any]]
) -> list[dict[str, Any]]:
    """The ``published`` field of a request that finalizes an order (its payload has a CSR).

    The names in the CSR go from the CA to the public Certificate Transparency logs.
    """
    payload = jws.get("payload") if jws is not None else None
    if not isinstance(payload, Mapping) or not isinstance(payload.get("csr"), str):
        return []
    names = {c: list(personal[c]) for c in ("domain", "ip_identifier") if personal.get(c)}
    if not names:
        return []
    return [{"recipient": CT_RECIPIENT, "personal_data": names, "reason": CT_REASON}]


def response_record(
    *,
    request_seq: int,
    status: int,
    recipient: str,
    method: str,
    url: str,
    when: float,
    reason: Optional[str] = None,
    extra: Optional[Mapping[str, Any]] = None,
) -> Record:
    """Build the ``response`` record: what came back for the request numbered *request_seq*.

    *extra* adds informative fields (``location``, ``problem_type``).
    """
    record: Record = {
        "schema": SCHEMA_VERSION,
        "time": rfc3339(when),
        "event": "response",
        "request": request_seq,
        "recipient": recipient,
        "method": method,
        "url": url,
        "status": status,
    }
    if reason:
        record["reason"] = reason
    record.update(extra or {})
    return record


def error_record(
    *,
    request_seq: int,
    error: str,
    recipient: str,
    method: str,
    url: str,
    when: float,
    error_type: Optional[str] = None,
    withheld: Iterable[str] = (),
) -> Record:
    """Build the ``error`` record: sending the request numbered *request_seq* failed.

    The request may or may not have reached the recipient (a timeout after sending).
    *withheld* names fields recorded as a digest (they looked like a private key).
    """
    record: Record = {
        "schema": SCHEMA_VERSION,
        "time": rfc3339(when),
        "event": "error",
        "request": request_seq,
        "recipient": recipient,
        "method": method,
        "url": url,
        "error": error,
    }
    if error_type:
        record["error_type"] = error_type
    withheld = list(withheld)
    if withheld:
        record["withheld"] = withheld
    return record


def consent_record(
    *,
    purpose: str,
    text: str,
    granted: bool,
    recipient: str,
    when: float,
    values: Iterable[str] = (),
    how: Optional[str] = None,
    extra: Optional[Mapping[str, Any]] = None,
) -> Record:
    """Build a ``consent`` record: a decision, the exact *text* shown, and what it covers.

    *purpose* names what is decided: ``contact`` (sending the contact email to the CA),
    ``contact_withdrawn`` (removing it) or ``eff`` (passing it to the EFF); *values* the
    data it concerns; *how* the way the decision was taken: ``interactive`` (the admin
    answered the prompt), ``flag`` (``--privacy-share-email``), ``withdraw``
    (``--privacy-withdraw-email``) or ``not_asked`` (the EFF question, when the CA got no
    address). *extra*
    adds fields such as ``recipient_name``, ``language`` and the ``answer`` typed.
    """
    record: Record = {
        "schema": SCHEMA_VERSION,
        "time": rfc3339(when),
        "event": "consent",
        "recipient": recipient,
        "purpose": purpose,
        "decision": "granted" if granted else "refused",
        "text": text,
        "values": list(values),
    }
    if how:
        record["how"] = how
    for key, value in (extra or {}).items():
        record.setdefault(key, value)
    return record


def blocked_record(
    *,
    reason: str,
    recipient: str,
    when: float,
    method: Optional[str] = None,
    url: Optional[str] = None,
    headers: Optional[Headers] = None,
    body: Optional[bytes] = None,
) -> Record:
    """Build a ``blocked`` record: a request the plugin refused to send, and why.

    Whatever is known of the request is kept, with the personal data it would have
    disclosed, so an auditor sees what was withheld.
    """
    if method is not None and url is not None:
        record = request_record(
            method=method, url=url, headers=headers or {}, body=body, recipient=recipient, when=when
        )
        record["personal_data"].pop("ip_address", None)  # nothing left the host
        record["event"] = "blocked"
    else:
        record = {
            "schema": SCHEMA_VERSION,
            "time": rfc3339(when),
            "event": "blocked",
            "recipient": recipient,
        }
        for name, value in (("method", method), ("url", url)):
            if value is not None:
                record[name] = value
    record["reason"] = reason
    return record


def _searched_as(data: bytes) -> bytes | str:
    """What the key guard searches of a body: as text when the text says all the bytes do.

    ASCII without NUL that does not start like DER (``0``, a SEQUENCE): the guard's
    search of such a text does all its search of the bytes (the same PEM and JSON
    checks; DER and PKCS#12 need a leading 0x30) and more. The record's ``body`` is
    that very text, so the writer's check of the record finds it searched already.
    """
    if data[:1] != b"0" and data.isascii() and b"\0" not in data:
        return data.decode("ascii")
    return data


def _body_fields(data: bytes) -> Record:
    try:
        return {"body": data.decode("utf-8")}
    except UnicodeDecodeError:
        return {"body_b64": base64.b64encode(data).decode("ascii")}


def notice_record(*, kind: str, recipient: str, when: float, **fields: Any) -> Record:
    """Build a ``notice`` record: something that sent nothing but an auditor must see.

    *kind* names it (``privacy_on``, ``privacy_off``, ``eff_subscription_cancelled``;
    ``terms_changed`` with ``expected`` and ``announced``, the terms of service URL the CA
    facts expect and what the directory announced; ``facts_stale`` with ``checked`` and
    ``max_age_months``); *recipient* is whom it concerns (the CA's directory URL, the
    EFF); *fields* add details (``scope``, ``name``, ``by``, ``values``, ``ca``,
    ``message``), as plain JSON values.
    """
    record: Record = {
        "schema": SCHEMA_VERSION,
        "time": rfc3339(when),
        "event": "notice",
        "recipient": recipient,
        "kind": kind,
    }
    record.update(fields)
    return record


def connection_record(
    *,
    recipient: str,
    host: str,
    port: Optional[int],
    address: Optional[str],
    transport: str,
    via: str,
    module: str,
    plugin: Optional[str],
    seen: str,
    own: Optional[str],
    when: float,
) -> Record:
    """Build a ``connection`` record: the process is about to reach a destination first.

    Written by the audit hook below every library (``socket.connect``, ``sendto``,
    ``sendmsg``, ``getaddrinfo``, ``gethostbyname``, ``gethostbyaddr``); *seen* is
    ``request`` when a request-level adapter has recorded the request being sent, else
    ``connection``; *own* marks certbot's own local traffic (``standalone``, ``syslog``).
    """
    return {
        "schema": SCHEMA_VERSION,
        "time": rfc3339(when),
        "event": "connection",
        "recipient": recipient,
        "host": host,
        "port": port,
        "address": address,
        "transport": transport,
        "via": via,
        "opened_by": {"module": module, "plugin": plugin},
        "seen": seen,
        "own": own,
    }


def hook_record(
    *,
    kind: str,
    executable: str,
    args: list[Any],
    env: Mapping[str, Any],
    personal_data: Mapping[str, list[Any]],
    when: float,
    name: Optional[str] = None,
) -> Record:
    """Build a ``hook`` record: certbot is about to run a hook (another process).

    *env* holds what certbot hands the hook (``CERTBOT_DOMAIN``, ``RENEWED_DOMAINS``, ...),
    *args* the command's arguments as redacted; the hook's own traffic is outside the
    log's view (``seen: "none"``).
    """
    record: Record = {
        "schema": SCHEMA_VERSION,
        "time": rfc3339(when),
        "event": "hook",
        "recipient": f"hook {executable}",
        "kind": kind,
        "executable": executable,
        "args": args,
        "env": dict(env),
        "personal_data": {name: list(values) for name, values in personal_data.items()},
        "seen": "none",
    }
    if name is not None:
        record["name"] = name
    return record


def coverage_record(
    *,
    phase: str,
    run: str,
    request_level: Iterable[str],
    unseen: Iterable[Mapping[str, Any]],
    strict: bool,
    when: float,
    destinations: Optional[Iterable[Mapping[str, Any]]] = None,
) -> Record:
    """Build a ``coverage`` record: what this run sees at which level (``start``), and at
    the end of the process what it reached (``end``, with *destinations*)."""
    record: Record = {
        "schema": SCHEMA_VERSION,
        "time": rfc3339(when),
        "event": "coverage",
        "recipient": "local",
        "phase": phase,
        "run": run,
        "request_level": list(request_level),
        "connection_level": True,
        "unseen": [dict(item) for item in unseen],
        "strict": strict,
    }
    if destinations is not None:
        record["destinations"] = [dict(item) for item in destinations]
    return record
