"""Building disclosure records (pure): plain data in, a ``dict`` for one log line out.

The builders take method, URL, headers, body bytes, recipient and time, and never touch
the network, the file system or certbot. ``seq`` and ``prev`` belong to the position in
a file: :mod:`.writer` adds them when it appends. The personal data in a request is
classified by :mod:`.classify`; the format itself (version, layout, categories) is
:mod:`.schema`'s. Every builder ends with the private-key guard
(:func:`certbot_privacy.rules.keyguard.ensure_no_private_key`).
"""

import base64
from typing import Any, Iterable, Mapping, Optional

from certbot_privacy.log.classify import (
    Headers,
    Record,
    classify,
    content_type,
    decode_jws,
    header_dict,
)
from certbot_privacy.log.schema import SCHEMA_VERSION, rfc3339
from certbot_privacy.rules import redaction
from certbot_privacy.rules.keyguard import ensure_no_private_key


def request_record(
    *,
    method: str,
    url: str,
    headers: Headers,
    body: Optional[bytes],
    recipient: str,
    when: float,
    implicit_headers: Iterable[str] = (),
) -> Record:
    """Build the ``request`` record of a request about to be sent.

    *headers* are every header as sent (a mapping, or name/value pairs; repeated names
    are joined with ``", "`` as HTTP allows); *implicit_headers* names those among them
    that the HTTP library adds itself (``Host``), so a reader knows they were derived.
    *body* is the exact body (``None`` for none): as UTF-8 text in ``body``, otherwise
    base64 in ``body_b64``. A JWS body is decoded into ``jws``. Credentials (a DNS
    provider's API token, say) are redacted and listed in ``redacted``: see
    :mod:`certbot_privacy.rules.redaction`.
    """
    header_map, redactions = redaction.redact_headers(header_dict(headers))
    data = body or b""
    decoded = decode_jws(data)
    if decoded is None:  # a JWS is signed, never a bearer secret: always kept exact
        data, body_redactions = redaction.redact_body(data, content_type(header_map))
        redactions += body_redactions
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
    record.update(_body_fields(data))
    if redactions:
        record["redacted"] = redactions
    if decoded is not None:
        record["jws"] = decoded
    notes: list[str] = []
    record["personal_data"] = classify(method, url, header_map, data, decoded, recipient, notes)
    if notes:
        record["classification_notes"] = notes
    return ensure_no_private_key(record)


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
    return ensure_no_private_key(record)


def error_record(
    *,
    request_seq: int,
    error: str,
    recipient: str,
    method: str,
    url: str,
    when: float,
    error_type: Optional[str] = None,
) -> Record:
    """Build the ``error`` record: sending the request numbered *request_seq* failed.

    The request may or may not have reached the recipient (a timeout after sending).
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
    return ensure_no_private_key(record)


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

    *purpose* names what is decided: ``contact`` (sending the contact email to the CA) or
    ``contact_withdrawn`` (removing it); *values* the data it concerns; *how* the way the
    decision was taken: ``interactive`` (the admin answered the prompt), ``flag``
    (``--privacy-share-email``) or ``withdraw`` (``--privacy-withdraw-email``). *extra*
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
    return ensure_no_private_key(record)


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
    return ensure_no_private_key(record)


def _body_fields(data: bytes) -> Record:
    try:
        return {"body": data.decode("utf-8")}
    except UnicodeDecodeError:
        return {"body_b64": base64.b64encode(data).decode("ascii")}


def notice_record(*, kind: str, recipient: str, when: float, **fields: Any) -> Record:
    """Build a ``notice`` record: something that sent nothing but an auditor must see.

    *kind* names it (``privacy_on``, ``privacy_off``, ``eff_subscription_cancelled``);
    *recipient* is whom it concerns (the CA's directory URL, the EFF); *fields* add
    details (``scope``, ``name``, ``by``, ``values``), as plain JSON values.
    """
    record: Record = {
        "schema": SCHEMA_VERSION,
        "time": rfc3339(when),
        "event": "notice",
        "recipient": recipient,
        "kind": kind,
    }
    record.update(fields)
    return ensure_no_private_key(record)
