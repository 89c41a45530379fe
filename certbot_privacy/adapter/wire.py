"""The one choke point where every outgoing HTTP request of the certbot process is seen.

"Every" means every request made with ``requests``: certbot's and acme's (ACME, ARI, OCSP,
the EFF) and those of plugins that use ``requests`` (most DNS plugins). The single layer
that sees all of them with their final headers is ``requests.Session.send``; this module
wraps it (once, when privacy mode first switches on) and applies the run's
:class:`WirePolicy` to each request: the User-Agent is replaced, the observer sees the
request *before* it is sent (if it raises, the request is not sent: the log fails
closed), then the response or the exception. With no policy the original ``send`` runs
untouched. HTTP sent by other libraries (botocore) or hook scripts is not seen.
"""

from dataclasses import dataclass
from typing import Any, Callable, Optional, Protocol

import requests

from certbot_privacy.adapter.patching import Patch
from certbot_privacy.adapter.state import RUN


class Observer(Protocol):
    """Sees each request before it leaves and what came of it."""

    def before_send(self, request: requests.PreparedRequest) -> object:
        """Called with the final request; raise to stop it from being sent."""

    def after_send(self, token: object, response: requests.Response) -> None:
        """Called with the response; *token* is what :meth:`before_send` returned."""

    def send_failed(self, token: object, error: BaseException) -> None:
        """Called when sending raised; the exception propagates afterwards."""


@dataclass(frozen=True)
class WirePolicy:
    """What privacy mode applies to every outgoing request."""

    user_agent: str
    observer: Optional[Observer] = None


def set_policy(policy: Optional[WirePolicy]) -> None:
    """Make *policy* apply to every request from now on; ``None`` passes requests through.

    The first call with a policy installs the wrapper around ``requests.Session.send``.
    """
    if policy is not None:
        SEND.start()
    RUN.policy = policy


def current_policy() -> Optional[WirePolicy]:
    """Return the policy in force, if any."""
    return RUN.policy


def _send(
    original: Callable[..., requests.Response],
    session: requests.Session,
    request: requests.PreparedRequest,
    **kwargs: Any,
) -> requests.Response:
    policy = RUN.policy
    if policy is None:  # switched off between the check and here
        return original(session, request, **kwargs)
    request.headers["User-Agent"] = policy.user_agent
    observer = policy.observer
    if observer is None:
        return original(session, request, **kwargs)
    token = observer.before_send(request)
    try:
        # Redirects are followed inside send() by calling session.send again, so each
        # hop passes through this wrapper and is observed as a request of its own.
        response = original(session, request, **kwargs)
    except BaseException as error:
        observer.send_failed(token, error)
        raise
    first = response.history[0] if response.history else response
    observer.after_send(token, first)
    return response


#: ``requests.Session.send``, wrapped while privacy mode is on.
SEND = Patch(requests.Session, "send", _send, when=lambda: RUN.policy is not None)
