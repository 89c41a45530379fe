"""The one choke point where every outgoing HTTP request of the certbot process is seen.

"Every" means every request made with ``requests``: certbot's and acme's (ACME, ARI, OCSP,
the EFF) and those of plugins that use ``requests`` (most DNS plugins). The single layer
that sees all of them with their final headers is ``requests.Session.send``; this module
wraps it (once, when privacy mode first switches on: :func:`install`, called by the run
state, which owns the policy) and applies the run's :class:`WirePolicy` to each request:
the User-Agent is replaced, the observer sees the request *before* it is sent (if it
raises, the request is not sent: the log fails closed), then the response or the
exception. The texts of ACME problem documents in a JSON answer (``detail`` and
``title``, wherever they are: an error answer, a challenge's ``error``, ``subproblems``),
which certbot shows as they are, are made safe for a terminal
(:func:`certbot_privacy._internal.rules.escape.escape_fields`) after the observer saw the answer as
received. With no policy the original ``send`` runs untouched. HTTP sent by other
libraries (botocore) or hook scripts is not seen.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Callable, Optional

import requests

from certbot_privacy._internal.adapter import inflight, patching
from certbot_privacy._internal.adapter.patching import Patch
from certbot_privacy._internal.rules import escape, useragent

#: The members of an ACME problem document (RFC 8555 section 6.7) that certbot shows.
PROBLEM_TEXTS = ("detail", "title")


if TYPE_CHECKING:  # a Protocol costs import time on every private run; it only types
    from typing import Protocol

    class Observer(Protocol):
        """Sees each request before it leaves and what came of it."""

        def before_send(self, request: requests.PreparedRequest) -> object:
            """Called with the final request; raise to stop it from being sent."""

        def after_send(self, token: object, response: requests.Response) -> None:
            """Called with the response; *token* is what :meth:`before_send` returned."""

        def send_failed(self, token: object, error: BaseException) -> None:
            """Called when sending raised; the exception propagates afterwards."""


class WirePolicy:
    """What privacy mode applies to every outgoing request.

    A plain class (a ``NamedTuple`` costs a private run more to create than to use).
    """

    __slots__ = ("observer", "user_agent")

    def __init__(self, user_agent: str, observer: Optional[Observer] = None) -> None:
        self.user_agent = user_agent
        self.observer = observer


if TYPE_CHECKING:  # a typing alias too
    #: Returns the policy in force (``None``: privacy mode off).
    PolicySource = Callable[[], Optional[WirePolicy]]


def install(current: PolicySource) -> None:
    """Wrap ``requests.Session.send`` (once) to apply ``current()`` to every request."""

    def send(
        original: Callable[..., requests.Response],
        session: requests.Session,
        request: requests.PreparedRequest,
        **kwargs: Any,
    ) -> requests.Response:
        policy = current()
        if policy is None:  # switched off between the check and here
            return original(session, request, **kwargs)
        return _send(policy, original, session, request, **kwargs)

    patching.install(
        "send", lambda: Patch(requests.Session, "send", send, when=lambda: current() is not None)
    )


def _send(
    policy: WirePolicy,
    original: Callable[..., requests.Response],
    session: requests.Session,
    request: requests.PreparedRequest,
    **kwargs: Any,
) -> requests.Response:
    request.headers["User-Agent"] = policy.user_agent
    for name in [name for name in request.headers if useragent.describes_host(name)]:
        del request.headers[name]
    observer = policy.observer
    if observer is None:
        return original(session, request, **kwargs)
    token = observer.before_send(request)
    try:
        # Redirects are followed inside send() by calling session.send again, so each
        # hop passes through this wrapper and is observed as a request of its own.
        # The layers below (urllib3, http.client) see it in flight and record nothing.
        with inflight.sending(getattr(token, "seq", 0)):
            response = original(session, request, **kwargs)
    except BaseException as error:
        observer.send_failed(token, error)
        raise
    first = response.history[0] if response.history else response
    observer.after_send(token, first)
    if not kwargs.get("stream"):
        escape_problem_texts(response)
    return response


def escape_problem_texts(response: requests.Response) -> None:
    """Make the problem texts in a JSON answer safe to show (the body is changed in place).

    Only a body that parses as JSON and has a ``detail`` or ``title`` that is not printable
    is rewritten; every other answer is left byte for byte as received.
    """
    if "json" not in response.headers.get("Content-Type", ""):
        return
    try:
        document = json.loads(response.content)
    except ValueError:
        return
    clean = escape.escape_fields(document, PROBLEM_TEXTS)
    if clean != document:
        response._content = json.dumps(clean).encode("utf-8")
