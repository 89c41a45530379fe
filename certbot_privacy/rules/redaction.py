"""Credentials in outgoing requests are recorded as redacted, never in clear (pure).

Privacy mode sees every request the certbot process makes, not only those to the CA: a
DNS plugin that calls its provider's API with ``requests`` (for DNS-01) sends API tokens
in headers such as ``Authorization`` or ``X-Auth-Key``, or in a JSON or form body. The
disclosure log records that such a request was made and to whom, but a credential is not
personal data about the admin: it is a secret, and a log that auditors read (and that
``--privacy-syslog`` copies to syslog) must not become a second credentials file.

So the values of headers and body fields whose *names* say they hold a credential are
replaced by ``[redacted sha256:<first 16 hex digits>]``: an auditor can still tell two
requests used the same credential, and nobody can read it. The record lists what was
redacted in ``redacted``. ACME requests carry none of these (a JWS is signed, never
sent with a bearer secret), so their bodies are always recorded byte for byte.
"""

import hashlib
import json
import re
from typing import Any, Dict, List, Mapping, Optional, Tuple
from urllib.parse import parse_qsl, urlencode

#: Header or field names that hold credentials (matched anywhere in the name, any case).
SECRET_NAME = re.compile(
    r"authoriz|cookie|token|secret|passw|api[-_]?key|auth[-_]?key|access[-_]?key|"
    r"private[-_]?key|signature|credential|x-auth",
    re.IGNORECASE,
)

_FORM = "application/x-www-form-urlencoded"


def redacted(value: str) -> str:
    """Return what is recorded instead of the credential *value*."""
    digest = hashlib.sha256(value.encode("utf-8", "surrogateescape")).hexdigest()
    return f"[redacted sha256:{digest[:16]}]"


def redact_headers(headers: Mapping[str, str]) -> Tuple[Dict[str, str], List[str]]:
    """Return *headers* with credential values redacted, and the names redacted."""
    result: Dict[str, str] = {}
    names: List[str] = []
    for name, value in headers.items():
        if SECRET_NAME.search(name):
            result[name] = redacted(value)
            names.append(f"header:{name}")
        else:
            result[name] = value
    return result, names


def redact_body(body: bytes, content_type: str) -> Tuple[bytes, List[str]]:
    """Return a JSON or form *body* with credential fields redacted, and their names.

    Other bodies (and JSON or form bodies with no such field) come back unchanged.
    """
    if _FORM in content_type.lower():
        try:
            pairs = parse_qsl(body.decode("ascii"), keep_blank_values=True, strict_parsing=True)
        except (UnicodeDecodeError, ValueError):
            return body, []
        fields = [f"body:{k}" for k, _ in pairs if SECRET_NAME.search(k)]
        if not fields:
            return body, []
        cleaned = [(k, redacted(v) if SECRET_NAME.search(k) else v) for k, v in pairs]
        return urlencode(cleaned).encode("ascii"), fields
    stripped = body.lstrip()
    if stripped[:1] not in (b"{", b"["):
        return body, []
    try:
        data = json.loads(body)
    except ValueError:
        return body, []
    names: List[str] = []
    cleaned_data = _redact_json(data, names, None)
    if not names:
        return body, []
    return json.dumps(cleaned_data, separators=(",", ":")).encode("utf-8"), names


def _redact_json(data: Any, names: List[str], path: Optional[str]) -> Any:
    if isinstance(data, dict):
        result = {}
        for key, value in data.items():
            where = f"{path}.{key}" if path else str(key)
            if SECRET_NAME.search(str(key)) and isinstance(value, (str, int, float)):
                result[key] = redacted(str(value))
                names.append(f"body:{where}")
            else:
                result[key] = _redact_json(value, names, where)
        return result
    if isinstance(data, list):
        return [_redact_json(item, names, path) for item in data]
    return data
