"""Assertions about what the servers received, shared by the end-to-end tests.

The expected minimal User-Agent is computed here from the target's own certbot and
requests versions, independently of the plugin's code, so a plugin bug cannot make the
expectation agree with itself.
"""

import re
from pathlib import Path
from typing import Any, Iterable, Sequence

from harness.certbot_runner import CertbotResult, CertbotTarget
from harness.recording_proxy import RecordedRequest

#: Certbot's verbs: none may appear in a header in privacy mode.
VERBS = (
    "certonly",
    "renew",
    "register",
    "update_account",
    "show_account",
    "unregister",
    "revoke",
    "certificates",
    "delete",
    "install",
    "enhance",
    "reconfigure",
)

#: Fragments of certbot's full User-Agent that privacy mode must never send.
FULL_UA_FRAGMENTS = ("Authenticator/", "Installer/", "flags", "Py/", "(certbot")


def os_fragments() -> list[str]:
    """Names of this machine's operating system, as certbot's full User-Agent has them."""
    fragments = ["Linux"]
    try:
        text = Path("/etc/os-release").read_text(encoding="utf-8")
    except OSError:
        return fragments
    for key in ("NAME", "VERSION_CODENAME", "ID"):
        match = re.search(rf'^{key}="?([^"\n]+)"?$', text, re.MULTILINE)
        if match and len(match.group(1)) > 2:
            fragments.append(match.group(1))
    return fragments


def forbidden_fragments(target: CertbotTarget) -> list[str]:
    """What no header may contain in privacy mode, for *target*."""
    return [*FULL_UA_FRAGMENTS, *os_fragments(), target.python_version, *VERBS]


def assert_private(
    result: CertbotResult,
    target: CertbotTarget,
    *,
    user_agent: str = "",
    min_requests: int = 1,
    logged: bool = True,
) -> None:
    """Every request reached the server with the minimal (or the given) User-Agent.

    Also: no header carries OS, plugin, verb, flag or Python-version details, nothing
    tried to leave the loopback world, and (*logged*) the run's default disclosure log is
    sound and shows exactly these requests, each recorded before it was sent.
    """
    expected = user_agent or target.minimal_user_agent
    story = result.describe()
    assert len(result.requests) >= min_requests, story
    forbidden = forbidden_fragments(target)
    for request in result.requests:
        assert request.user_agent == expected, f"{request}: UA {request.user_agent!r}\n{story}"
        for name, value in request.headers:
            leaked = [f for f in forbidden if f.lower() in value.lower()]
            assert not leaked, f"{request}: header {name} leaks {leaked}\n{story}"
    assert_no_outside(result)
    if logged:
        assert_logged(result)


def assert_logged(result: CertbotResult) -> None:
    """The run's disclosure log is sound and matches what the servers received."""
    from .log_checks import assert_log_matches, assert_log_sound

    assert result.log_path is not None and result.log_path.exists(), result.describe()
    records = assert_log_sound(result.log_path)[result.log_start :]
    assert_log_matches(records, result.requests, result.describe())


def assert_no_outside(result: CertbotResult) -> None:
    """Nothing tried to reach beyond loopback (the EFF, say)."""
    assert result.outside == [], result.describe()


def full_user_agent_pattern(
    target: CertbotTarget, verb: str, authenticator: str = "webroot"
) -> re.Pattern[str]:
    """Certbot's own full User-Agent for *verb*, as certbot builds it without the plugin."""
    return re.compile(
        rf"CertbotACMEClient/{re.escape(target.certbot_version)} \(certbot[^;]*; .+\) "
        rf"Authenticator/{re.escape(authenticator)} Installer/None "
        rf"\({re.escape(verb)}; flags: [^)]*\) Py/{re.escape(target.python_version)}"
    )


def paths(requests: Iterable[RecordedRequest]) -> list[str]:
    """The first path segment of each request: ``/dir``, ``/order-plz``, ``/authZ``, ..."""
    return ["/" + r.path.split("?", 1)[0].split("/")[1] for r in requests]


#: The requests certbot repeats until the CA is done (an authorization's, an order's):
#: how often depends on how fast the server was, not on the client.
POLLS = {("POST", "/authZ"), ("POST", "/my-order")}


def shape(requests: Sequence[RecordedRequest]) -> list[tuple[str, str, str, tuple[str, ...]]]:
    """What a request sequence looks like without its random IDs: role, method, path, and
    the header names in order; a poll repeated at once counts once (certbot polls again
    after a second when Pebble, on a loaded machine, has not finished yet)."""
    shaped: list[tuple[str, str, str, tuple[str, ...]]] = []
    for r, p in zip(requests, paths(requests)):
        entry = (r.role, r.method, p, tuple(name for name, _ in r.headers))
        if not (shaped and shaped[-1] == entry and (r.method, p) in POLLS):
            shaped.append(entry)
    return shaped


def new_accounts(requests: Iterable[RecordedRequest]) -> list[dict[str, Any]]:
    """The payloads of newAccount requests that create an account (not lookups)."""
    payloads = []
    for request in requests:
        jws = request.jws()
        payload = jws["payload"] if jws else None
        if (
            request.path == "/sign-me-up"
            and isinstance(payload, dict)
            and not payload.get("onlyReturnExisting")
        ):
            payloads.append(payload)
    return payloads


def new_orders(requests: Iterable[RecordedRequest]) -> list[RecordedRequest]:
    return [r for r in requests if r.method == "POST" and r.path == "/order-plz"]


def order_domains(request: RecordedRequest) -> list[str]:
    """The DNS identifiers of a newOrder request."""
    jws = request.jws()
    assert jws is not None, request
    return sorted(i["value"] for i in jws["payload"]["identifiers"])


def ordered_names(requests: Iterable[RecordedRequest]) -> list[list[str]]:
    """The identifiers of each newOrder, a repeated order for the same names counted once.

    Certbot may place a second order for the same names: on a dry run it deactivates
    authorizations that Pebble reused and orders again.
    """
    names: list[list[str]] = []
    for request in new_orders(requests):
        domains = order_domains(request)
        if not names or names[-1] != domains:
            names.append(domains)
    return names


def user_agent_runs(
    requests: Sequence[RecordedRequest], minimal: str
) -> list[tuple[bool, list[RecordedRequest]]]:
    """Split *requests* into maximal runs of minimal / not minimal User-Agent."""
    runs: list[tuple[bool, list[RecordedRequest]]] = []
    for request in requests:
        is_minimal = request.user_agent == minimal
        if runs and runs[-1][0] == is_minimal:
            runs[-1][1].append(request)
        else:
            runs.append((is_minimal, [request]))
    return runs
