"""The one choke point where every outgoing HTTP request of the certbot process is seen.

"Every" means every request made with ``requests``: all of certbot's and acme's, and
those of plugins that use ``requests`` (most DNS plugins). A plugin that talks HTTP with
another library (botocore, for the Route 53 plugin) or a hook script is not seen.

Certbot's ACME traffic goes through ``acme.client.ClientNetwork``, its ARI checks through a
second, keyless ``ClientNetwork``, and OCSP checks and the EFF subscription through plain
``requests.post``. The single layer that sees all of them, with their final headers, is
``requests.Session.send``: this module wraps it, once per process, and then applies the
active :class:`WirePolicy` to each request:

1. the User-Agent header is replaced by the policy's;
2. the policy's observer sees the prepared request *before* it is sent; if the observer
   raises, the request is not sent (this is how the disclosure log fails closed);
3. the observer sees the response, or the exception if sending failed.

With no policy set, the wrapper calls the original ``send`` untouched, so a certbot run
without privacy mode behaves exactly as it would without the plugin.
"""

import threading
from dataclasses import dataclass
from typing import Any, Callable, Optional, Protocol

import requests


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


_lock = threading.Lock()
_policy: Optional[WirePolicy] = None
_original_send: Optional[Callable[..., requests.Response]] = None


def set_policy(policy: Optional[WirePolicy]) -> None:
    """Make *policy* apply to every request from now on; ``None`` passes requests through.

    The first call with a policy installs the wrapper around ``requests.Session.send``.
    """
    global _policy
    if policy is not None:
        _install()
    _policy = policy


def current_policy() -> Optional[WirePolicy]:
    """Return the policy in force, if any."""
    return _policy


def _install() -> None:
    global _original_send
    with _lock:
        if _original_send is not None:
            return
        original = requests.Session.send
        _original_send = original

        def send(self: requests.Session, request: requests.PreparedRequest,
                 **kwargs: Any) -> requests.Response:
            policy = _policy
            if policy is None:
                return original(self, request, **kwargs)
            return _send_with_policy(policy, original, self, request, kwargs)

        send.__wrapped__ = original  # type: ignore[attr-defined]
        send.__doc__ = original.__doc__
        requests.Session.send = send  # type: ignore[method-assign]


def _send_with_policy(policy: WirePolicy, original: Callable[..., requests.Response],
                      session: requests.Session, request: requests.PreparedRequest,
                      kwargs: dict[str, Any]) -> requests.Response:
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
