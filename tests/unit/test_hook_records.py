"""adapter.coverage.hook_runs through certbot's own hook runner: recorded first, or not run.

certbot.compat.misc.execute_command_status is the real one (wrapped by compat), running a
real shell command; the log is a real disclosure log.
"""

import json
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest
from certbot import errors
from certbot.compat import misc

from certbot_privacy._internal.adapter import certbot_internals, coverage
from certbot_privacy._internal.adapter.mode import RunLog
from certbot_privacy._internal.adapter.recorder import DisclosureRecorder
from certbot_privacy._internal.adapter.state import RUN
from certbot_privacy._internal.adapter.wire import WirePolicy
from certbot_privacy._internal.log.writer import DisclosureLog

POLICY = WirePolicy(user_agent="CertbotACMEClient/5.8.0 python-requests/2.32.3")


@pytest.fixture
def log_path(tmp_path: Path) -> Iterator[Path]:
    """Privacy mode on with a real log, certbot's hook runner wrapped."""
    path = tmp_path / "disclosure.jsonl"
    log = DisclosureLog(path)
    log.ensure_writable()
    RUN.activate(POLICY, None, DisclosureRecorder(RunLog(log, RUN.run_id)))
    certbot_internals.install_hook_runner(coverage.hook_runs)
    yield path


def _records(path: Path) -> List[Dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_a_hook_is_recorded_before_it_runs(log_path: Path, tmp_path: Path) -> None:
    """The hook (a real shell command) finds its own record in the log when it runs."""
    seen = tmp_path / "seen-by-hook"
    command = f"cp {log_path} {seen}"
    env = {"CERTBOT_DOMAIN": "a.example.org", "CERTBOT_VALIDATION": "v-1", "PATH": "/usr/bin:/bin"}
    code, _, _ = misc.execute_command_status("manual-auth-hook", command, env=env)
    assert code == 0
    (record,) = [r for r in _records(seen) if r["event"] == "hook"]
    assert (record["kind"], record["seen"]) == ("manual-auth", "none")
    assert record["executable"].endswith("/cp") and record["args"] == [str(log_path), str(seen)]
    assert record["env"] == {"CERTBOT_DOMAIN": "a.example.org", "CERTBOT_VALIDATION": "v-1"}
    assert record["personal_data"] == {"domain": ["a.example.org"], "dns_challenge": ["v-1"]}


def test_a_hook_whose_record_cannot_be_written_does_not_run(log_path: Path, tmp_path: Path) -> None:
    """Fail closed: the log is unwritable, so certbot gets an error and the hook never ran."""
    log_path.unlink()
    log_path.mkdir()
    ran = tmp_path / "ran"
    with pytest.raises(errors.Error, match="disclosure log"):
        misc.execute_command_status("pre-hook", f"touch {ran}", env={"PATH": "/usr/bin:/bin"})
    assert not ran.exists()


def test_privacy_mode_off_runs_the_hook_unrecorded(log_path: Path, tmp_path: Path) -> None:
    """Without privacy mode the wrapper passes the hook through untouched."""
    RUN.deactivate()
    ran = tmp_path / "ran"
    misc.execute_command_status("pre-hook", f"touch {ran}", env={"PATH": "/usr/bin:/bin"})
    assert ran.exists() and log_path.read_text() == ""
