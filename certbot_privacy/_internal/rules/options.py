"""Which combinations of the plugin's options can work, and which consent a run was given.

Pure: plain values in (the verb, the options' values, what was typed on the command
line), a :class:`~certbot_privacy._internal.errors.UsageError` with its own sentence out. The
certbot adapter (``adapter/plugin.py``) reads the values from certbot's namespace and
applies what these functions decide. Values are read strictly (:func:`flag`,
:func:`path`): only a real ``True`` is on and only a non-empty string is a path, so an
object that merely looks truthy (a test's ``MagicMock`` configuration) is "off".
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Mapping, Optional, Sequence, Tuple

if TYPE_CHECKING:
    from certbot_privacy._internal.errors import UsageError

#: Options of the plugin, without the ``privacy_`` prefix, that only mean something in
#: privacy mode.
MODE_ONLY_OPTIONS = ("log", "share_email", "syslog", "withdraw_email", "strict")

#: Verbs that send ``--email`` to the CA (registering an account, or updating it). Other
#: verbs (``renew`` above all, which distro timers run with whatever cli.ini holds) are
#: not stopped for an ``email`` they would not send; the email gate still stands at
#: every newAccount request.
EMAIL_VERBS = ("run", "certonly", "register", "update_account")

#: Verbs that restore lineages from their renewal confs (``reconfigure`` since 2.3): the
#: plugin filters what they write back and switches privacy mode on per lineage.
LINEAGE_VERBS = ("renew", "reconfigure")

#: Other verbs that act on saved lineages or accounts: a private one makes the whole run
#: private (``adapter/persistent.py``).
SAVED_VERBS = ("certificates", "revoke", "delete", "show_account", "update_account", "unregister")

#: Options that are decisions for the run in which they are given: never written to a
#: renewal conf, never restored from one (consent is for one run and one address).
PER_RUN_OPTIONS = ("privacy_share_email", "privacy_withdraw_email")

#: What :func:`email_options` asks the adapter to do.
WITHDRAW = "withdraw"  # send ``contact: []`` (set certbot's "without email" flag)
CHECK_ADDRESS = "check_address"  # check ``--email`` and its consent before anything is sent
NO_CONTACT = "no_contact"  # register without a contact (set certbot's "without email" flag)
AS_IS = "as_is"  # nothing to decide now (the email gate asks, or no email is involved)


def _usage_error(message: str) -> UsageError:
    """A :class:`~certbot_privacy._internal.errors.UsageError` with *message*.

    The exception tree is imported only when one is raised: certbot imports this module on
    every run, and creating the tree's classes costs more than the rest of the module.
    """
    from certbot_privacy._internal.errors import UsageError

    return UsageError(message)


def flag(value: object) -> bool:
    """Whether an option's value is on: only a real ``True`` (a ``MagicMock`` is off)."""
    return value is True


def path(value: object) -> Optional[str]:
    """An option's value as a path: a non-empty string, else ``None``."""
    return value if isinstance(value, str) and value else None


def given_on_command_line(args: Sequence[str], flag_name: str, shortest: str) -> bool:
    """Whether *flag_name*, or an abbreviation of it argparse accepts (*shortest* at
    least), is among the typed *args*."""
    for arg in args:
        name = arg.split("=", 1)[0]
        if name.startswith(shortest) and flag_name.startswith(name):
            return True
    return False


def share_email_typed(args: Sequence[str]) -> bool:
    """Whether ``--privacy-share-email`` was typed (``--privacy-s`` is ambiguous)."""
    return given_on_command_line(args, "--privacy-share-email", "--privacy-sh")


def eff_email_typed(args: Sequence[str]) -> bool:
    """Whether ``--eff-email`` was typed (no other certbot flag starts with ``--eff``)."""
    return given_on_command_line(args, "--eff-email", "--eff")


def refuse_mode_only_options(verb: str, given: Mapping[str, object]) -> None:
    """Refuse a privacy option outside privacy mode; *given* maps ``log``... to its value.

    ``renew`` accepts them: they apply to the lineages obtained in privacy mode.
    """
    if verb == "renew":
        return
    for option in MODE_ONLY_OPTIONS:
        if given.get(option) not in (None, False):
            name = "--privacy-" + option.replace("_", "-")
            raise _usage_error(
                f"{name} only takes effect in privacy mode: add --privacy-minimal "
                f"(or privacy-minimal = true in cli.ini), or drop {name}"
            )


def email_options(
    verb: str, *, email: Optional[str], withdraw: bool, without_email: bool, interactive: bool
) -> str:
    """What privacy mode does about the contact before anything is sent.

    *email*: ``--email``; *withdraw*: ``--privacy-withdraw-email``; *without_email*:
    ``--register-unsafely-without-email``; *interactive*: the admin can be asked. Returns
    :data:`WITHDRAW`, :data:`CHECK_ADDRESS`, :data:`NO_CONTACT` or :data:`AS_IS`.
    """
    if withdraw:
        if verb != "update_account":
            raise _usage_error(
                "--privacy-withdraw-email works with update_account only: run certbot "
                "update_account --privacy-minimal --privacy-withdraw-email"
            )
        if email:
            raise _usage_error(
                "--privacy-withdraw-email removes the contact, and --email sets one: "
                "give one of them"
            )
        return WITHDRAW
    if verb == "update_account" and without_email:
        raise _usage_error(
            "In privacy mode, update_account does not remove the contact as a side effect "
            "of --register-unsafely-without-email: use --privacy-withdraw-email to remove it"
        )
    if verb == "update_account" and not email and not interactive:
        raise _usage_error(
            "update_account in a non-interactive run (-n, -q or no terminal) asks nothing: "
            "give --email ADDRESS --privacy-share-email to set the contact, or "
            "--privacy-withdraw-email to remove it; nothing was sent"
        )
    if email and verb in EMAIL_VERBS:
        return CHECK_ADDRESS
    if verb != "update_account":
        # No email: register without a contact (certbot 2.1.0 insists on this flag in
        # -n runs). In an interactive run the admin is asked at the newAccount request.
        return NO_CONTACT
    return AS_IS


def invalid_address(address: str) -> UsageError:
    """The error for an ``--email`` that certbot would not accept as an address."""
    return _usage_error(
        f"{address} is not a valid email address: correct it, or drop --email to "
        "register without a contact"
    )


class RunConsent:
    """The consent options a private run goes on with, and what it ignored.

    *share_email*: ``--privacy-share-email`` typed for this run. *eff_email*: ``True``
    only when ``--eff-email`` was typed for this run, else ``False`` (which also stops
    the EFF subscription at its source). *ignored*: the configuration-file names of the
    consents that were set without being typed (``privacy-share-email``, ``eff-email``).
    A plain class: certbot imports this module on every run, and creating a ``NamedTuple``
    or a dataclass costs several times what the rest of the module does.
    """

    __slots__ = ("eff_email", "ignored", "share_email")

    def __init__(self, share_email: bool, eff_email: bool, ignored: Tuple[str, ...]) -> None:
        self.share_email = share_email
        self.eff_email = eff_email
        self.ignored = ignored

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, RunConsent):
            return NotImplemented
        return (self.share_email, self.eff_email, self.ignored) == (
            other.share_email,
            other.eff_email,
            other.ignored,
        )

    def __repr__(self) -> str:
        return (
            f"RunConsent(share_email={self.share_email!r}, eff_email={self.eff_email!r}, "
            f"ignored={self.ignored!r})"
        )


def run_consent(
    *, share_email: object, eff_email: object, share_typed: bool, eff_typed: bool
) -> RunConsent:
    """Consent is given in the run, for that run: never from cli.ini or a renewal conf.

    *share_email* and *eff_email* are the options' values however they were set (command
    line, cli.ini, a renewal conf restored by certbot); *share_typed* and *eff_typed* say
    whether each was typed on this run's command line. Applied on every path that turns
    privacy mode on.
    """
    ignored = []
    if flag(share_email) and not share_typed:
        ignored.append("privacy-share-email")
    if flag(eff_email) and not eff_typed:
        ignored.append("eff-email")
    return RunConsent(
        share_email=flag(share_email) and share_typed,
        eff_email=flag(eff_email) and eff_typed,
        ignored=tuple(ignored),
    )


def ignored_consent_warning(ignored: Sequence[str]) -> str:
    """The one warning of a run whose configuration files set consent options."""
    names = " and ".join(ignored)
    return (
        f"{names} in a configuration file is not consent (cli.ini, a renewal conf): "
        "consent is given for one run, with --privacy-share-email (and --eff-email) on "
        "its command line. Ignored: no address is sent without it."
    )
