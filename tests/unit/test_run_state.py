"""adapter.state.RunState: the one run state, off in a fresh process and after a reset."""

from typing import Any, List, Tuple

from certbot_privacy.adapter import state
from certbot_privacy.adapter.email_gate import EmailGate
from certbot_privacy.adapter.state import RUN, RunState
from certbot_privacy.adapter.wire import WirePolicy


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
    return (run.run_level, run.verb, run.policy, run.gate)


def test_a_fresh_state_is_off() -> None:
    """Nothing switched on: no run-level mode, no verb, no policy, no gate."""
    fresh = RunState()
    assert _fields(fresh) == (False, "", None, None)
    assert not fresh.on


def test_on_means_a_wire_policy_is_in_force() -> None:
    """Requests are private exactly when a wire policy is set, whatever the run level."""
    run = RunState()
    run.run_level, run.verb = True, "renew"
    assert not run.on  # a private renew between lineages that are not
    run.policy = WirePolicy(user_agent="CertbotACMEClient/5.8.0 python-requests/2.32.3")
    assert run.on


def test_reset_is_a_fresh_process() -> None:
    """reset clears every field, so one test (or lineage) cannot leak into the next."""
    run = RunState()
    run.run_level, run.verb = True, "certonly"
    run.policy = WirePolicy(user_agent="CertbotACMEClient/5.8.0 python-requests/2.32.3")
    run.gate = _gate()
    run.reset()
    assert _fields(run) == _fields(RunState())


def test_there_is_one_run_state() -> None:
    """The module holds a single RunState that every part of the adapter shares."""
    assert isinstance(RUN, RunState) and state.RUN is RUN
    from certbot_privacy.adapter import compat, mode, plugin, wire

    assert {id(m.RUN) for m in (compat, mode, plugin, wire)} == {id(RUN)}
