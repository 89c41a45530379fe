"""The guard that keeps private keys out of the disclosure log (pure).

The log records the exact bytes of every request, so a bug that put a private key into a
request, or into a record, would write it to disk. Every record builder in
:mod:`certbot_privacy.log.records` and the log writer pass records through
:func:`ensure_no_private_key`, which refuses (raises) rather than cleans: a record that
would hold a key is a bug to be fixed, and the request it describes must not be sent.

What it finds, anywhere in a record (keys, values, nested lists and objects), and also
inside strings that hold JSON, base64url (a JWS header or payload) or base64
(``body_b64``), one level of encoding after another:

* a PEM boundary ``-----BEGIN ... PRIVATE KEY-----`` (PKCS#8, PKCS#1, SEC 1, encrypted,
  OpenSSH), also form-encoded (``+`` or ``%20`` for spaces);
* a JWK private member: ``d``, ``p``, ``q``, ``dp``, ``dq``, ``qi``, ``oth`` as an object
  key anywhere, and ``k`` in a symmetric (``"kty": "oct"``) key;
* a DER-encoded private key (what ``cryptography`` loads as one).

It cannot find a key in an encoding it does not decode (raw key bytes, hex, compressed):
it is a last line of defence, not a proof.
"""

import base64
import binascii
import json
import re
from typing import Any, Mapping, Optional, TypeVar, Union

from certbot_privacy.errors import PrivateKeyError

#: JWK members that only a private key has (RFC 7518 section 6).
PRIVATE_JWK_MEMBERS = frozenset({"d", "p", "q", "dp", "dq", "qi", "oth"})

#: A PEM private key boundary, also with ``+`` or ``%20`` for spaces (form-encoded).
_PEM_MARKER = re.compile(
    r"-----BEGIN(?:[ +]|%20)(?:[A-Z0-9]+(?:[ +]|%20))*PRIVATE"
    r"(?:[ +]|%20)KEY-----"
)
_BASE64 = re.compile(r"[A-Za-z0-9+/_-]+={0,2}")
_MAX_DEPTH = 24
_MIN_ENCODED = 8  # shorter strings cannot hold a key worth decoding

T = TypeVar("T")


def ensure_no_private_key(record: T) -> T:
    """Return *record* unchanged, or raise :class:`PrivateKeyError` if it holds a private key."""
    _scan(record, 0)
    return record


def _scan(value: Any, depth: int) -> None:
    if depth > _MAX_DEPTH:
        return
    if isinstance(value, Mapping):
        for key, item in value.items():
            if key in PRIVATE_JWK_MEMBERS or (key == "k" and value.get("kty") == "oct"):
                raise PrivateKeyError(f"a JWK private member {key!r} is in the record")
            _scan(key, depth + 1)
            _scan(item, depth + 1)
    elif isinstance(value, (list, tuple)):
        for item in value:
            _scan(item, depth + 1)
    elif isinstance(value, str):
        _scan_text(value, depth)
    elif isinstance(value, (bytes, bytearray)):
        _scan_bytes(bytes(value), depth)


def _scan_text(text: str, depth: int) -> None:
    if _PEM_MARKER.search(text):
        raise PrivateKeyError("a PEM private key is in the record")
    stripped = text.strip()
    if stripped[:1] in ("{", "[", '"'):
        _scan_json(stripped, depth)
    elif len(stripped) >= _MIN_ENCODED and _BASE64.fullmatch(stripped):
        data = _decode_base64(stripped)
        if data is not None:
            _scan_bytes(data, depth + 1)


def _scan_bytes(data: bytes, depth: int) -> None:
    if _PEM_MARKER.search(data.decode("latin-1")):
        raise PrivateKeyError("a PEM private key is in the record (encoded)")
    if data.lstrip()[:1] in (b"{", b"[", b'"'):
        _scan_json(data, depth)
    elif _is_der_private_key(data):
        raise PrivateKeyError("a DER-encoded private key is in the record")
    else:
        try:
            text = data.decode("ascii")
        except UnicodeDecodeError:
            return
        _scan_text(text, depth + 1)


def _scan_json(text: Union[str, bytes], depth: int) -> None:
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        return
    _scan(value, depth + 1)


def _decode_base64(text: str) -> Optional[bytes]:
    """Decode base64 or base64url, padded or not; ``None`` if it is neither."""
    normal = text.rstrip("=").replace("-", "+").replace("_", "/")
    if len(normal) % 4 == 1:
        return None
    try:
        return base64.b64decode(normal + "=" * (-len(normal) % 4), validate=True)
    except (binascii.Error, ValueError):
        return None


def _is_der_private_key(data: bytes) -> bool:
    # PKCS#1, PKCS#8 and SEC 1 keys are a SEQUENCE that starts with a small INTEGER version.
    if data[:1] != b"\x30" or not any(v in data[:8] for v in (b"\x02\x01\x00", b"\x02\x01\x01")):
        return False
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives import serialization

    try:
        serialization.load_der_private_key(data, password=None)
    except TypeError:
        return True  # an encrypted PKCS#8 key is still a private key
    except (ValueError, UnsupportedAlgorithm):
        return False
    return True
