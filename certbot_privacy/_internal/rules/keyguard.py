"""The guard that keeps private keys out of requests and out of the disclosure log (pure).

:func:`ensure_no_private_key` refuses (raises) rather than cleans: a request that would
carry a key is a bug, and it must not be sent; :func:`withhold_private_keys` replaces a
key-like value a *server* sent by its digest. It looks at keys, not letters: PEM
boundaries, JWK private members in objects with a ``kty``, DER keys and PKCS#12 stores
in base64, base64url (also as a segment of a URL path) and hex, after removing
whitespace and decoding form, query and percent encodings. A last line of
defence, not a proof: see ``docs/how-it-works.rst``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import itertools
import json
import re
from typing import Any, Dict, Iterable, List, Mapping, Optional, Tuple, TypeVar, Union
from urllib.parse import parse_qsl, unquote_plus

from certbot_privacy._internal.errors import PrivateKeyError

#: JWK members that only a private key has (RFC 7518 section 6).
PRIVATE_JWK_MEMBERS = frozenset({"d", "p", "q", "dp", "dq", "qi", "oth"})

#: A PEM private key boundary, also with ``+`` or ``%20`` for spaces (form-encoded).
_PEM_MARKER = (
    r"-----BEGIN(?:[ +]|%20)(?:[A-Z0-9]+(?:[ +]|%20))*PRIVATE"
    r"(?:[ +]|%20)KEY-----"
)
#: What every PEM boundary begins with: where it is absent, the pattern cannot match, and
#: looking for it is much cheaper than running the pattern over a whole body. So the
#: pattern is compiled (re keeps it) only the first time a text has a boundary at all:
#: ACME requests carry none, and compiling it cost every private run more than its use.
_PEM_START = "-----BEGIN"
_PEM_START_BYTES = _PEM_START.encode("ascii")
#: The base64url alphabet (RFC 4648 section 5); with ``+`` and ``/``, both alphabets.
BASE64URL_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
_BASE64_LETTERS = BASE64URL_LETTERS + "+/"


def _is_base64(text: str) -> bool:
    """Whether *text* is base64 or base64url (both alphabets) with at most two ``=`` of
    padding: what ``[A-Za-z0-9+/_-]+={0,2}`` matches in full, without compiling it on
    every private run (stripping the letters leaves nothing only if all are letters)."""
    letters = text.rstrip("=")
    return bool(letters) and len(text) - len(letters) <= 2 and not letters.strip(_BASE64_LETTERS)


#: The length of the smallest DER private key in base64 (Ed25519, PKCS#8: 48 bytes).
_MIN_KEY_BASE64 = 64
#: A word of base64 inside other text.
_BASE64_WORD = re.compile(r"[A-Za-z0-9+/_-]{" + str(_MIN_KEY_BASE64) + r",}={0,2}")
#: Hex of at least the smallest DER private key (48 bytes), as one word.
_MIN_KEY_HEX = 96
_HEX_WORD = re.compile(r"[0-9a-fA-F]{96,}")
_MAX_DEPTH = 24
_MIN_ENCODED = 8  # shorter strings cannot hold a key worth decoding
#: The shortest text that can hold a private key in any form this guard knows: a JSON
#: object with a kty and a private member, '{"kty":1,"d":1}', has 15 characters.
_MIN_KEY_TEXT = 15
#: How many strings one search looks at, at most (each encoding layer adds some).
_BUDGET = 100_000
#: Strings (and decoded bytes) whose whole search found no key, remembered so that they
#: are not searched again: the writer's check of a record meets again the URL, headers and
#: body that the check of its request searched, and every request of a run repeats the
#: account's key and URL. Bounded: at most this many values, of at most this many
#: characters (bytes) in all, then it starts again empty; longer values are not remembered.
_CLEAN_STRINGS = 1024
_CLEAN_CHARS = 1 << 20
_CLEAN_LONGEST = 1 << 16
_clean: Dict[Union[str, bytes], None] = {}
_clean_chars = 0

T = TypeVar("T")


def ensure_no_private_key(record: T) -> T:
    """Return *record* unchanged, or raise :class:`PrivateKeyError` if it holds a private key."""
    found = find_private_key(record)
    if found is not None:
        raise PrivateKeyError(found)
    return record


def find_private_key(value: Any) -> Optional[str]:
    """Say what private key *value* holds (``"a PEM private key ..."``), or ``None``."""
    try:
        _Scanner().scan(value, 0)
    except PrivateKeyError as error:
        return str(error)
    return None


def withhold_private_keys(
    fields: Mapping[str, Any], names: Iterable[str]
) -> Tuple[Dict[str, Any], List[str]]:
    """Return *fields* with each of *names* that holds a private key replaced by its digest.

    For what came from a server (a response's ``Location``): such a value is no secret of
    this host's, but it must not reach the log either. The replacement is ``sha256:`` and
    the hex SHA-256 of the value's JSON text, so that two records can still be compared;
    the second result lists the names replaced.
    """
    result = dict(fields)
    withheld: List[str] = []
    for name in names:
        if name in result and find_private_key(result[name]) is not None:
            result[name] = digest_of(result[name])
            withheld.append(name)
    return result, withheld


def digest_of(value: Any) -> str:
    """``sha256:`` and the hex SHA-256 of *value*'s JSON text: what stands in for it."""
    text = json.dumps(value, sort_keys=True, ensure_ascii=False)
    return "sha256:" + hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def withhold_server_values(
    url: str, headers: Mapping[str, str], body: bytes, values: Mapping[str, str]
) -> Tuple[str, Dict[str, str], bytes, List[str]]:
    """What a request's record holds when the request carries key-like *values* a server sent.

    A CA's account ``Location`` that looks like a private key is recorded as its digest
    (:func:`withhold_private_keys`), but certbot must still send it back as the JWS
    ``kid`` (and may post to it): the request goes out as it is, and its record gets the
    digest in its place. *values* maps each such value to its digest. Returns the URL,
    headers and body for the record, and the names of the fields replaced (``url``,
    ``headers``, ``kid``).
    """
    names: List[str] = []
    for value, digest in values.items():
        if value in url:
            url = url.replace(value, digest)
            names.append("url")
    new_headers = dict(headers)
    for name, header in headers.items():
        for value, digest in values.items():
            if value in header:
                new_headers[name] = header = header.replace(value, digest)
                names.append("headers")
    body, replaced = _withhold_kid(body, values)
    return url, new_headers, body, list(dict.fromkeys(names + replaced))


def _withhold_kid(body: bytes, values: Mapping[str, str]) -> Tuple[bytes, List[str]]:
    """A JWS *body* whose protected ``kid`` is one of *values*, with its digest instead."""
    try:
        outer = json.loads(body)
        protected = json.loads(_decode_base64(outer["protected"]) or b"")
        kid = protected["kid"]
    except (ValueError, KeyError, TypeError):
        return body, []
    if not isinstance(kid, str) or kid not in values:
        return body, []
    protected["kid"] = values[kid]
    encoded = base64.urlsafe_b64encode(json.dumps(protected).encode("utf-8")).rstrip(b"=")
    outer["protected"] = encoded.decode("ascii")
    return json.dumps(outer).encode("utf-8"), ["kid"]


class _Scanner:
    """One search, with a budget of strings to look at (nested encodings branch)."""

    def __init__(self) -> None:
        self.budget = _BUDGET
        #: Whether a limit (depth, budget) stopped the search anywhere since it was reset:
        #: then what was searched is not known to be clean wherever it appears again.
        self.cut = False

    def scan(self, value: Any, depth: int) -> None:
        if depth > _MAX_DEPTH:
            self.cut = True
            return
        # Plain types first, by their exact type (what JSON and records are made of):
        # isinstance against typing's Mapping goes through typing's and abc's subclass
        # hooks, which cost more than the rest of a scan.
        kind = type(value)
        if kind is dict:
            self._mapping(value, depth)
        elif kind is list or kind is tuple:
            self._each(value, depth + 1)
        elif isinstance(value, str):
            self.text(value, depth)
        elif value is None or isinstance(value, (int, float)):  # bool too: nothing to see
            return
        elif isinstance(value, (dict, Mapping)):
            self._mapping(value, depth)
        elif isinstance(value, (list, tuple)):
            self._each(value, depth + 1)
        elif isinstance(value, (bytes, bytearray)):
            self.binary(bytes(value), depth)

    def _mapping(self, value: Mapping[Any, Any], depth: int) -> None:
        """:meth:`scan` a mapping: a JWK's private members, then its keys and values."""
        if "kty" in value:
            for key in value:
                if key in PRIVATE_JWK_MEMBERS or (key == "k" and value.get("kty") == "oct"):
                    raise PrivateKeyError(f"a JWK private member {key!r}")
        self._each(itertools.chain.from_iterable(value.items()), depth + 1)

    def _each(self, values: Iterable[Any], depth: int) -> None:
        """:meth:`scan` each of *values* at *depth* (a dict's keys and values in turn).

        What scan and :meth:`text` do for a string too short to hold a key (count it
        against the budget), a number or ``None`` (nothing) is done here, without a call
        each: most of a record's keys and values are such.
        """
        if depth > _MAX_DEPTH:
            for _ in values:  # scan would stop at each: one is enough to say so
                self.cut = True
                break
            return
        for value in values:
            kind = type(value)
            if kind is str:
                if len(value) >= _MIN_KEY_TEXT:
                    self.text(value, depth)
                    continue
                self.budget -= 1
                if self.budget < 0:
                    self.cut = True
            elif not (value is None or kind is int or kind is bool or kind is float):
                self.scan(value, depth)

    def text(self, text: str, depth: int) -> None:
        self.budget -= 1
        if depth > _MAX_DEPTH or self.budget < 0:
            self.cut = True
            return
        if len(text) < _MIN_KEY_TEXT or text in _clean:
            return
        outer, self.cut = self.cut, False
        self._search_text(text, depth)  # raises if it finds a key
        if not self.cut:
            # Searched in full and clean: at any depth, with any budget, a search of this
            # string looks at the same or less, and finds nothing.
            _remember_clean(text)
        self.cut = self.cut or outer

    def _search_text(self, text: str, depth: int) -> None:
        if _PEM_START in text and re.search(_PEM_MARKER, text):
            raise PrivateKeyError("a PEM private key")
        stripped = text.strip()
        if stripped[:1] in ("{", "[", '"'):
            self.json(stripped, depth)
        # Without whitespace: str.split() splits where \s matches (both ask
        # Py_UNICODE_ISSPACE), and costs a fraction of re.sub(r"\s+", "", ...).
        compact = "".join(stripped.split())
        if len(compact) >= _MIN_ENCODED and _is_base64(compact):
            data = _decode_base64(compact)
            if data is not None:
                self.binary(data, depth + 1)
            if "/" in compact and len(compact) >= _MIN_KEY_BASE64:
                # A path: base64url has no "/", so a key there is one segment of it.
                for segment in _segments(compact):
                    self.encoded(segment, depth)
        elif len(compact) >= _MIN_KEY_BASE64:
            for blob in _base64_blobs(stripped):
                self.encoded(blob, depth)
        if len(compact) >= _MIN_KEY_HEX:
            for word in _HEX_WORD.findall(compact):
                for start in {0, len(word) % 2}:  # an odd run: the key starts at 0 or 1
                    self.binary(
                        bytes.fromhex(word[start : len(word) - (len(word) - start) % 2]), depth + 1
                    )
        if "=" in text:
            self.form(text, depth)
        elif "%" in text or "+" in text:
            decoded = unquote_plus(text)
            if decoded != text:
                self.text(decoded, depth + 1)

    def encoded(self, blob: str, depth: int) -> None:
        """Scan what the base64 (or base64url) *blob* decodes to, if it decodes."""
        data = _decode_base64(blob)
        if data is not None:
            self.binary(data, depth + 1)

    def form(self, text: str, depth: int) -> None:
        """Scan the values of a form body or of a URL's query (``a=1&b=2``), decoded."""
        query = text.split("?", 1)[1] if "?" in text and "://" in text[:16] else text
        try:
            pairs = parse_qsl(query.split("#", 1)[0], keep_blank_values=False)
        except ValueError:
            return
        for _, value in pairs:
            if value != text:
                self.text(value, depth + 1)

    def binary(self, data: bytes, depth: int) -> None:
        if depth > _MAX_DEPTH:
            self.cut = True
            return
        if data in _clean:
            return
        outer, self.cut = self.cut, False
        self._search_binary(data, depth)  # raises if it finds a key
        if not self.cut:
            _remember_clean(data)  # as for a string (text)
        self.cut = self.cut or outer

    def _search_binary(self, data: bytes, depth: int) -> None:
        # latin-1 maps each byte to the same code point: the boundary is in both or neither.
        if _PEM_START_BYTES in data and re.search(_PEM_MARKER, data.decode("latin-1")):
            raise PrivateKeyError("a PEM private key (encoded)")
        if data.lstrip()[:1] in (b"{", b"[", b'"'):
            self.json(data, depth)
        elif _is_der_private_key(data):
            raise PrivateKeyError("a DER-encoded private key")
        elif _is_pkcs12(data):
            raise PrivateKeyError("a PKCS#12 key store")
        else:
            try:
                text = data.decode("ascii")
            except UnicodeDecodeError:
                return
            self.text(text, depth + 1)

    def json(self, text: Union[str, bytes], depth: int) -> None:
        try:
            value = json.loads(text)
        except (ValueError, RecursionError):
            return
        self.scan(value, depth + 1)


def _remember_clean(text: Union[str, bytes]) -> None:
    """Remember that *text* holds no key (within the bounds of :data:`_CLEAN_STRINGS`)."""
    global _clean_chars
    if len(text) > _CLEAN_LONGEST:
        return
    if len(_clean) >= _CLEAN_STRINGS or _clean_chars + len(text) > _CLEAN_CHARS:
        _clean.clear()
        _clean_chars = 0
    _clean[text] = None
    _clean_chars += len(text)


#: At most this many ``/`` in one word are tried as boundaries (runs of path segments).
_MAX_SLASHES = 16


def _segments(text: str) -> List[str]:
    """The runs of segments of a path (or of a base64 word with ``/`` in it) long enough
    to be a key: base64url has no ``/``, and standard base64 may (``a/<key>/b``)."""
    parts = text.split("/")
    if len(parts) > _MAX_SLASHES + 1:
        return [part for part in parts if len(part) >= _MIN_KEY_BASE64]
    runs = []
    for start in range(len(parts)):
        for end in range(start + 1, len(parts) + 1):
            if (start, end) != (0, len(parts)):
                run = "/".join(parts[start:end])
                if len(run) >= _MIN_KEY_BASE64:
                    runs.append(run)
    return runs


def _base64_blobs(text: str) -> List[str]:
    """The base64 inside *text*: words long enough to be a key (and their path segments:
    base64url inside a URL path), and blocks of lines as PEM and MIME wrap base64 (lines
    of one length, the last one shorter or equal), joined."""
    blobs: List[str] = []
    for word in _BASE64_WORD.findall(text):
        blobs.append(word)
        if "/" in word:
            blobs += _segments(word)
    block: List[str] = []
    for line in [*text.splitlines(), ""]:
        line = line.strip()
        if not (line and _is_base64(line)):
            line = ""
        if block and line and len(line) <= len(block[0]) and len(block[-1]) == len(block[0]):
            block.append(line)
            continue
        if len(block) > 1:
            blobs.append("".join(block))
        block = [line] if len(line) >= 16 else []
    return blobs


def _decode_base64(text: str) -> Optional[bytes]:
    """Decode base64 or base64url, padded or not; ``None`` if it is neither."""
    normal = text.rstrip("=").replace("-", "+").replace("_", "/")
    if len(normal) % 4 == 1:
        return None
    try:
        return base64.b64decode(normal + "=" * (-len(normal) % 4), validate=True)
    except (binascii.Error, ValueError):
        return None


#: PKCS#12 (RFC 7292): a SEQUENCE, INTEGER version 3, then the authSafe ContentInfo of
#: type data or signedData (OID 1.2.840.113549.1.7.1 or .2).
_PKCS12_VERSION = b"\x02\x01\x03"
_PKCS7_DATA_OIDS = (
    b"\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x07\x01",
    b"\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x07\x02",
)


def _is_pkcs12(data: bytes) -> bool:
    """Whether *data* is a PKCS#12 store (which holds a private key, encrypted or not)."""
    if data[:1] != b"\x30" or _PKCS12_VERSION not in data[:8]:
        return False
    head = data[:40]
    return any(oid in head for oid in _PKCS7_DATA_OIDS)


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
