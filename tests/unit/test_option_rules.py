"""The option rules of privacy mode (rules/options.py): plain values in, one sentence out."""

from typing import Dict, Optional
from unittest import mock

import pytest

from certbot_privacy._internal.errors import UsageError
from certbot_privacy._internal.rules import options


def _email_options(
    verb: str,
    email: Optional[str] = None,
    *,
    withdraw: bool = False,
    without_email: bool = False,
    interactive: bool = False,
) -> str:
    return options.email_options(
        verb, email=email, withdraw=withdraw, without_email=without_email, interactive=interactive
    )


@pytest.mark.parametrize("option", options.MODE_ONLY_OPTIONS)
def test_a_mode_only_option_without_the_mode_names_itself_and_the_fix(option: str) -> None:
    """--privacy-log (and the others) without --privacy-minimal: its name, and the fix."""
    flag = "--privacy-" + option.replace("_", "-")
    with pytest.raises(UsageError) as error:
        options.refuse_mode_only_options("certonly", {option: True})
    assert str(error.value) == (
        f"{flag} only takes effect in privacy mode: add --privacy-minimal "
        f"(or privacy-minimal = true in cli.ini), or drop {flag}"
    )


def test_mode_only_options_are_accepted_by_renew() -> None:
    """renew applies them to the lineages obtained in privacy mode."""
    options.refuse_mode_only_options("renew", {"log": "/tmp/x", "syslog": True})


@pytest.mark.parametrize("value", [None, False])
def test_unset_mode_only_options_are_fine(value: object) -> None:
    """An option left at its default is not "given"."""
    given: Dict[str, object] = {name: value for name in options.MODE_ONLY_OPTIONS}
    options.refuse_mode_only_options("certonly", given)


def test_withdrawal_outside_update_account() -> None:
    """--privacy-withdraw-email with certonly: the command that does it."""
    with pytest.raises(UsageError, match=r"^--privacy-withdraw-email works with update_account"):
        _email_options("certonly", withdraw=True)


def test_withdrawal_with_an_email() -> None:
    """--privacy-withdraw-email --email: one or the other."""
    with pytest.raises(UsageError) as error:
        _email_options("update_account", "a@example.org", withdraw=True)
    assert str(error.value) == (
        "--privacy-withdraw-email removes the contact, and --email sets one: give one of them"
    )


def test_withdrawal_sends_an_empty_contact() -> None:
    """update_account --privacy-withdraw-email: certbot's 'without email' flag is set."""
    assert _email_options("update_account", withdraw=True) == options.WITHDRAW


def test_update_account_never_removes_the_contact_as_a_side_effect() -> None:
    """update_account --register-unsafely-without-email: use the withdraw flag instead."""
    with pytest.raises(UsageError) as error:
        _email_options("update_account", without_email=True, interactive=True)
    assert "as a side effect of --register-unsafely-without-email" in str(error.value)
    assert str(error.value).endswith("use --privacy-withdraw-email to remove it")


def test_update_account_without_a_terminal_needs_an_address() -> None:
    """update_account -n without --email: nothing can be asked, nothing was sent."""
    with pytest.raises(UsageError) as error:
        _email_options("update_account")
    assert str(error.value).startswith("update_account in a non-interactive run")
    assert "--email ADDRESS --privacy-share-email" in str(error.value)
    assert str(error.value).endswith("nothing was sent")


def test_update_account_at_a_terminal_asks() -> None:
    """update_account at a terminal without --email: the email gate asks."""
    assert _email_options("update_account", interactive=True) == options.AS_IS


@pytest.mark.parametrize("verb", options.EMAIL_VERBS)
def test_an_email_on_a_verb_that_sends_it_is_checked(verb: str) -> None:
    """--email with run, certonly, register, update_account: checked before anything."""
    assert _email_options(verb, "a@example.org") == options.CHECK_ADDRESS


@pytest.mark.parametrize("verb", ["renew", "certificates", "revoke"])
def test_an_email_on_other_verbs_is_left_to_the_gate(verb: str) -> None:
    """renew with cli.ini's email is not stopped; it registers without one if it must."""
    assert _email_options(verb, "a@example.org") == options.NO_CONTACT


def test_no_email_registers_without_a_contact() -> None:
    """certonly without --email: certbot's 'without email' flag (2.1.0 insists in -n)."""
    assert _email_options("certonly") == options.NO_CONTACT


def test_an_invalid_address_names_it() -> None:
    """An address certbot refuses: the address and the two ways on."""
    assert str(options.invalid_address("a@b")) == (
        "a@b is not a valid email address: correct it, or drop --email to register "
        "without a contact"
    )


@pytest.mark.parametrize(
    ("share", "eff", "share_typed", "eff_typed", "expected"),
    [
        (True, True, True, True, options.RunConsent(True, True, ())),
        (True, None, False, False, options.RunConsent(False, False, ("privacy-share-email",))),
        (False, True, False, False, options.RunConsent(False, False, ("eff-email",))),
        (
            True,
            True,
            False,
            False,
            options.RunConsent(False, False, ("privacy-share-email", "eff-email")),
        ),
        (True, True, True, False, options.RunConsent(True, False, ("eff-email",))),
        (False, None, False, False, options.RunConsent(False, False, ())),
        (False, False, False, True, options.RunConsent(False, False, ())),
    ],
)
def test_consent_counts_only_when_typed_for_this_run(
    share: bool,
    eff: Optional[bool],
    share_typed: bool,
    eff_typed: bool,
    expected: options.RunConsent,
) -> None:
    """privacy-share-email and eff-email set but not typed (cli.ini, a renewal conf): off."""
    assert (
        options.run_consent(
            share_email=share, eff_email=eff, share_typed=share_typed, eff_typed=eff_typed
        )
        == expected
    )


def test_the_warning_names_what_was_ignored_and_why() -> None:
    """One sentence: the options, where they came from, and how consent is given."""
    text = options.ignored_consent_warning(["privacy-share-email", "eff-email"])
    assert text.startswith("privacy-share-email and eff-email in a configuration file is not")
    assert "--privacy-share-email (and --eff-email) on its command line" in text


@pytest.mark.parametrize(
    ("args", "typed"),
    [
        (["--privacy-share-email"], True),
        (["--privacy-sh"], True),
        (["--privacy-share-email=true"], True),
        (["--privacy-s"], False),  # argparse refuses it: --privacy-syslog too
        (["--privacy-syslog"], False),
        (["-m", "--privacy-share-email@example.org"], False),
        ([], False),
    ],
)
def test_share_email_typed(args: list[str], typed: bool) -> None:
    """Typed means the flag or an abbreviation argparse accepts, as a flag."""
    assert options.share_email_typed(args) is typed


@pytest.mark.parametrize(
    ("args", "typed"),
    [(["--eff-email"], True), (["--eff"], True), (["--no-eff-email"], False), ([], False)],
)
def test_eff_email_typed(args: list[str], typed: bool) -> None:
    """--eff-email or its abbreviations; --no-eff-email is not an opt-in."""
    assert options.eff_email_typed(args) is typed


@pytest.mark.parametrize("value", [mock.MagicMock(), 1, "True", "yes", None])
def test_only_a_real_true_is_on(value: object) -> None:
    """A MagicMock configuration (certbot's own tests), 1 or a string: off."""
    assert options.flag(value) is False
    assert options.flag(True) is True


@pytest.mark.parametrize("value", [mock.MagicMock(), "", None, 0])
def test_only_a_non_empty_string_is_a_path(value: object) -> None:
    """Anything but a non-empty string is no path."""
    assert options.path(value) is None
    assert options.path("/var/log/x.jsonl") == "/var/log/x.jsonl"
