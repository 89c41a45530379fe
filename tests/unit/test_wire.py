"""The wire choke point, over a real local HTTP server and a real requests.Session."""

from typing import Any

import pytest
import requests

from certbot_privacy._internal.adapter import wire
from certbot_privacy._internal.adapter.state import RUN
from tests.helpers.http import LocalServer, Reply


@pytest.fixture
def server(local_server: LocalServer) -> LocalServer:
    """The local server, redirecting ``/redirect`` to ``/target``."""
    local_server.routes["/redirect"] = Reply(302, (("Location", "/target"),), b"")
    return local_server


class _Observer:
    def __init__(self, refuse: bool = False) -> None:
        self.events: list[tuple[str, Any]] = []
        self.refuse = refuse

    def before_send(self, request: requests.PreparedRequest) -> object:
        self.events.append(("before", (request.url, request.headers["User-Agent"])))
        if self.refuse:
            raise RuntimeError("log unwritable")
        return len(self.events)

    def after_send(self, token: object, response: requests.Response) -> None:
        self.events.append(("after", (token, response.status_code)))

    def send_failed(self, token: object, error: BaseException) -> None:
        self.events.append(("failed", (token, type(error).__name__)))


def test_no_policy_passes_requests_through_untouched(server: LocalServer) -> None:
    """Without privacy mode the request keeps requests' own User-Agent."""
    RUN.deactivate()
    requests.get(server.url + "/plain", timeout=30)
    assert [(h.method, h.path, h.user_agent) for h in server.hits] == [
        ("GET", "/plain", requests.utils.default_user_agent())
    ]


def test_policy_replaces_user_agent_on_plain_requests_calls(server: LocalServer) -> None:
    """requests.get/post (OCSP, EFF) get the policy's User-Agent, whatever they set."""
    RUN.activate(wire.WirePolicy(user_agent="CertbotACMEClient/9 python-requests/9"))
    requests.get(server.url + "/a", headers={"User-Agent": "Py/3.11 Debian"}, timeout=30)
    assert [(h.method, h.path, h.user_agent) for h in server.hits] == [
        ("GET", "/a", "CertbotACMEClient/9 python-requests/9")
    ]


def test_observer_sees_request_before_and_response_after(server: LocalServer) -> None:
    """Each request is observed with its final User-Agent, then its response."""
    observer = _Observer()
    RUN.activate(wire.WirePolicy(user_agent="UA/1", observer=observer))
    with requests.Session() as session:
        session.headers["User-Agent"] = "full/1 (Linux)"
        session.get(server.url + "/x", timeout=30)
    assert observer.events == [("before", (server.url + "/x", "UA/1")), ("after", (1, 200))]


def test_refusal_by_observer_means_nothing_is_sent(server: LocalServer) -> None:
    """If the observer cannot record a request, the server never receives it."""
    RUN.activate(wire.WirePolicy(user_agent="UA/1", observer=_Observer(refuse=True)))
    with pytest.raises(RuntimeError, match="log unwritable"):
        requests.get(server.url + "/secret", timeout=30)
    assert server.hits == []


def test_failed_send_is_reported_and_reraised() -> None:
    """A connection error reaches the observer and then the caller."""
    observer = _Observer()
    RUN.activate(wire.WirePolicy(user_agent="UA/1", observer=observer))
    with pytest.raises(requests.ConnectionError):
        requests.get("http://127.0.0.1:9/", timeout=30)
    assert observer.events[-1] == ("failed", (1, "ConnectionError"))


def test_each_redirect_hop_is_observed(server: LocalServer) -> None:
    """A redirect is a second request, seen on its own, both with the policy's UA."""
    observer = _Observer()
    RUN.activate(wire.WirePolicy(user_agent="UA/1", observer=observer))
    response = requests.get(server.url + "/redirect", timeout=30)
    assert response.status_code == 200
    assert [h.path for h in server.hits] == ["/redirect", "/target"]
    assert {h.user_agent for h in server.hits} == {"UA/1"}
    befores = [e for e in observer.events if e[0] == "before"]
    assert len(befores) == 2
    assert observer.events[-1] == ("after", (1, 302))


HOSTILE_PROBLEM = (
    b'{"type": "urn:ietf:params:acme:error:malformed", "status": 400,'
    b' "detail": "bad\\u001b[2J\\u001b]0;owned\\u0007 \\u202eorder",'
    b' "subproblems": [{"title": "t\\r", "detail": "x\\u001b[H"}]}'
)


def test_problem_texts_are_made_safe_after_the_observer_saw_them(server: LocalServer) -> None:
    """A problem's detail/title (nested too) reach certbot escaped; the log saw them raw."""
    server.routes["/problem"] = Reply(
        400, (("Content-Type", "application/problem+json"),), HOSTILE_PROBLEM
    )
    seen: list[bytes] = []

    class _Keeping(_Observer):
        def after_send(self, token: object, response: requests.Response) -> None:
            seen.append(response.content)

    RUN.activate(wire.WirePolicy(user_agent="UA/1", observer=_Keeping()))
    problem = requests.post(server.url + "/problem", timeout=30).json()
    assert seen == [HOSTILE_PROBLEM]
    assert problem["detail"] == "bad\\x1b[2J\\x1b]0;owned\\x07 \\u202eorder"
    assert problem["subproblems"] == [{"title": "t\\x0d", "detail": "x\\x1b[H"}]
    assert problem["type"] == "urn:ietf:params:acme:error:malformed"


def test_answers_without_hostile_texts_are_left_byte_for_byte(server: LocalServer) -> None:
    """Clean JSON, and anything that is not JSON, is passed on exactly as received."""
    clean = b'{"detail":  "fine", "status": 400}'
    server.routes["/clean"] = Reply(400, (("Content-Type", "application/problem+json"),), clean)
    server.routes["/text"] = Reply(200, (("Content-Type", "text/plain"),), b"\x1b[2J")
    RUN.activate(wire.WirePolicy(user_agent="UA/1", observer=_Observer()))
    assert requests.get(server.url + "/clean", timeout=30).content == clean
    assert requests.get(server.url + "/text", timeout=30).content == b"\x1b[2J"


def test_the_layers_below_see_which_record_is_in_flight(
    server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While requests sends, urllib3 (and the connection hook) see the record's seq."""
    import urllib3

    from certbot_privacy._internal.adapter import inflight

    seen: list[Any] = []
    urlopen = urllib3.HTTPConnectionPool.urlopen

    def spy(*args: Any, **kwargs: Any) -> Any:
        seen.append(inflight.current())
        return urlopen(*args, **kwargs)

    class _Token:
        seq = 41

    class _Recording(_Observer):
        def before_send(self, request: requests.PreparedRequest) -> object:
            super().before_send(request)
            return _Token()

    monkeypatch.setattr(urllib3.HTTPConnectionPool, "urlopen", spy)
    RUN.activate(wire.WirePolicy(user_agent="UA/1", observer=_Recording()))
    requests.get(server.url + "/x", timeout=30)
    assert seen == [41]
    assert inflight.current() is None


def test_inflight_nests_and_restores() -> None:
    """An inner send (a redirect hop) restores the outer one's seq when it ends."""
    from certbot_privacy._internal.adapter import inflight

    with inflight.sending(3):
        with inflight.sending(4):
            assert inflight.current() == 4
        assert inflight.current() == 3
    assert inflight.current() is None
