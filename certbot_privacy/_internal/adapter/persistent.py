"""Privacy mode that persists: private lineages and accounts stay private in every command.

A lineage obtained or switched into privacy mode (``privacy_minimal = True`` in its
renewal conf) and an account registered or switched into it (our mark beside its files:
:mod:`certbot_privacy._internal.confdir.marks`) are handled by every certbot command that touches
them as if ``--privacy-minimal`` had been given, with the log options saved for them:

* ``renew`` and ``reconfigure``: per lineage, as certbot restores it (the plugin's
  lineage hook reads ``privacy_minimal`` from the renewal conf);
* ``certificates``: around each lineage's OCSP check (:func:`revocation_scope`);
* ``revoke``: the lineage of ``--cert-name``/``--cert-path``, or, when revoking with the
  account key (no ``--key-path``), the account; ``delete``: each ``--cert-name``;
  ``show_account``, ``update_account``, ``unregister``: the account (``--account``, or
  any of those certbot chooses from for ``--server``). Decided at parse time
  (:func:`on_parsed`), so the email gate and the checks of a private run apply.

An account becomes private when certbot saves it while privacy mode is on (``register``,
a registration in ``certonly``/``run``, ``update_account --privacy-minimal``):
:func:`account_saved` writes the mark and drops a pending EFF subscription (a saved
opt-in is not a consent for this run), recording both in the disclosure log.
"""

import argparse
import contextlib
import copy
import logging
import time
from dataclasses import dataclass
from typing import Any, Iterator, List, Mapping, Optional, Tuple

from certbot_privacy._internal.adapter.state import RUN
from certbot_privacy._internal.confdir import LINEAGE_OPTION, privacy, reader
from certbot_privacy._internal.errors import DisclosureLogError, InputError

logger = logging.getLogger(__name__)

_ACCOUNT_VERBS = ("show_account", "update_account", "unregister")


@dataclass(frozen=True)
class Saved:
    """A private lineage or account that a command touches, and its saved log options."""

    what: str
    log: Optional[str] = None
    syslog: bool = False


def on_parsed(namespace: argparse.Namespace, verb: str) -> None:
    """Make this run private if it touches a private lineage or account (before the checks).

    Called by the plugin's parse hook for ``rules.options.SAVED_VERBS``, before it looks at
    ``privacy_minimal``; a run with ``--privacy-minimal`` is left as it is.
    """
    if verb == "certificates":
        from certbot_privacy._internal.adapter import certbot_internals

        certbot_internals.install_revocation_check_hook(revocation_scope)
        return
    if getattr(namespace, "privacy_minimal", False):
        return
    saved = for_command(namespace, verb)
    if saved is not None:
        logger.info("Privacy mode: %s is private.", saved.what)
        apply(namespace, saved)


def for_command(namespace: argparse.Namespace, verb: str) -> Optional[Saved]:
    """The private lineage or account that this command touches, if any."""
    config_dir = str(namespace.config_dir)
    if verb in _ACCOUNT_VERBS:
        return _any_account(config_dir, _account_candidates(namespace, [namespace.server]))
    if verb == "delete":
        for name in _names(getattr(namespace, "certname", None)):
            saved = _lineage_file(reader.renewal_conf(config_dir, name))
            if saved is not None:
                return saved
        return None
    if verb != "revoke":
        return None
    lineage = _revoked_lineage(namespace)
    saved = lineage_saved(lineage) if lineage is not None else None
    if saved is None and getattr(namespace, "key_path", None) is None:
        servers = [namespace.server] + ([lineage.server] if lineage is not None else [])
        saved = _any_account(config_dir, _account_candidates(namespace, servers))
    return saved


def apply(namespace: argparse.Namespace, saved: Saved) -> None:
    """Set *namespace* as ``--privacy-minimal`` with *saved*'s options would (the user's win)."""
    namespace.privacy_minimal = True
    if saved.log and not getattr(namespace, "privacy_log", None):
        namespace.privacy_log = saved.log
    if saved.syslog:
        namespace.privacy_syslog = True


def lineage_saved(lineage: reader.Lineage) -> Optional[Saved]:
    """The saved privacy of a lineage (its renewal conf), if it is private.

    A lineage follows its own setting, as ``renew`` does (each goes out as it was
    obtained or switched), whatever its account's is.
    """
    if privacy.lineage_renews_private(lineage):
        return Saved(f"certificate {lineage.name}", lineage.privacy_log, lineage.privacy_syslog)
    return None


@contextlib.contextmanager
def revocation_scope(namespace: argparse.Namespace, params: Mapping[str, Any]) -> Iterator[None]:
    """Privacy mode as one lineage's saved settings say, for the requests inside only."""
    from certbot_privacy._internal.adapter import mode

    if RUN.run_level:
        yield
        return
    saved = lineage_saved(_from_params(params))
    with RUN.scoped():
        if saved is not None:
            private = copy.copy(namespace)
            apply(private, saved)
            mode.switch_on(private, RUN.verb)
        else:
            RUN.deactivate()
        yield


def account_saved(stored: Any) -> None:
    """Certbot saved an account in privacy mode: mark it private, drop a pending EFF opt-in.

    *stored* is a :class:`certbot_privacy._internal.adapter.certbot_internals.StoredAccount`.
    """
    from certbot_privacy._internal.adapter import mode
    from certbot_privacy._internal.log.schema import rfc3339

    now = rfc3339(time.time())
    log = mode.current_log()
    address = stored.register_to_eff
    changed = privacy.make_account_private(
        stored.directory,
        server=stored.server,
        account_id=stored.id,
        now=now,
        notice=lambda kind, recipient, fields: _notice(kind, recipient, **fields),
        by=RUN.verb,
        log=log.path if log else None,
        withdrawn=now if RUN.gate is not None and RUN.gate.withdraw else "",
        register_to_eff=address,
        cancel_eff=stored.cancel_eff_subscription,
    )
    if "eff_cancelled" in changed:
        from certbot_privacy._internal.rules.escape import printable

        logger.warning(
            "Privacy mode: the EFF subscription saved for this account (%s) was cancelled; "
            "nothing was sent to the EFF.",
            printable(address),  # read from meta.json: shown escaped like any outside text
        )


# --- helpers ----------------------------------------------------------------------------------


def _notice(kind: str, recipient: str, **fields: object) -> None:
    """Record a notice; if the log cannot take it, say so and go on.

    A notice sends nothing, and what it announces (the account marked private, an EFF
    opt-in dropped) protects the admin, so it is done even then; the next request, which
    needs its record written first, stops the run if the log is still unwritable.
    """
    from certbot_privacy._internal.adapter import mode

    try:
        mode.record_notice(kind, recipient, **fields)
    except DisclosureLogError as error:
        logger.error("The %s notice could not be recorded: %s", kind, error)


def _names(value: Any) -> List[str]:
    if not value:
        return []
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    return [str(value)]


def _account(config_dir: str, server: str, account_id: str) -> Optional[reader.AccountMark]:
    """The mark of a private account, or ``None`` (an unreadable mark counts as private)."""
    mark = privacy.account_mark_fail_safe(reader.account_dir(config_dir, server, account_id))
    return mark if privacy.account_runs_private(mark) else None


def _account_candidates(namespace: argparse.Namespace, servers: List[str]) -> List[Tuple[str, str]]:
    chosen = getattr(namespace, "account", None)
    found: List[Tuple[str, str]] = []
    for server in filter(None, servers):
        ids = [chosen] if chosen else reader.account_ids(str(namespace.config_dir), server)
        found += [(server, account_id) for account_id in ids]
    return found


def _any_account(config_dir: str, candidates: List[Tuple[str, str]]) -> Optional[Saved]:
    for server, account_id in candidates:
        mark = _account(config_dir, server, account_id)
        if mark is not None:
            return Saved(f"account {account_id}", mark.log)
    return None


def _lineage_file(path: str) -> Optional[Saved]:
    try:
        lineage = reader.read_lineage(path)
    except InputError:
        return None  # certbot reports a missing or broken lineage itself
    return lineage_saved(lineage)


def _revoked_lineage(namespace: argparse.Namespace) -> Optional[reader.Lineage]:
    config_dir = str(namespace.config_dir)
    certname = getattr(namespace, "certname", None)
    if certname:
        try:
            return reader.read_lineage(reader.renewal_conf(config_dir, str(certname)))
        except InputError:
            return None
    cert_path = getattr(namespace, "cert_path", None)
    if not cert_path:
        return None
    lineages = []
    for name in reader.lineage_names(config_dir):
        try:
            lineages.append(reader.read_lineage(reader.renewal_conf(config_dir, name)))
        except InputError:
            continue
    return reader.lineage_for_cert_path(lineages, str(cert_path))


def _from_params(params: Mapping[str, Any]) -> reader.Lineage:
    def text(name: str) -> str:
        value = params.get(name)
        return "" if value in (None, "None") else str(value)

    return reader.Lineage(
        name=text("cert_name") or "?",
        path="",
        server=text("server"),
        account=text("account"),
        privacy_minimal=privacy.renewal_flag(params.get(LINEAGE_OPTION)) is True,
        privacy_log=text("privacy_log") or None,
        privacy_syslog=privacy.renewal_flag(params.get("privacy_syslog")) is True,
    )
