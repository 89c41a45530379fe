"""adapter.state.RunState: the one run state, its one writer, and its scope."""

from typing import Any, List, Tuple

import pytest
import requests

from certbot_privacy._internal.adapter import patching, state
from certbot_privacy._internal.adapter.email_gate import EmailGate
from certbot_privacy._internal.adapter.state import RUN, RunState
from certbot_privacy._internal.adapter.wire import WirePolicy

POLICY = WirePolicy(user_agent="CertbotACMEClient/5.8.0 python-requests/2.32.3")


def _gate() -> EmailGate:
    recorded: List[Tuple[Any, ...]] = []
    return EmailGate(
        server="https://ca.example/dir",
        verb="certonly",
        interactive=False,
        share_email=False,
        withdraw=False,
        record=lambda decision, purpose: recorded.append((decision, purpose)),
        record_blocked=lambda reason, recipient: recorded.append((reason, recipient)),
    )


def _fields(run: RunState) -> Tuple[Any, ...]:
    return (run.run_level, run.verb, run.policy, run.gate, run.recorder)


def test_a_fresh_state_is_off() -> None:
    """Nothing switched on: no run-level mode, no verb, no policy, no gate, no recorder."""
    fresh = RunState()
    assert _fields(fresh) == (False, "", None, None, None)
    assert not fresh.on


def test_on_means_a_wire_policy_is_in_force() -> None:
    """Requests are private exactly when a wire policy is set, whatever the run level."""
    RUN.parsed("renew", True)
    assert RUN.on is False  # a private renew between lineages that are not
    RUN.activate(POLICY)
    assert (RUN.on, RUN.policy) == (True, POLICY)
    RUN.deactivate()
    assert (RUN.on, RUN.gate, RUN.recorder) == (False, None, None)
    assert (RUN.verb, RUN.run_level) == ("renew", True)


def test_nobody_assigns_the_fields() -> None:
    """The fields are read-only: the run state is changed only through its methods."""
    for field in ("policy", "gate", "recorder", "verb", "run_level"):
        with pytest.raises(AttributeError):
            setattr(RUN, field, None)


def test_activate_wraps_requests_once_and_stop_all_unwraps() -> None:
    """The first activation installs the Session.send patch; stopping every patch removes it."""
    original = requests.Session.send
    RUN.activate(POLICY)
    RUN.activate(POLICY)
    assert requests.Session.send is not original
    assert patching.PATCHES["send"].started
    patching.stop_all()
    assert requests.Session.send is original


def test_scoped_undoes_what_the_block_did() -> None:
    """Inside scoped() the block may switch on or off; afterwards the state is as before."""
    gate = _gate()
    RUN.activate(POLICY, gate)
    with RUN.scoped():
        RUN.deactivate()
        assert not RUN.on
    assert (RUN.policy, RUN.gate) == (POLICY, gate)
    RUN.deactivate()
    with pytest.raises(KeyError), RUN.scoped():
        RUN.activate(POLICY, gate)
        raise KeyError("a failure inside the block")
    assert (RUN.policy, RUN.gate) == (None, None)


def test_reset_is_a_fresh_process() -> None:
    """reset clears every field, so one test (or lineage) cannot leak into the next."""
    RUN.parsed("certonly", True)
    RUN.activate(POLICY, _gate())
    RUN.reset()
    assert _fields(RUN) == _fields(RunState())


def test_there_is_one_run_state() -> None:
    """The module holds a single RunState that every part of the adapter shares."""
    assert isinstance(RUN, RunState) and state.RUN is RUN
    from certbot_privacy._internal.adapter import certbot_internals, mode, plugin

    assert {id(m.RUN) for m in (certbot_internals, mode, plugin)} == {id(RUN)}


def test_state_and_wire_do_not_import_each_other() -> None:
    """wire gets the policy from whoever installs it; it does not reach for the run state."""
    import ast
    import inspect

    from certbot_privacy._internal.adapter import wire

    tree = ast.parse(inspect.getsource(wire))
    imported = {
        node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module
    } | {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }
    assert "certbot_privacy._internal.adapter.state" not in imported and "state" not in imported


def test_the_gate_is_made_when_first_asked_for_and_once() -> None:
    """Given what makes it, the gate is made the first time it is asked for (a run that
    sends no email never imports the consent rules), once, and scoped() keeps what makes
    it without making it."""
    made: List[EmailGate] = []

    def make() -> EmailGate:
        made.append(_gate())
        return made[-1]

    RUN.activate(POLICY, make)
    with RUN.scoped():
        RUN.deactivate()
    assert made == []
    assert RUN.gate is not None and RUN.gate is RUN.gate
    assert made == [RUN.gate]
    RUN.deactivate()
    assert _fields(RUN)[3] is None and len(made) == 1
