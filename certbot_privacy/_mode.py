"""Switching privacy mode on and off for a certbot run (or one lineage of ``renew``).

Given the parsed certbot options, this builds what privacy mode runs on: the disclosure
log and its recorder, the email gate, and the wire policy (User-Agent and observer), and
makes them current. With the mode off for a lineage of ``renew``, the wire passes
requests through untouched again.

Errors reading the options are :class:`UsageError` (the adapter turns them into exit code
2 before anything is sent); a disclosure log that cannot be written while certbot runs
becomes a certbot :class:`~certbot.errors.Error`, and the request that could not be
recorded is not sent.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING, Optional

import requests
from certbot import errors

from certbot_privacy import useragent, wire
from certbot_privacy._email_gate import EmailGate
from certbot_privacy.disclosure_log import DisclosureLog, DisclosureLogError, SyslogMirror
from certbot_privacy.errors import UsageError
from certbot_privacy.recorder import DisclosureRecorder

if TYPE_CHECKING:
    from certbot_privacy import consent

DEFAULT_LOG_NAME = "disclosure.jsonl"


#: The email gate of the mode in force; the rest of the mode (User-Agent, recorder, log)
#: lives in the wire's policy.
_gate: Optional[EmailGate] = None


def current_gate() -> Optional[EmailGate]:
    """Return the email gate in force, or ``None`` when privacy mode is off."""
    return _gate


def log_path(namespace: argparse.Namespace) -> str:
    """Return the absolute path of the disclosure log for these options."""
    path = getattr(namespace, "privacy_log", None) or os.path.join(
        namespace.logs_dir, DEFAULT_LOG_NAME)
    return os.path.abspath(os.path.expanduser(path))


def interactive(namespace: argparse.Namespace) -> bool:
    """Whether the admin can be asked: a terminal, and neither ``-n`` nor ``-q``."""
    if getattr(namespace, "noninteractive_mode", False) or getattr(namespace, "quiet", False):
        return False
    return bool(getattr(namespace, "force_interactive", False)) or sys.stdin.isatty()


def switch_on(namespace: argparse.Namespace, verb: str) -> None:
    """Make privacy mode, as *namespace* configures it, apply to every request from now."""
    global _gate
    import certbot

    try:
        agent = useragent.choose_user_agent(
            namespace.user_agent, certbot.__version__, requests.__version__)
    except useragent.UserAgentError as error:
        raise UsageError(str(error)) from None
    path = log_path(namespace)
    mirror = SyslogMirror() if getattr(namespace, "privacy_syslog", False) else None
    log = DisclosureLog(path, mirror=mirror)
    try:
        log.ensure_writable()
    except DisclosureLogError as error:
        raise UsageError(str(error)) from None
    recorder = DisclosureRecorder(log, directory_urls=[namespace.server])
    gate = EmailGate(
        server=namespace.server, verb=verb, interactive=interactive(namespace),
        share_email=bool(getattr(namespace, "privacy_share_email", False)),
        withdraw=bool(getattr(namespace, "privacy_withdraw_email", False)),
        record=lambda decision, purpose: _record_consent(recorder, decision, purpose),
        record_blocked=lambda reason, recipient: _record_blocked(recorder, reason, recipient))
    _gate = gate
    wire.set_policy(wire.WirePolicy(user_agent=agent, observer=_FailClosed(recorder)))


def switch_off() -> None:
    """Let requests pass through untouched again (a lineage that is not private)."""
    global _gate
    _gate = None
    wire.set_policy(None)


class _FailClosed:
    """The wire observer: the recorder, with log failures as certbot errors."""

    def __init__(self, recorder: DisclosureRecorder) -> None:
        self.recorder = recorder

    def before_send(self, request: requests.PreparedRequest) -> object:
        try:
            return self.recorder.before_send(request)
        except DisclosureLogError as error:
            raise errors.Error(f"{error} Nothing was sent.") from None

    def after_send(self, token: object, response: requests.Response) -> None:
        self.recorder.after_send(token, response)

    def send_failed(self, token: object, error: BaseException) -> None:
        self.recorder.send_failed(token, error)


def _record_consent(recorder: DisclosureRecorder, decision: consent.ConsentDecision,
                    purpose: str) -> None:
    try:
        recorder.record_consent(
            purpose=purpose, text=decision.text, granted=decision.granted,
            recipient=decision.recipient,
            values=[decision.email] if decision.email else [], how=decision.means,
            extra={"recipient_name": decision.recipient_name, "language": decision.language,
                   "answer": decision.answer})
    except DisclosureLogError as error:
        raise errors.Error(f"{error} No email was sent.") from None


def _record_blocked(recorder: DisclosureRecorder, reason: str, recipient: str) -> None:
    try:
        recorder.record_blocked(reason=reason, recipient=recipient)
    except DisclosureLogError as error:
        raise errors.Error(f"{error} Nothing was sent.") from None


