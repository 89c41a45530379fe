"""The wire observer that writes the disclosure log: a record before each request leaves.

:class:`DisclosureRecorder` appends a ``request`` record *before* the wire sends the
request (if that fails, the request is not sent), then a ``response`` or ``error`` record
naming its ``seq``. Recorded exactly as sent: method, URL, every header plus the ``Host``
urllib3 adds itself (listed in ``implicit_headers``), and the body bytes as the HTTP
library encodes them (a streamed body is read into bytes first and sent as recorded).
A failure to record an outcome only logs an error: the request has gone, and the next
request stops the run if the log is still unwritable.
"""

import logging
import time
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Mapping, Optional, Protocol

import requests

from certbot_privacy.errors import DisclosureLogError, PrivateKeyError, RecordError
from certbot_privacy.log import classify, records
from certbot_privacy.rules import urls

logger = logging.getLogger(__name__)

#: Headers that the HTTP library adds to the request itself, after :mod:`wire` sees it.
IMPLICIT_HEADERS = ("Host",)


class Appender(Protocol):
    """Where records go: :class:`certbot_privacy.log.writer.DisclosureLog` or a fake."""

    path: str

    def append(self, record: Mapping[str, Any]) -> Mapping[str, Any]:
        """Append *record* durably; return it as written, with its ``seq``."""


RecipientFor = Callable[[str, Mapping[str, str]], str]


@dataclass(frozen=True)
class Sent:
    """What :meth:`DisclosureRecorder.before_send` remembers of a request (the wire token)."""

    seq: int
    method: str
    url: str
    recipient: str


class DisclosureRecorder:
    """Record every request before it is sent, and what came of it.

    *directory_urls*: the ACME directory URLs in use (``config.server``), so that requests
    to the CA are attributed to its directory URL; more can be added with
    :meth:`add_directory` (``renew`` may meet several CAs). *recipient_for* replaces the
    default naming (:func:`certbot_privacy.log.records.recipient_for`); *clock* returns
    seconds since the epoch.
    """

    def __init__(
        self,
        log: Appender,
        *,
        directory_urls: Iterable[str] = (),
        recipient_for: Optional[RecipientFor] = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.log = log
        self.directory_urls: list[str] = list(directory_urls)
        self._recipient_for = recipient_for
        self.clock = clock

    def add_directory(self, url: str) -> None:
        """Attribute requests to *url*'s origin to that CA directory from now on."""
        if url not in self.directory_urls:
            self.directory_urls.append(url)

    def recipient(self, url: str, headers: Mapping[str, str]) -> str:
        """Name who receives a request to *url* with *headers*."""
        if self._recipient_for is not None:
            return self._recipient_for(url, headers)
        return classify.recipient_for(url, headers, self.directory_urls)

    # --- the wire Observer ----------------------------------------------------------------

    def before_send(self, request: requests.PreparedRequest) -> Sent:
        """Append the ``request`` record; raises :class:`DisclosureLogError` if it cannot.

        Then the wire does not send the request.
        """
        method = request.method or "GET"
        url = request.url or ""
        body = _materialised_body(request)
        headers = dict(request.headers)
        implicit = [name for name in IMPLICIT_HEADERS if name not in request.headers]
        if implicit:  # urllib3 writes Host first, then the prepared headers
            headers = {"Host": urls.host_header(url), **headers}
        recipient = self.recipient(url, headers)
        try:
            record = records.request_record(
                method=method,
                url=url,
                headers=headers,
                body=body,
                recipient=recipient,
                when=self.clock(),
                implicit_headers=implicit,
            )
        except PrivateKeyError as error:
            raise DisclosureLogError(
                f"Refused to send {method} {url} and to record it in {self.log.path}: "
                f"{error}, which must never leave this host; please report this bug to "
                "certbot-privacy."
            ) from None
        written = self.log.append(record)
        return Sent(seq=written["seq"], method=method, url=url, recipient=recipient)

    def after_send(self, token: object, response: requests.Response) -> None:
        """Append the ``response`` record of the request *token* stands for."""
        sent = _sent(token)
        extra: dict[str, Any] = {}
        location = response.headers.get("Location")
        if location:
            extra["location"] = location
        problem = _problem_type(response)
        if problem:
            extra["problem_type"] = problem
        self._append_quietly(
            lambda: records.response_record(
                request_seq=sent.seq,
                status=response.status_code,
                recipient=sent.recipient,
                method=sent.method,
                url=sent.url,
                when=self.clock(),
                reason=response.reason or None,
                extra=extra,
            )
        )

    def send_failed(self, token: object, error: BaseException) -> None:
        """Append the ``error`` record: sending failed (it may have reached the recipient)."""
        sent = _sent(token)
        self._append_quietly(
            lambda: records.error_record(
                request_seq=sent.seq,
                error=str(error) or type(error).__name__,
                error_type=type(error).__name__,
                recipient=sent.recipient,
                method=sent.method,
                url=sent.url,
                when=self.clock(),
            )
        )

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
        try:
            self.log.append(build())
        except (DisclosureLogError, RecordError) as error:
            logger.error("The outcome of a request that was sent could not be recorded: %s", error)


def _sent(token: object) -> Sent:
    if not isinstance(token, Sent):
        raise TypeError(f"not a token from DisclosureRecorder.before_send: {token!r}")
    return token


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
