"""What is kept of a request that does not go to the CA: an allowance, not a blocklist (pure).

A DNS provider's API request is recorded with the method, the URL without user info,
query values or path segments that are not known-harmless, only the values of
:data:`ALLOWED_HEADERS`, and of a JSON or form body its structure with the harmless
values and the disclosures the caller names (*keep*: domain names, DNS-01 values);
every other value becomes ``{"redacted": true, "bytes": n}``. Requests to the ACME
server, OCSP and the EFF are recorded byte for byte (the recorder decides which those
are). See ``docs/how-it-works.rst``.
"""

import json
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Mapping, Optional, Union
from urllib.parse import parse_qsl, quote, unquote, unquote_plus, urlsplit, urlunsplit

#: Header names (lower-case) whose values are recorded; every other value is redacted.
ALLOWED_HEADERS = frozenset(
    {
        "host",
        "user-agent",
        "content-type",
        "content-length",
        "accept",
        "accept-encoding",
        "connection",
    }
)

#: DNS record types: a value a DNS API receives that is never a secret.
RECORD_TYPES = frozenset(
    {"A", "AAAA", "CAA", "CNAME", "MX", "NS", "PTR", "SOA", "SRV", "TXT", "TLSA", "DS"}
)

#: Integers up to this size (a TTL, a port, a priority, a page size) are harmless.
_SMALL_INTEGER = 10**6

#: What a redacted query value is replaced by in the recorded URL.
QUERY_REDACTED = "[redacted]"

_FORM = "application/x-www-form-urlencoded"

JSONValue = Any
Keep = Callable[[str], bool]


def redacted(size: int) -> Dict[str, Union[bool, int]]:
    """Return what is recorded instead of a value of *size* bytes."""
    return {"redacted": True, "bytes": size}


def harmless(value: JSONValue) -> bool:
    """Whether a JSON scalar can be recorded whatever the request: it cannot be a secret."""
    if value is None or isinstance(value, bool):
        return True
    if isinstance(value, int):
        return abs(value) < _SMALL_INTEGER
    if isinstance(value, str):
        return value == "" or value.upper() in RECORD_TYPES
    return False


@dataclass
class Redacted:
    """What is recorded of a request: URL, headers, body (JSON-ready) and what was redacted."""

    url: str
    headers: Dict[str, Any]
    #: The body as recorded (``None``: there was none): a JSON value, form pairs, or a
    #: redaction of the whole body.
    body: Optional[JSONValue]
    #: Where values were redacted: ``url:userinfo``, ``url:path:N``, ``query:NAME``,
    #: ``query`` (a bare token), ``header:NAME``, ``body:PATH`` (``body`` for a whole body).
    where: List[str] = field(default_factory=list)


def redact_request(
    url: str,
    headers: Mapping[str, str],
    body: bytes,
    content_type: str,
    keep: Keep = lambda value: False,
) -> Redacted:
    """Keep of a request only what is harmless or a disclosure (see the module doc).

    *keep* says whether a string value (a query value, a body field) is a disclosure to
    record, such as a domain name the request is about.
    """
    where: List[str] = []
    return Redacted(
        url=redact_url(url, keep, where),
        headers=redact_headers(headers, where),
        body=redact_body(body, content_type, keep, where) if body else None,
        where=where,
    )


def redact_url(url: str, keep: Keep, where: List[str]) -> str:
    """Return *url* without user info, and with query values, bare query tokens and path
    segments replaced unless kept or harmless."""
    try:
        parts = urlsplit(url)
        hostname, port = parts.hostname, parts.port
    except ValueError:
        where.append("url")
        return QUERY_REDACTED
    netloc = parts.netloc
    if "@" in netloc:
        where.append("url:userinfo")
        host = f"[{hostname}]" if hostname and ":" in hostname else hostname or ""
        netloc = host if port is None else f"{host}:{port}"
    path = redact_path(parts.path, keep, where)
    query = parts.query
    if query:
        kept = []
        for part in query.split("&"):
            if not part:
                continue
            if "=" not in part:  # a bare token (update.php?TOKEN) is a value, not a name
                token = unquote_plus(part)
                if keep(token) or harmless_segment(token):
                    kept.append(quote(token, safe=""))
                else:
                    where.append("query")
                    kept.append(QUERY_REDACTED)
                continue
            name, value = (unquote_plus(x) for x in part.split("=", 1))
            if value == "" or keep(value) or harmless(value):
                kept.append(f"{quote(name, safe='')}={quote(value, safe='')}")
            else:
                where.append(f"query:{name}")
                kept.append(f"{quote(name, safe='')}={QUERY_REDACTED}")
        query = "&".join(kept)
    return urlunsplit((parts.scheme, netloc, path, query, parts.fragment))


#: Path segments (and bare query tokens) recorded as they are: API words (``zones``,
#: ``dns_records``, ``dnsZones``: up to 24 letters, ``_`` and ``-``, few capitals),
#: versions (``v1``, ``1.0``, ``2013-04-01``), small numbers (a record's id), file and
#: host names (``update.php``, ``example.com``). Anything else (a token, a key, an
#: account's hash) is redacted, whatever it is called.
_HARMLESS_SEGMENT = re.compile(
    r"[A-Za-z][A-Za-z_-]{0,23}"  # an API word: letters, "_" and "-" (few capitals)
    r"|v[0-9]{1,2}(?:\.[0-9]{1,2})?|[0-9]{1,2}\.[0-9]{1,2}"  # a version
    r"|[0-9]{4}-[0-9]{2}-[0-9]{2}"  # a dated API version
    r"|[0-9]{1,9}"  # a small number
    r"|(?:[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,12}"  # a name
)


def harmless_segment(segment: str) -> bool:
    """Whether a URL path segment or bare query token is known-harmless (see above)."""
    if segment == "" or harmless(segment):
        return True
    if not _HARMLESS_SEGMENT.fullmatch(segment):
        return False
    # dnsZones and resourceGroups are words; kXbQmZvLwPsT is a token.
    return sum(c.isupper() for c in segment.split(".")[0]) <= _CAPITALS


#: Capitals an API word may have (camelCase: ``resourceGroups``); a token has more.
_CAPITALS = 3


def redact_path(path: str, keep: Keep, where: List[str]) -> str:
    """Return *path* with each segment that is neither known-harmless nor kept redacted.

    The segment is replaced by ``[redacted]``; *where* gets ``url:path:N`` (N from 1 for the
    first segment after the leading ``/``).
    """
    segments = path.split("/")
    for number, segment in enumerate(segments):
        text = unquote(segment)
        if harmless_segment(text) or keep(text):
            continue
        where.append(f"url:path:{number}")
        segments[number] = QUERY_REDACTED
    return "/".join(segments)


def redact_headers(headers: Mapping[str, str], where: List[str]) -> Dict[str, Any]:
    """Return *headers* with every value not in :data:`ALLOWED_HEADERS` redacted."""
    result: Dict[str, Any] = {}
    for name, value in headers.items():
        if name.lower() in ALLOWED_HEADERS:
            result[name] = value
        else:
            result[name] = redacted(len(value.encode("utf-8", "surrogateescape")))
            where.append(f"header:{name}")
    return result


def redact_body(body: bytes, content_type: str, keep: Keep, where: List[str]) -> JSONValue:
    """Return the recorded form of a non-empty *body* (see the module doc)."""
    if _FORM in content_type.lower():
        try:
            pairs = parse_qsl(body.decode("ascii"), keep_blank_values=True, strict_parsing=True)
        except (UnicodeDecodeError, ValueError):
            pairs = None
        if pairs is not None:
            return [[name, _leaf(value, keep, f"body:{name}", where)] for name, value in pairs]
    if body.lstrip()[:1] in (b"{", b"["):
        try:
            data = json.loads(body)
        except (ValueError, RecursionError):
            pass
        else:
            return _redact_json(data, keep, "body:", where)
    where.append("body")
    return redacted(len(body))


def _leaf(value: JSONValue, keep: Keep, path: str, where: List[str]) -> JSONValue:
    if harmless(value) or (isinstance(value, str) and keep(value)):
        return value
    where.append(path)
    text = value if isinstance(value, str) else json.dumps(value)
    return redacted(len(text.encode("utf-8", "surrogatepass")))


def _redact_json(data: JSONValue, keep: Keep, path: str, where: List[str]) -> JSONValue:
    if isinstance(data, dict):
        prefix = path if path.endswith(":") else path + "."
        return {
            key: _redact_json(value, keep, prefix + str(key), where) for key, value in data.items()
        }
    if isinstance(data, list):
        return [_redact_json(item, keep, f"{path}[{i}]", where) for i, item in enumerate(data)]
    return _leaf(data, keep, path, where)


#: A command-line option without a value (``-s``, ``--fail``): never a secret.
_OPTION = re.compile(r"-{1,2}[A-Za-z][A-Za-z0-9-]*")

#: Words of a shell command that are syntax, not values.
_SHELL_SYNTAX = frozenset({"|", "||", "&&", ";", "&", ">", ">>", "<", "2>", "2>&1", ">&2"})


def redact_command_args(args: List[str], keep: Keep = lambda value: False) -> List[Any]:
    """Return a hook command's arguments as recorded: credentials never, the rest kept.

    Kept: options without a value (``-X``, ``--silent``), shell syntax, absolute paths,
    harmless values and the disclosures *keep* names (domains, DNS-01 values); a URL
    loses its user info and query values (:func:`redact_url`); every other word (a token
    after ``-H``, ``user:password`` after ``-u``, ``--key=...``) becomes a redaction.
    """
    result: List[Any] = []
    for arg in args:
        if (
            _OPTION.fullmatch(arg)
            or arg in _SHELL_SYNTAX
            or keep(arg)
            or harmless(arg)
            or (arg.startswith("/") and "=" not in arg and ":" not in arg)
        ):
            result.append(arg)
        elif "://" in arg and " " not in arg:
            where: List[str] = []
            result.append(redact_url(arg, keep, where))
        else:
            result.append(redacted(len(arg.encode("utf-8", "surrogateescape"))))
    return result
