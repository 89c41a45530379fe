"""The email gate: where a contact would leave, consent decides, and is recorded first."""

from types import SimpleNamespace
from typing import Any, List, Optional, Tuple

import pytest
from acme import messages

from certbot_privacy.adapter.email_gate import EmailGate
from certbot_privacy.errors import ConsentError
from certbot_privacy.rules import consent

LE = "https://acme-v02.api.letsencrypt.org/directory"
OTHER = "https://ca.example/dir"


class _Answers:
    """Plays the admin at the terminal: returns the prepared answers in turn."""

    def __init__(self, *answers: Optional[str]) -> None:
        self.answers = list(answers)
        self.shown: List[str] = []

    def __call__(self, text: str) -> str:
        self.shown.append(text)
        answer = self.answers.pop(0)
        if answer is None:
            raise EOFError
        return answer


def _gate(
    *answers: Optional[str],
    interactive: bool = True,
    share: bool = False,
    withdraw: bool = False,
    verb: str = "certonly",
    server: str = LE,
) -> Tuple[EmailGate, List[Tuple[str, Any]]]:
    log: List[Tuple[str, Any]] = []
    gate = EmailGate(
        server=server,
        verb=verb,
        interactive=interactive,
        share_email=share,
        withdraw=withdraw,
        record=lambda decision, purpose: log.append((purpose, decision)),
        record_blocked=lambda reason, recipient: log.append(("blocked", reason)),
        ask=_Answers(*answers),
        language="en",
    )
    return gate, log


def _client(tos: Optional[str] = None) -> Any:
    return SimpleNamespace(
        directory=SimpleNamespace(meta=SimpleNamespace(terms_of_service=tos, website=None))
    )


def _new(email: Optional[str] = None) -> messages.NewRegistration:
    return messages.NewRegistration.from_data(email=email, terms_of_service_agreed=True)


def test_noninteractive_without_email_registers_without_contact_and_asks_nothing() -> None:
    """-n with no --email: the newAccount body has no contact and nothing is recorded."""
    gate, log = _gate(interactive=False)
    body = gate.new_account(_client(), _new())
    assert body.contact == ()
    assert log == []


def test_noninteractive_email_with_flag_is_sent_and_consent_recorded_first() -> None:
    """--email --privacy-share-email: the contact stays, a granted consent is recorded."""
    gate, log = _gate(interactive=False, share=True)
    body = gate.new_account(_client(), _new("admin@example.org"))
    assert body.contact == ("mailto:admin@example.org",)
    purpose, decision = log[0]
    assert (purpose, decision.granted, decision.means, decision.email) == (
        "contact",
        True,
        "flag",
        "admin@example.org",
    )
    assert "Let's Encrypt" in decision.text


def test_noninteractive_email_without_flag_is_blocked() -> None:
    """An email without consent never reaches the CA: blocked, recorded, error."""
    gate, log = _gate(interactive=False)
    with pytest.raises(ConsentError, match="--privacy-share-email"):
        gate.new_account(_client(), _new("admin@example.org"))
    assert log[0][0] == "blocked"


@pytest.mark.parametrize("answer", ["n", "", "maybe", None])
def test_interactive_anything_but_yes_drops_the_contact(answer: Optional[str]) -> None:
    """No, Enter, garbage or end of input: registered without the contact."""
    gate, log = _gate(answer)
    body = gate.new_account(_client(), _new("admin@example.org"))
    assert body.contact == ()
    assert log[0][1].granted is False


def test_interactive_yes_keeps_the_contact_and_shows_the_text_first() -> None:
    """y: the contact is sent, after the admin saw who gets it and the policy."""
    gate, log = _gate("y")
    body = gate.new_account(_client(), _new("admin@example.org"))
    assert body.contact == ("mailto:admin@example.org",)
    shown = gate.ask.shown[0]  # type: ignore[attr-defined]
    assert "optional" in shown and "letsencrypt.org" in shown and "[y/N]" in shown
    assert log[0][1].granted is True


def test_interactive_without_email_asks_consent_before_the_address() -> None:
    """No --email: the question comes first, the address only after a yes."""
    gate, log = _gate("yes", "me@example.org")
    body = gate.new_account(_client(), _new())
    assert body.contact == ("mailto:me@example.org",)
    assert "Send an email address" in gate.ask.shown[0]  # type: ignore[attr-defined]
    assert log[0][1].email == "me@example.org"


def test_interactive_yes_then_empty_address_sends_none() -> None:
    """Agreeing and then typing no address registers without a contact."""
    gate, log = _gate("y", "")
    assert gate.new_account(_client(), _new()).contact == ()
    assert log[0][1].granted is False


def test_interactive_without_email_is_asked_once() -> None:
    """A second newAccount in the same run (e.g. a retry) does not ask again."""
    gate, _ = _gate("n")
    gate.new_account(_client(), _new())
    assert gate.new_account(_client(), _new()).contact == ()
    assert len(gate.ask.shown) == 1  # type: ignore[attr-defined]


def test_unknown_ca_text_names_directory_and_terms() -> None:
    """An unknown CA is described honestly, with the ToS link from its directory."""
    gate, log = _gate("n", server=OTHER)
    gate.new_account(_client(tos="https://ca.example/tos.pdf"), _new("a@example.org"))
    text = log[0][1].text
    assert OTHER in text and "https://ca.example/tos.pdf" in text


def test_account_lookup_is_left_alone() -> None:
    """onlyReturnExisting lookups are not consent questions."""
    gate, log = _gate()
    lookup = _new().update(only_return_existing=True)
    assert gate.new_account(_client(), lookup) is lookup
    assert log == []


def test_update_with_declined_email_changes_nothing() -> None:
    """update_account with -m and a no: nothing is sent."""
    gate, _ = _gate("n", verb="update_account")
    with pytest.raises(ConsentError, match="not"):
        gate.update_registration(
            _client(), None, messages.Registration.from_data(email="new@example.org")
        )


def test_update_removing_contact_without_asking_is_blocked() -> None:
    """contact: [] is refused unless the admin asked to withdraw."""
    gate, log = _gate(interactive=False, verb="update_account")
    with pytest.raises(ConsentError, match="--privacy-withdraw-email"):
        gate.update_registration(_client(), None, messages.Registration(contact=()))
    assert log[0][0] == "blocked"


def test_withdrawal_is_recorded() -> None:
    """--privacy-withdraw-email: the removal is allowed and recorded with its text."""
    gate, log = _gate(interactive=False, withdraw=True, verb="update_account")
    gate.update_registration(_client(), None, messages.Registration(contact=()))
    purpose, decision = log[0]
    assert purpose == "contact_withdrawn"
    assert decision.text == consent.withdrawal_text(decision_ca(), "en")


def decision_ca() -> Any:
    from certbot_privacy.rules import cas

    return cas.for_directory(LE)


def test_deactivation_passes() -> None:
    """unregister's deactivation carries no contact question."""
    gate, log = _gate(interactive=False, verb="unregister")
    gate.update_registration(
        _client(), None, messages.Registration.from_json({"status": "deactivated"})
    )
    assert log == []


def test_update_account_prompt_asks_consent_first() -> None:
    """certbot's email prompt for update_account: consent, then the address."""
    gate, log = _gate("y", "new@example.org", verb="update_account")
    assert gate.get_email() == "new@example.org"
    # the later update request with that address does not ask again
    gate.update_registration(
        _client(), None, messages.Registration.from_data(email="new@example.org")
    )
    assert len(gate.ask.shown) == 2  # type: ignore[attr-defined]
    assert [p for p, _ in log] == ["contact"]


def test_update_account_prompt_declined_changes_nothing() -> None:
    """A no at update_account's prompt stops before anything is sent."""
    gate, _ = _gate("", verb="update_account")
    with pytest.raises(ConsentError, match="not changed"):
        gate.get_email()


def test_registration_prompt_defers_to_new_account() -> None:
    """certbot's email prompt during registration asks nothing."""
    gate, log = _gate(verb="certonly")
    assert gate.get_email() is None
    assert log == [] and gate.ask.shown == []  # type: ignore[attr-defined]


def test_update_account_body_inside_regr_is_checked() -> None:
    """certbot passes the new body inside regr (update=None): it is gated all the same."""
    gate, log = _gate(interactive=False, verb="update_account")
    regr = messages.RegistrationResource(
        body=messages.Registration(contact=()), uri="https://ca.example/acct/1"
    )
    with pytest.raises(ConsentError, match="--privacy-withdraw-email"):
        gate.update_registration(_client(), regr, None)
    assert log[0][0] == "blocked"
