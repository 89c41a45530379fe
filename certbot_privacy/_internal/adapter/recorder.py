"""The wire observer that writes the disclosure log: a record before each request leaves.

:class:`DisclosureRecorder` appends a ``request`` record *before* the wire sends the
request (if that fails, the request is not sent), then a ``response`` or ``error`` record
naming its ``seq``. Recorded exactly as sent: method, URL, every header plus the ``Host``
urllib3 adds itself (listed in ``implicit_headers``), and the body bytes as the HTTP
library encodes them (a streamed body is read into bytes first and sent as recorded).
A failure to record an outcome only logs an error: the request has gone, and the next
request stops the run if the log is still unwritable.

Requests to the ACME server (the origin of a directory URL in use, or of a URL its
directory lists), OCSP requests and the EFF's form are recorded byte for byte; every other
request (a DNS provider's API) by allowance (:mod:`certbot_privacy._internal.rules.redaction`),
keeping the names of the run's orders and the DNS-01 values announced by
:meth:`DisclosureRecorder.expect_challenge`; their outcomes say nothing the request record
left out. A server's header that looks like a private key is recorded as its digest, with
a warning.
"""

from __future__ import annotations

import contextlib
import logging
import time
from typing import TYPE_CHECKING, Any, Callable, Iterable, Mapping, Optional

import requests

from certbot_privacy._internal.errors import DisclosureLogError, PrivateKeyError, RecordError
from certbot_privacy._internal.log import classify, records
from certbot_privacy._internal.rules import keyguard, urls
from certbot_privacy._internal.rules.escape import printable

logger = logging.getLogger(__name__)

#: Headers that the HTTP library adds to the request itself, after :mod:`wire` sees it.
IMPLICIT_HEADERS = ("Host",)


if TYPE_CHECKING:  # a Protocol costs import time on every private run; it only types
    from typing import Protocol

    class Appender(Protocol):
        """Where records go: the log's writer (``log.writer.DisclosureLog``) or a fake."""

        path: str

        def append(self, record: Mapping[str, Any], durable: bool = True) -> Mapping[str, Any]:
            """Append *record* (on disk before returning if *durable*); return it as written."""


if TYPE_CHECKING:  # a typing alias too
    RecipientFor = Callable[[str, Mapping[str, str]], str]


class Outgoing:
    """What an HTTP library is about to send, in one neutral shape whatever the library.

    Each adapter (requests, urllib3, httpx, http.client) converts its own request into
    this and hands it to :meth:`DisclosureRecorder.record`, the one pipeline that builds
    the record (recipient, decoding, classification, key guard, redaction). Plain
    classes, this and :class:`Sent`: a ``NamedTuple`` costs a private run more to create
    than all its uses.
    """

    __slots__ = ("body", "headers", "implicit_headers", "method", "stack", "url")

    def __init__(
        self,
        stack: str,
        method: str,
        url: str,
        headers: Any,
        body: Optional[bytes],
        implicit_headers: tuple[str, ...] = (),
    ) -> None:
        #: The library that sends it: ``requests``, ``urllib3``, ``httpx``, ``http.client``.
        self.stack = stack
        self.method = method
        #: The full URL.
        self.url = url
        #: Every header as sent, in order (name/value pairs or a mapping).
        self.headers = headers
        #: The body bytes as sent (``None``: none); a stream is read into bytes first.
        self.body = body
        #: The headers the library adds itself, after the adapter saw the request (``Host``).
        self.implicit_headers = implicit_headers


class Sent:
    """What :meth:`DisclosureRecorder.before_send` remembers of a request (the wire token)."""

    __slots__ = ("exact", "method", "recipient", "secrets", "seq", "url")

    def __init__(
        self,
        seq: int,
        method: str,
        url: str,
        recipient: str,
        exact: bool = True,
        secrets: tuple[str, ...] = (),
    ) -> None:
        self.seq = seq
        self.method = method
        #: The URL as recorded (without what the allowance left out).
        self.url = url
        self.recipient = recipient
        #: Recorded byte for byte (the CA, OCSP, the EFF); else by allowance.
        self.exact = exact
        #: What the request record left out, to be left out of an error's text too.
        self.secrets = secrets

    def __repr__(self) -> str:  # never the secrets
        return f"Sent(seq={self.seq}, method={self.method!r}, url={self.url!r})"


class DisclosureRecorder:
    """Record every request before it is sent, and what came of it.

    *directory_urls*: the ACME directory URLs in use (``config.server``), so that requests
    to the CA are attributed to its directory URL; more can be added with
    :meth:`add_directory` (``renew`` may meet several CAs). *recipient_for* replaces the
    default naming (:func:`certbot_privacy._internal.log.records.recipient_for`); *clock* returns
    seconds since the epoch.
    """

    def __init__(
        self,
        log: Appender,
        *,
        directory_urls: Iterable[str] = (),
        recipient_for: Optional[RecipientFor] = None,
        clock: Callable[[], float] = time.time,
        on_order: Optional[Callable[[list[str]], None]] = None,
    ) -> None:
        self.log = log
        #: Called with an order's names before its newOrder request is recorded and sent.
        self.on_order = on_order
        self.directory_urls: list[str] = []
        #: Origins whose requests are the ACME server's (recorded exactly).
        self.acme_origins: set[str] = set()
        #: The disclosures this run knows of, kept in requests recorded by allowance.
        self.known = classify.Known()
        #: Key-like values a server sent (an account Location), and the digest recorded.
        self.server_values: dict[str, str] = {}
        self._recipient_for = recipient_for
        self.clock = clock
        for url in directory_urls:
            self.add_directory(url)

    def add_directory(self, url: str) -> None:
        """Attribute requests to *url*'s origin to that CA directory from now on."""
        if url not in self.directory_urls:
            self.directory_urls.append(url)
        with contextlib.suppress(ValueError):
            self.acme_origins.add(urls.origin(url))

    def expect_challenge(self, domain: str, name: str, value: Optional[str]) -> None:
        """Know that a DNS-01 validation for *domain* puts TXT *value* at *name*.

        A DNS plugin sends these to its provider's API: they are disclosures, recorded.
        """
        self.known.add_name(domain)
        if value is None:
            self.known.add_name(name)
        else:
            self.known.add_challenge(name, value)

    def recipient(self, url: str, headers: Mapping[str, str]) -> str:
        """Name who receives a request to *url* with *headers*."""
        if self._recipient_for is not None:
            return self._recipient_for(url, headers)
        return classify.recipient_for(url, headers, self.directory_urls)

    # --- the wire Observer ----------------------------------------------------------------

    def before_send(self, request: requests.PreparedRequest) -> Sent:
        """Append the ``request`` record of a ``requests`` request (see :meth:`record`)."""
        return self.record(outgoing_of(request))

    def record(self, out: Outgoing) -> Sent:
        """Append the ``request`` record; raises :class:`DisclosureLogError` if it cannot.

        Then the adapter does not send the request.
        """
        method, url = out.method, out.url
        headers = classify.header_dict(out.headers)
        given = {name.lower() for name in headers}
        implicit = [name for name in out.implicit_headers if name.lower() not in given]
        if implicit:  # the library writes Host first, then the headers it was given
            headers = {"Host": urls.host_header(url), **headers}
        recipient = self.recipient(url, headers)
        exact = classify.recorded_exactly(url, headers, self.acme_origins)
        body = out.body
        withheld: list[str] = []
        if self.server_values:  # sent as it is; the record holds the digests (keyguard)
            url, headers, recorded, withheld = keyguard.withhold_server_values(
                url, headers, body or b"", self.server_values
            )
            body = recorded if withheld else body
        if exact and self.on_order is not None and body:
            names = _order_names(body)
            if names:
                self.on_order(names)
        try:
            record = records.request_record(
                method=method,
                url=url,
                headers=headers,
                body=body,
                recipient=recipient,
                when=self.clock(),
                implicit_headers=implicit,
                exact=exact,
                known=self.known,
            )
        except PrivateKeyError as error:
            raise DisclosureLogError(
                f"Refused to send {method} {printable(_shown(url, exact))} and to record it "
                f"in {self.log.path}: {error}, which must never leave this host; please "
                "report this bug to certbot-privacy."
            ) from None
        record["stack"] = out.stack
        if withheld:
            record["withheld"] = withheld
        written = self.log.append(record)
        if exact:
            for category in ("domain", "ip_identifier"):
                for name in record["personal_data"].get(category, ()):
                    self.known.add_name(name)
        return Sent(
            seq=written["seq"],
            method=method,
            url=record["url"],
            recipient=recipient,
            exact=exact,
            secrets=() if exact else _left_out(url, headers, record),
        )

    def append_request(self, record: classify.Record, secrets: tuple[str, ...] = ()) -> Sent:
        """Append a ``request`` record built elsewhere (a DNS message); return its token."""
        written = self.log.append(record)
        return Sent(
            seq=written["seq"],
            method=record["method"],
            url=record["url"],
            recipient=record["recipient"],
            exact=False,
            secrets=secrets,
        )

    def record_answer(
        self,
        token: object,
        status: int,
        reason: Optional[str] = None,
        location: Optional[str] = None,
        problem: Optional[str] = None,
    ) -> None:
        """Append the ``response`` record of the request *token* stands for (any stack)."""
        sent = _sent(token)
        extra: dict[str, Any] = {}
        if location and sent.exact:
            extra["location"] = location
        if problem:
            extra["problem_type"] = problem
        if reason:
            extra["reason"] = reason
        extra, withheld = keyguard.withhold_private_keys(
            extra, ("location", "problem_type", "reason")
        )
        if withheld:
            extra["withheld"] = withheld
            if "location" in withheld and location:
                # certbot sends it back (the account URL is the JWS kid): recorded as this.
                self.server_values[location] = extra["location"]
            logger.warning(
                "The answer of %s to %s %s had a %s that looks like a private key; it is "
                "recorded in the disclosure log as its digest only.",
                printable(sent.recipient),
                sent.method,
                printable(sent.url),
                " and a ".join(withheld),
            )
        self._append_quietly(
            lambda: records.response_record(
                request_seq=sent.seq,
                status=status,
                recipient=sent.recipient,
                method=sent.method,
                url=sent.url,
                when=self.clock(),
                reason=extra.pop("reason", None),
                extra=extra,
            )
        )

    def append_outcome(self, record: classify.Record) -> None:
        """Append an outcome record built elsewhere (a DNS answer), not durably."""
        self._append_quietly(lambda: record)

    def after_send(self, token: object, response: requests.Response) -> None:
        """Append the ``response`` record of a ``requests`` request (see :meth:`record_answer`)."""
        sent = _sent(token)
        if sent.exact and response.status_code == 200 and sent.url in self.directory_urls:
            self._learn_directory(response)
        self.record_answer(
            sent,
            response.status_code,
            reason=response.reason or None,
            location=response.headers.get("Location"),
            problem=_problem_type(response),
        )

    def send_failed(self, token: object, error: BaseException) -> None:
        """Append the ``error`` record: sending failed (it may have reached the recipient)."""
        sent = _sent(token)
        text = str(error) or type(error).__name__
        for secret in sent.secrets:
            text = text.replace(secret, "[redacted]")
        extra, withheld = keyguard.withhold_private_keys({"error": text}, ("error",))
        self._append_quietly(
            lambda: records.error_record(
                request_seq=sent.seq,
                error=extra["error"],
                error_type=type(error).__name__,
                recipient=sent.recipient,
                method=sent.method,
                url=sent.url,
                when=self.clock(),
                withheld=withheld,
            )
        )

    def _learn_directory(self, response: requests.Response) -> None:
        """The URLs an ACME directory lists are the ACME server's, whatever their origin."""
        try:
            directory = response.json()
        except ValueError:
            return
        if not isinstance(directory, dict):
            return
        for value in directory.values():
            if isinstance(value, str) and value.startswith("https://"):
                try:
                    self.acme_origins.add(urls.origin(value))
                except ValueError:
                    continue

    # --- records the email gate writes (consent, blocked), not the wire -------------------

    def record_consent(
        self,
        *,
        purpose: str,
        text: str,
        granted: bool,
        recipient: str,
        values: Iterable[str] = (),
        how: Optional[str] = None,
        extra: Optional[Mapping[str, Any]] = None,
    ) -> int:
        """Append a ``consent`` record (the exact *text* shown) and return its ``seq``.

        Raises :class:`DisclosureLogError`: data covered by an unrecorded consent must not
        be sent.
        """
        record = records.consent_record(
            purpose=purpose,
            text=text,
            granted=granted,
            recipient=recipient,
            values=values,
            how=how,
            when=self.clock(),
            extra=extra,
        )
        return int(self.log.append(record)["seq"])

    def record_blocked(
        self,
        *,
        reason: str,
        recipient: Optional[str] = None,
        request: Optional[requests.PreparedRequest] = None,
        method: Optional[str] = None,
        url: Optional[str] = None,
    ) -> int:
        """Append a ``blocked`` record for a request that will not be sent; return its ``seq``.

        Give the prepared *request* when there is one (its content is kept, so an auditor
        sees what was withheld), else what is known (*method*, *url*, *recipient*).
        """
        headers: Mapping[str, str] = {}
        body: Optional[bytes] = None
        if request is not None:
            method, url = request.method, request.url
            headers, body = dict(request.headers), _materialised_body(request)
        if recipient is None:
            recipient = self.recipient(url or "", headers) if url else "unknown"
        record = records.blocked_record(
            reason=reason,
            recipient=recipient,
            method=method,
            url=url,
            headers=headers,
            body=body,
            when=self.clock(),
        )
        return int(self.log.append(record)["seq"])

    def _append_quietly(self, build: Callable[[], classify.Record]) -> None:
        # Not durable: the outcome of a request already sent precedes nothing; it reaches
        # the disk with the next request's record (which must be durable) or at write-back.
        try:
            self.log.append(build(), durable=False)
        except (DisclosureLogError, RecordError) as error:
            logger.error("The outcome of a request that was sent could not be recorded: %s", error)


def _sent(token: object) -> Sent:
    if not isinstance(token, Sent):
        raise TypeError(f"not a token from DisclosureRecorder.before_send: {token!r}")
    return token


def _order_names(body: bytes) -> list[str]:
    """The identifier values of a newOrder request's JWS body; none for other requests."""
    decoded = classify.decode_jws(body)
    payload = decoded.get("payload") if decoded is not None else None
    identifiers = payload.get("identifiers") if isinstance(payload, dict) else None
    if not isinstance(identifiers, list):
        return []
    return [
        i["value"] for i in identifiers if isinstance(i, dict) and isinstance(i.get("value"), str)
    ]


def _shown(url: str, exact: bool) -> str:
    """A URL for a message: without user info and query when it goes to a DNS API, say."""
    if exact:
        return url
    from certbot_privacy._internal.rules import redaction

    return redaction.redact_url(url, lambda value: False, [])


def _left_out(url: str, headers: Mapping[str, str], record: Mapping[str, Any]) -> tuple[str, ...]:
    """The strings a request recorded by allowance carried that its record left out.

    An error's text (``Max retries exceeded with url: /zones?api_key=...``) may quote
    them; they are replaced there too. Short ones (a TTL) are no secret worth a search.
    """
    from urllib.parse import parse_qsl, urlsplit

    parts = urlsplit(url)
    found = [parts.netloc.rpartition("@")[0]] if "@" in parts.netloc else []
    found += [parts.query] if parts.query else []
    found += [v for _, v in parse_qsl(parts.query) if not record.get("url", "").count(v)]
    kept = urlsplit(record.get("url", "")).path.split("/")  # a token in the path too
    found += [segment for segment in parts.path.split("/") if segment not in kept]
    recorded = record.get("headers", {})
    found += [v for k, v in headers.items() if not isinstance(recorded.get(k, ""), str)]
    return tuple(sorted({v for v in found if len(v) >= 4}, key=len, reverse=True))


def outgoing_of(request: requests.PreparedRequest) -> Outgoing:
    """The neutral value of a prepared ``requests`` request (a streamed body is read)."""
    body = _materialised_body(request)
    return Outgoing(
        "requests",
        request.method or "GET",
        request.url or "",
        request.headers,
        body,
        IMPLICIT_HEADERS,
    )


def _materialised_body(request: requests.PreparedRequest) -> Optional[bytes]:
    """Return the body bytes as they will be sent; read a streamed body into bytes first."""
    body: Any = request.body
    if body is None or isinstance(body, bytes):
        return body
    if isinstance(body, (bytearray, memoryview)):
        return bytes(body)
    if isinstance(body, str):
        return body.encode(_str_body_encoding(), "replace")
    if hasattr(body, "read"):
        data = body.read()
    else:  # an iterable of chunks, sent chunked
        data = b"".join(c.encode("utf-8") if isinstance(c, str) else bytes(c) for c in body)
    data = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    request.body = data
    request.headers.pop("Transfer-Encoding", None)
    request.headers["Content-Length"] = str(len(data))
    return data


def _str_body_encoding() -> str:
    import urllib3

    major = str(getattr(urllib3, "__version__", "2")).split(".")[0]
    return "latin-1" if major in ("0", "1") else "utf-8"


def _problem_type(response: requests.Response) -> Optional[str]:
    """The ACME problem type (``urn:ietf:params:acme:error:badNonce``) of an error response."""
    if not response.headers.get("Content-Type", "").startswith("application/problem+json"):
        return None
    try:
        problem = response.json()
    except ValueError:
        return None
    kind = problem.get("type") if isinstance(problem, dict) else None
    return kind if isinstance(kind, str) else None
