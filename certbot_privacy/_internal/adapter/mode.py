"""Switching privacy mode on and off for a certbot run (or one lineage of ``renew``).

Given the parsed certbot options, :func:`switch_on` builds what privacy mode runs on (the
disclosure log and its recorder, the email gate, the wire policy) and makes it the run
state's (:meth:`~certbot_privacy._internal.adapter.state.RunState.activate`). Problems with the
options are :class:`~certbot_privacy._internal.errors.UsageError` (exit code 2 before anything is
sent); a log that cannot be written later stops the
request that could not be recorded (:class:`_FailClosed`).
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import time
from typing import TYPE_CHECKING, Any, Mapping, Optional

import requests

from certbot_privacy._internal.adapter import wire
from certbot_privacy._internal.adapter.recorder import DisclosureRecorder
from certbot_privacy._internal.adapter.state import RUN
from certbot_privacy._internal.errors import DisclosureLogError, UsageError
from certbot_privacy._internal.log import state
from certbot_privacy._internal.log.writer import DisclosureLog
from certbot_privacy._internal.rules import useragent

if TYPE_CHECKING:
    from certbot_privacy._internal.adapter.email_gate import EmailGate
    from certbot_privacy._internal.adapter.recorder import Appender
    from certbot_privacy._internal.rules import consent


def log_path(namespace: argparse.Namespace) -> str:
    """Return the absolute path of the disclosure log for these options."""
    from certbot_privacy._internal.confdir import privacy

    return privacy.log_path(getattr(namespace, "privacy_log", None), namespace.logs_dir)


def interactive(namespace: argparse.Namespace) -> bool:
    """Whether the admin can be asked: a terminal, and neither ``-n`` nor ``-q``."""
    if getattr(namespace, "noninteractive_mode", False) or getattr(namespace, "quiet", False):
        return False
    return bool(getattr(namespace, "force_interactive", False)) or sys.stdin.isatty()


def switch_on(namespace: argparse.Namespace, verb: str) -> None:
    """Make privacy mode, as *namespace* configures it, apply to every request from now.

    Raises :class:`UsageError` (a bad ``--user-agent``, an unusable log path, a run that
    ``--privacy-strict`` refuses).
    """
    import certbot

    from certbot_privacy._internal.adapter import certbot_internals, coverage

    agent = useragent.choose_user_agent(
        namespace.user_agent, certbot.__version__, requests.__version__
    )
    mirror = None
    if getattr(namespace, "privacy_syslog", False):
        from certbot_privacy._internal.log import syslog

        if not syslog.available():
            raise UsageError(
                f"--privacy-syslog: there is no syslog socket at {syslog.DEV_LOG} (no "
                "syslog daemon or journald runs here), so no record would be mirrored; "
                "start one (systemd-journald or rsyslog) or drop --privacy-syslog"
            )
        mirror = syslog.SyslogMirror()
        from certbot_privacy._internal.adapter import audithook

        audithook.own(mirror.path, "syslog")
    from certbot_privacy._internal.adapter import stacks  # httpx, urllib3, http.client, DNS UPDATE

    # Wrapped (or waited for) before --privacy-strict asks which stacks are seen as requests;
    # until the mode is on below, the wrappers pass every call through.
    stacks.install()
    planned = coverage.plan(namespace, verb)
    coverage.check_strict(namespace, planned)
    disk = DisclosureLog(  # head and seals kept in the config dir (log/state.py)
        log_path(namespace), mirror=mirror, state_dir=state.directory(namespace.config_dir)
    )
    try:
        disk.ensure_writable()
    except DisclosureLogError as error:
        raise UsageError(str(error)) from None
    log = RunLog(disk, RUN.run_id)
    recorder = DisclosureRecorder(log, directory_urls=[namespace.server])
    if interactive(namespace):
        from certbot_privacy._internal.adapter.transparency import Notice

        recorder.on_order = Notice(namespace.config_dir)

    def gate() -> EmailGate:  # made when first asked for: most runs send no email
        from certbot_privacy._internal.adapter.email_gate import EmailGate

        return EmailGate(
            server=namespace.server,
            verb=verb,
            interactive=interactive(namespace),
            share_email=bool(getattr(namespace, "privacy_share_email", False)),
            withdraw=bool(getattr(namespace, "privacy_withdraw_email", False)),
            record=lambda decision, purpose: _record_consent(recorder, decision, purpose),
            record_blocked=lambda reason, recipient: _record_blocked(recorder, reason, recipient),
            record_notice=lambda kind, recipient, fields: record_notice(kind, recipient, **fields),
        )

    certbot_internals.install_hook_runner(coverage.hook_runs)
    RUN.activate(wire.WirePolicy(user_agent=agent, observer=_FailClosed(recorder)), gate, recorder)
    try:
        if mirror is not None:  # its connection record first, so mirrored in order
            with contextlib.suppress(OSError):  # the first record's mirroring then warns
                mirror.open()
        coverage.begin(log, planned)
    except DisclosureLogError as error:
        raise UsageError(f"{error} Nothing was sent.") from None


class RunLog:
    """The run's disclosure log: every record it appends carries the run's id (``run``)."""

    def __init__(self, log: DisclosureLog, run: str) -> None:
        self.log = log
        self.path = log.path
        self.run = run

    def append(self, record: Mapping[str, Any], durable: bool = True) -> Mapping[str, Any]:
        """Append *record* with ``run`` (see :meth:`DisclosureLog.append`)."""
        stamped = dict(record)
        stamped["run"] = self.run
        return self.log.append(stamped, durable)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.log, name)  # close(), mirror_failures, ...


def expect_challenge(domain: str, name: str, value: Optional[str]) -> None:
    """Tell the run's recorder that a DNS plugin is about to publish *value* at *name*
    (``None``: the value is not known yet; ``""`` for *domain* and *name*: not known)."""
    if RUN.recorder is not None:
        RUN.recorder.expect_challenge(domain, name, value)


def switch_off() -> None:
    """Let requests pass through untouched again (a lineage that is not private)."""
    RUN.deactivate()


class _FailClosed:
    """The wire observer: the recorder, and a request whose record failed is not sent."""

    def __init__(self, recorder: DisclosureRecorder) -> None:
        self.recorder = recorder

    def before_send(self, request: requests.PreparedRequest) -> object:
        try:
            return self.recorder.before_send(request)
        except DisclosureLogError as error:
            raise DisclosureLogError(f"{error} Nothing was sent.") from None

    def after_send(self, token: object, response: requests.Response) -> None:
        self.recorder.after_send(token, response)

    def send_failed(self, token: object, error: BaseException) -> None:
        self.recorder.send_failed(token, error)


def _record_consent(
    recorder: DisclosureRecorder, decision: consent.ConsentDecision, purpose: str
) -> None:
    try:
        recorder.record_consent(
            purpose=purpose,
            text=decision.text,
            granted=decision.granted,
            recipient=decision.recipient,
            values=[decision.email] if decision.email else [],
            how=decision.means,
            extra={
                "recipient_name": decision.recipient_name,
                "language": decision.language,
                "answer": decision.answer,
                **({} if decision.shown is None else {"shown": decision.shown}),
            },
        )
    except DisclosureLogError as error:
        raise DisclosureLogError(f"{error} No email was sent.") from None


def _record_blocked(recorder: DisclosureRecorder, reason: str, recipient: str) -> None:
    try:
        recorder.record_blocked(reason=reason, recipient=recipient)
    except DisclosureLogError as error:
        raise DisclosureLogError(f"{error} Nothing was sent.") from None


def current_log() -> Optional[Appender]:
    """The disclosure log privacy mode writes to now (``None``: mode off)."""
    return RUN.recorder.log if RUN.recorder is not None else None


def record_notice(kind: str, recipient: str, **fields: object) -> None:
    """Append a ``notice`` record to the log in force (privacy mode must be on)."""
    from certbot_privacy._internal.log import records

    log = current_log()
    if log is None:
        raise DisclosureLogError(f"privacy mode is off: the {kind} notice has no log to go to.")
    log.append(records.notice_record(kind=kind, recipient=recipient, when=time.time(), **fields))
