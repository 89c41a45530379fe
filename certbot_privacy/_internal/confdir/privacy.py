"""What "private" means for a lineage and an account, where its log is, and making it so.

The one owner of these rules: the plugin (:mod:`certbot_privacy._internal.adapter.persistent`,
``renew``'s lineage hook), ``certbot-privacy status``
(:mod:`certbot_privacy._internal.manage.posture`) and ``switch`` all ask here, so that what status
says is what the next certbot run does. Each predicate is named by the question it answers:

* :func:`renewal_flag`: how a ``privacy_*`` value of a renewal conf reads on ``renew``;
* :func:`lineage_renews_private`: does this lineage renew (and run) in privacy mode?
* :func:`account_runs_private`: do certbot's commands on this account run in privacy mode?
  (An account mark that exists but cannot be read counts as private: fail-safe,
  :func:`account_mark_fail_safe`.)
* :func:`account_discloses_nothing_more`: is the account private and nothing of it still
  to go out (no contact kept in its local registration, no EFF subscription pending)?

:func:`log_path` is the one computation of a disclosure log's path, and
:func:`make_account_private` the one way an account is marked private.
"""

from __future__ import annotations

import logging
import os
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Optional, Tuple

from certbot_privacy._internal import log as disclosure_log
from certbot_privacy._internal.errors import InputError

if TYPE_CHECKING:
    # The reader is imported where it is used: a private certonly or renew needs only the
    # log path and renewal_flag from here, and creating the reader's dataclasses would cost
    # it ~1.5% more instructions (benchmarks/bench_issuance.py --instructions).
    from certbot_privacy._internal.confdir.reader import Account, AccountMark, Lineage

logger = logging.getLogger(__name__)

if TYPE_CHECKING:  # a typing alias costs every private run import time; it only types
    #: Records a notice: ``notice(kind, recipient, fields)`` (the plugin's run log, or
    #: switch's).
    Notice = Callable[[str, str, Dict[str, object]], None]


def renewal_flag(value: Any) -> Optional[bool]:
    """A renewal conf's boolean as ``renew`` restores it: ``None`` when it is neither.

    Certbot writes ``True`` or ``False``; the plugin's lineage hook takes exactly those
    (configobj's strings, or booleans already restored). A list (``True,``: configobj
    reads a trailing comma as one), ``true``, ``yes`` or ``1`` is neither, so not on.
    """
    if value is True or value == "True":
        return True
    if value is False or value == "False":
        return False
    return None


def lineage_renews_private(lineage: Lineage) -> bool:
    """Does this lineage renew, and run every command on it, in privacy mode?

    Its own renewal conf decides (each lineage goes out as it was obtained or switched),
    whatever its account's mark says; a cli.ini can still turn every run private.
    """
    return lineage.privacy_minimal


def account_runs_private(mark: Optional[AccountMark]) -> bool:
    """Do certbot's commands on the account with this mark run in privacy mode?"""
    return mark is not None and mark.private


def account_mark_fail_safe(directory: str) -> Optional[AccountMark]:
    """The account's mark for deciding a run: one that cannot be read counts as private.

    A broken or foreign ``certbot-privacy.json`` must not turn privacy mode off; the
    warning names the file so that the admin can fix it.
    """
    from certbot_privacy._internal.confdir.reader import AccountMark, read_account_mark

    try:
        return read_account_mark(directory)
    except InputError as error:
        logger.warning("%s: handling the account as private.", error)
        return AccountMark(private=True)


def account_discloses_nothing_more(account: Account, every_run_private: bool) -> bool:
    """Is the account private, with nothing of it still to go out?

    Its commands run in privacy mode (its mark, or a cli.ini for every run), its local
    registration keeps no contact (certbots before 1.x kept it: it was sent to the CA),
    and no EFF subscription is pending (the address would go with the next certificate).
    """
    runs_private = account_runs_private(account.mark) or every_run_private
    return runs_private and not account.contacts and not account.register_to_eff


def log_path(privacy_log: Optional[str], logs_dir: Optional[str]) -> str:
    """The absolute path of the disclosure log: ``--privacy-log``, else in ``--logs-dir``."""
    path = privacy_log or os.path.join(
        logs_dir or disclosure_log.DEFAULT_LOGS_DIR, disclosure_log.DEFAULT_NAME
    )
    return os.path.abspath(os.path.expanduser(path))


def lineage_log(lineage: Lineage) -> str:
    """The disclosure log a lineage's private runs write to (its saved options)."""
    return log_path(lineage.privacy_log, lineage.logs_dir)


def account_log(account: Account, lineages: List[Lineage], logs_dir: Optional[str]) -> str:
    """Where an account's notices go outside a certbot run (``switch``).

    Its mark's log, else *logs_dir*, else the log of a lineage of this account with a
    logs directory of its own (where its renewals are recorded), else the default.
    """
    if account.mark is not None and account.mark.log:
        return account.mark.log
    if logs_dir:
        return log_path(None, logs_dir)
    for lineage in lineages:
        if lineage.account == account.id and lineage.logs_dir:
            return lineage_log(lineage)
    return log_path(None, None)


def make_account_private(
    directory: str,
    *,
    server: str,
    account_id: str,
    now: str,
    notice: Notice,
    by: str,
    log: Optional[str] = None,
    withdrawn: str = "",
    register_to_eff: Optional[str] = None,
    cancel_eff: Optional[Callable[[], None]] = None,
) -> Tuple[str, ...]:
    """Mark the account in *directory* private and drop its pending EFF subscription.

    Each change is recorded with *notice* before it is made. A mark already private keeps
    when it was first switched and its log (unless *log* names the log of this run);
    *withdrawn* records when the contact was removed at the CA. *cancel_eff* drops the
    subscription of *register_to_eff* (certbot's API in a run, ``meta.json`` otherwise).
    Returns what changed: ``"private"``, ``"contact_withdrawn"``, ``"eff_cancelled"``.
    """
    from certbot_privacy._internal.confdir import marks
    from certbot_privacy._internal.confdir.reader import read_account_mark
    from certbot_privacy._internal.log.classify import EFF_RECIPIENT

    try:
        mark = read_account_mark(directory)
    except InputError:
        mark = None  # rewritten whole: ours, and what it was is not readable
    already = account_runs_private(mark)
    changed: List[str] = []
    if not already or withdrawn:
        if not already:
            notice("privacy_on", server, {"scope": "account", "name": account_id, "by": by})
            changed.append("private")
        if withdrawn:
            changed.append("contact_withdrawn")
        marks.mark_account(
            directory,
            True,
            since=mark.since if mark is not None and already and mark.since else now,
            log=log or (mark.log if mark is not None else None),
            contact_withdrawn=withdrawn or (mark.contact_withdrawn if mark is not None else ""),
        )
    if register_to_eff:
        notice(
            "eff_subscription_cancelled",
            EFF_RECIPIENT,
            {"scope": "account", "name": account_id, "by": by, "values": [register_to_eff]},
        )
        if cancel_eff is None:
            marks.cancel_eff_subscription(directory)
        else:
            cancel_eff()
        changed.append("eff_cancelled")
    return tuple(changed)
