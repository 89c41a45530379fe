"""Is this line a disclosure record? The contract fields of schema 1, checked (pure).

The JSON Schema (``log/record-1.json``) is the full description of a record and the tests
validate every log against it; ``jsonschema`` is a test-only dependency, though, and the
audit tool must run wherever certbot runs. So this module checks, by hand and fast, the
fields the audit relies on and the log format (``docs/disclosure-log.rst``) makes a
contract: ``schema``, ``seq``, ``time``, ``event``, ``recipient``, ``prev``; on requests
``method``, ``url``, ``headers`` and ``personal_data``; on responses and errors
``request``. Other fields are left alone ("add fields freely, rename none").
:func:`check` returns ``None`` for a record, else one sentence saying what is wrong.
"""

import json
import re
from typing import Any, Dict, Optional, Tuple

from certbot_privacy._internal.errors import LogFormatError
from certbot_privacy._internal.log.reader import parse_line
from certbot_privacy._internal.log.schema import (
    EVENTS,
    LINE_START,
    SCHEMA_VERSION,
    WRITTEN_REST,
)

#: The rest of a written head (:data:`certbot_privacy._internal.log.schema.WRITTEN_REST`).
_WRITTEN_REST = re.compile(WRITTEN_REST)
#: The same, for a checker's inner loop (:func:`written_rest` without its call).
WRITTEN_REST_PATTERN = _WRITTEN_REST

#: Events that name the request they are about in ``request``.
_FOLLOW_UPS = frozenset({"response", "error"})
#: Events that carry ``personal_data`` (a blocked request: what it would have disclosed).
_DISCLOSING = frozenset({"request"})

_PREV = re.compile(r"sha256:[0-9a-f]{64}\Z")
#: UTC, RFC 3339 with milliseconds: in this one form, comparing strings compares times.
_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z\Z")

Record = Dict[str, Any]


def parse(raw: bytes) -> Tuple[Optional[Record], Optional[str]]:
    """Parse one line; return ``(record, None)`` or ``(None, what is wrong)``.

    The line is parsed once, by the log reader's strict parser (no repeated keys, no NaN:
    a line must not read one way to this tool and another way to the next), and then
    checked with :func:`check`.
    """
    try:
        value = parse_line(raw)
    except LogFormatError as error:
        return None, f"not a record: {error}"
    if _WRITTEN.match(raw) is not None and type(value.get("seq")) is int:
        # The head is in the writer's form, so schema, seq, time, event and the request
        # a follow-up answers are as the head shows them (a key given twice was refused):
        # only the rest needs checking.
        problem = _check_rest(value, value["event"])
    else:
        problem = check(value)
    if problem is not None:
        return None, problem
    record: Record = value
    return record, None


def written_rest(raw: bytes, start: int) -> bool:
    """Whether the head of *raw* goes on, from *start* (after :func:`written_head`), in the
    writer's form (:data:`certbot_privacy._internal.log.schema.WRITTEN_REST`).

    Cheap (one regular expression on the start of the line) and partial: it checks those
    fields (a UTC time, a known event, the request a response answers, a recipient), not
    that the rest is JSON. The hash chain vouches for the rest of a line whose digest the
    next line's ``prev`` matches: :mod:`.verify` relies on this for all lines but the last.
    """
    return _WRITTEN_REST.match(raw, start) is not None


def is_crash_fragment(raw: bytes) -> bool:
    """Whether *raw* can be what a crash leaves of a line: the start of one, cut short.

    The writer writes a whole line, ASCII only, with one ``write()``, so a crash can only
    leave a prefix of one: it begins as every line begins, is ASCII, and as JSON it is
    unfinished; never finished and followed by more ("Extra data": a record with something
    after it is no crash's work). A repeated key or a NaN makes a line no record, but it
    is whole JSON: no fragment either.
    """
    if not raw.isascii() or not (raw.startswith(LINE_START) or LINE_START.startswith(raw)):
        return False  # the writer writes ASCII only (non-ASCII is escaped)
    try:
        json.loads(raw)
    except json.JSONDecodeError as error:
        return error.msg != "Extra data"
    except RecursionError:
        return True
    return False


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


#: A line whose head is in the writer's form (:func:`written_head`, :data:`WRITTEN_REST`).
_WRITTEN = re.compile(
    re.escape(LINE_START) + rb"%d,\"seq\":(?P<seq>0|[1-9][0-9]*)," % SCHEMA_VERSION + WRITTEN_REST
)


#: How a line in the writer's form ends: its ``prev``, the last field.
_WRITTEN_TAIL = re.compile(rb',"prev":"sha256:[0-9a-f]{64}"\}\Z')
_TAIL_LENGTH = len(b',"prev":"sha256:') + 64 + len(b'"}')
#: Where a written line's ``prev`` value begins, from the line's end.
_PREV_START = -len(b'sha256:"}') - 64


#: What a repeated line has of its own: its ``seq``, ``time``, the line itself (whose
#: ``prev`` is its last field: :func:`repeated` reads it there, for the few that ask) and
#: the ``request`` it answers (``None`` but for a response or an error).
Fields = Tuple[int, str, bytes, Optional[int]]


def repeated(kept: Record, fields: Fields) -> Record:
    """The record of a line that repeats *kept*'s but for its *fields*
    (:meth:`Repeats.read`): *kept* with them, its nested values shared."""
    record = kept.copy()
    record["seq"], record["time"], line, request = fields
    record["prev"] = line[_PREV_START:-2].decode("ascii")
    if request is not None:
        record["request"] = request
    return record


class Repeats:
    """:func:`parse`, faster on a log's many lines that repeat an earlier one but for their
    ``seq``, ``time``, the ``request`` they answer and ``prev`` (a renewal timer's daily
    ARI requests and their responses are most of a big log).

    A line in the writer's form is its head (:data:`_WRITTEN`: ``schema`` to the opening
    quote of ``recipient``), a middle, and its tail (``,"prev":"sha256:<hex>"}``). The head
    and the tail differ from line to line only in digits inside a number and characters
    inside a string, so two lines with the same event and the same middle are the same
    JSON tokens but for those values: if one parsed and passed the contract checks, the
    other does too (no key given twice, no NaN: the keys and values are the same), and
    its record is the first's with those four fields replaced. The checks that depend on
    them are made again (a response's ``request`` must come before its ``seq``); anything
    else is parsed afresh by :func:`parse`, for the same message. A middle is kept once it
    was met three times, in bounded memory: in two generations of at most :data:`BYTES`
    each; when the newer is full, the older is dropped and the newer becomes the older,
    and a middle met again in the older moves to the newer (so a middle met every day
    stays kept, however many lines met once come between). The middles met fewer times
    are counted the same way, :data:`SEEN` to a generation. The records share their
    nested values: read them, do not change them.
    """

    #: The most bytes of middles kept in a generation, and the longest middle kept.
    BYTES = 2 * 1024 * 1024
    LONGEST = 4 * 1024
    #: How many times a middle is met before it is kept, and how many middles met fewer
    #: times are counted (by their hash) in a generation.
    MET = 3
    SEEN = 16384

    def __init__(self) -> None:
        self._known: Dict[bytes, Tuple[bytes, Record]] = {}
        self._older: Dict[bytes, Tuple[bytes, Record]] = {}
        self._seen: Dict[int, int] = {}
        self._seen_older: Dict[int, int] = {}
        self._strings: Dict[str, str] = {}
        self._bytes = 0
        #: How many times records were dropped (the older generation, or all): a caller
        #: that keeps something per kept record drops it too, not to keep them alive.
        self.drops = 0
        #: The :data:`Fields` of the line :meth:`read` last found repeated, else ``None``.
        self.hit: Optional[Fields] = None

    def parse(self, raw: bytes) -> Tuple[Optional[Record], Optional[str]]:
        """:func:`parse` *raw*: the same record or the same problem (:attr:`hit`: whether
        the record shares its nested values with a kept one)."""
        record, problem = self.read(raw)
        fields = self.hit
        if fields is None or record is None:
            return record, problem
        return repeated(record, fields), None

    def read(self, raw: bytes) -> Tuple[Optional[Record], Optional[str]]:
        """:meth:`parse` *raw*, without the copy on a repeated line: :attr:`hit` is then its
        :data:`Fields` and the record returned is the kept one, the first line's (read it,
        do not change it; :func:`repeated` gives this line's); else :attr:`hit` is ``None``
        and the record or problem is :func:`parse`'s."""
        self.hit = None
        head = _WRITTEN.match(raw)
        end = len(raw) - _TAIL_LENGTH
        if head is None or not 0 <= end - head.end() <= self.LONGEST:
            return parse(raw)
        tail = _WRITTEN_TAIL.match(raw, end)
        if tail is None:
            return parse(raw)
        middle = raw[head.end() : end]
        known = self._known.get(middle)
        if known is None and self._older:
            known = self._older.pop(middle, None)
            if known is not None:
                self._keep(middle, known)
        seq, time, event, follow, request = head.groups()
        event = event or follow
        if known is not None and known[0] == event:
            number = int(seq)
            answered = None if request is None else int(request)
            if answered is None or answered < number:
                self.hit = (number, time.decode("ascii"), raw, answered)
                return known[1], None
            return parse(raw)
        parsed, problem = parse(raw)
        if parsed is not None and known is None:
            self._admit(middle, event, parsed)
        return parsed, problem

    def clear(self) -> None:
        """Forget every middle (a new file: a fleet's hosts rarely share their lines)."""
        self._known.clear()
        self._older.clear()
        self._seen.clear()
        self._seen_older.clear()
        self._strings.clear()
        self._bytes = 0
        self.drops += 1

    def _admit(self, middle: bytes, event: bytes, record: Record) -> None:
        """Keep *middle*'s record once the middle was met :data:`MET` times (a middle met
        only twice, a retried request say, is not worth its memory)."""
        key = hash(middle)
        seen = self._seen
        met = seen.pop(key, 0) or self._seen_older.pop(key, 0)
        met += 1
        if met < self.MET:
            if len(seen) >= self.SEEN:
                self._seen_older, self._seen = seen, {}
            self._seen[key] = met
            return
        self._keep(middle, (event, self._shared(record)))

    def _keep(self, middle: bytes, known: Tuple[bytes, Record]) -> None:
        """Keep *known* in the newer generation (the older dropped if it is full)."""
        if self._bytes + len(middle) > self.BYTES:
            self._older, self._known = self._known, {}
            self._strings = {}
            self._bytes = 0
            self.drops += 1
        self._known[middle] = known
        self._bytes += len(middle)

    def _shared(self, value: Any) -> Any:
        """A copy of *value* whose strings (keys too) are those of the records kept before
        it, where equal: most of a record's strings are in every record to its recipient."""
        if value.__class__ is str:
            return self._strings.setdefault(value, value)
        if value.__class__ is dict:
            return {self._strings.setdefault(k, k): self._shared(v) for k, v in value.items()}
        if value.__class__ is list:
            return [self._shared(v) for v in value]
        return value


def check(value: object) -> Optional[str]:
    """Return ``None`` if *value* is a schema 1 record, else what is wrong with it."""
    if not isinstance(value, dict):
        return f"not a record: a JSON {_json_type(value)}, not an object"
    schema = value.get("schema")
    if schema != SCHEMA_VERSION or not _is_int(schema):
        if "schema" not in value:
            return 'not a record: no "schema" field'
        return (
            f'not a record of schema {SCHEMA_VERSION}: "schema" is '
            f"{_short(schema)} (this tool reads schema {SCHEMA_VERSION})"
        )
    seq = value.get("seq")
    if isinstance(seq, bool) or not isinstance(seq, int) or seq < 0:
        return _bad_field(value, "seq", "a whole number from 0")
    time = value.get("time")
    if not isinstance(time, str) or not _TIME.match(time):
        return _bad_field(value, "time", "a UTC time like 2024-05-01T12:34:56.789Z")
    event = value.get("event")
    if event not in EVENTS:
        return _bad_field(value, "event", "one of " + ", ".join(sorted(EVENTS)))
    if not isinstance(value.get("recipient"), str):
        return _bad_field(value, "recipient", "a string")
    return _check_rest(value, event)


def _check_rest(value: Record, event: object) -> Optional[str]:
    """The checks after the head's fields (``schema`` to ``recipient``)."""
    prev = value.get("prev")
    if prev.__class__ is not str or not _PREV.match(prev):
        return _bad_field(value, "prev", '"sha256:" and 64 lower-case hex digits')
    tail = value.get("truncated_tail")
    if tail is not None and not (
        isinstance(tail, dict)
        and _is_int(tail.get("bytes"))
        and isinstance(tail.get("sha256"), str)
    ):
        return _bad_field(value, "truncated_tail", 'an object with "bytes" and "sha256"')
    if event in _FOLLOW_UPS:
        request = value.get("request")
        if request.__class__ is not int or not 0 <= request < value["seq"]:  # bool is no int
            return _bad_field(value, "request", "the seq of an earlier request")
        return None
    if event == "request":
        for name in ("method", "url"):
            if not isinstance(value.get(name), str):
                return _bad_field(value, name, "a string")
        headers = value.get("headers")
        if headers.__class__ is not dict:
            return _bad_field(value, "headers", "an object of strings or redactions")
        for header in headers.values():  # a loop, not all(map(...)): most are strings
            if header.__class__ is not str and not _is_header_value(header):
                return _bad_field(value, "headers", "an object of strings or redactions")
    if event in _DISCLOSING or "personal_data" in value:
        return _check_personal_data(value)
    return None


def _is_header_value(value: object) -> bool:
    """A header value as sent, or ``{"redacted": true, "bytes": n}`` where it was left out."""
    return isinstance(value, str) or (
        isinstance(value, dict) and value.get("redacted") is True and _is_int(value.get("bytes"))
    )


def _check_personal_data(value: Record) -> Optional[str]:
    personal = value.get("personal_data")
    if not isinstance(personal, dict):
        return _bad_field(value, "personal_data", "an object")
    for category, values in personal.items():
        if not isinstance(values, list):
            return (
                f'not a record: "personal_data".{_short(category)} is {_short(values)}, not a list'
            )
    return None


def _bad_field(value: Record, name: str, expected: str) -> str:
    if name not in value:
        return f'not a record: no "{name}" field'
    return f'not a record: "{name}" is {_short(value[name])}, not {expected}'


def _json_type(value: object) -> str:
    if isinstance(value, list):
        return "array"
    if isinstance(value, str):
        return "string"
    if isinstance(value, bool) or value is None:
        return "literal"
    return "number"


def _short(value: object, limit: int = 40) -> str:
    """Show a JSON value in a message, cut to *limit* characters."""
    text = json.dumps(value, ensure_ascii=True)
    return text if len(text) <= limit else text[: limit - 1] + "…"
