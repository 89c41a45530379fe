"""The email gate: where a contact would leave, consent decides, and is recorded first."""

import datetime
from types import SimpleNamespace
from typing import Any, List, Optional, Tuple

import pytest
from acme import messages

from certbot_privacy._internal.adapter.email_gate import EmailGate
from certbot_privacy._internal.errors import ConsentError
from certbot_privacy._internal.rules import consent, layout

LE = "https://acme-v02.api.letsencrypt.org/directory"
LE_TERMS = "https://letsencrypt.org/documents/LE-SA-v1.8-July-06-2026.pdf"
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
    today: str = "2026-12-02",
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
        record_notice=lambda kind, recipient, fields: log.append(("notice", (kind, fields))),
        ask=_Answers(*answers),
        language="en",
        today=lambda: datetime.date.fromisoformat(today),
        columns=lambda: 80,
    )
    return gate, log


def _client(tos: Optional[str] = LE_TERMS) -> Any:
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


def test_noninteractive_email_without_flag_is_dropped_and_blocked() -> None:
    """An address nobody consented to in this run (cli.ini's, at a timer's renewal) never
    reaches the CA: the account is registered without it, and a blocked record says so."""
    gate, log = _gate(interactive=False, verb="renew")
    body = gate.new_account(_client(), _new("admin@example.org"))
    assert body.contact == ()
    assert [kind for kind, _ in log] == ["blocked"]
    assert "admin@example.org" in log[0][1] and "--privacy-share-email" in log[0][1]


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
    assert decision.text == layout.fill(consent.withdrawal_text(decision_ca(), "en"), 80)


@pytest.mark.parametrize("interactive", [True, False])
def test_withdrawal_text_is_shown_where_it_is_recorded_as_shown(interactive: bool) -> None:
    """At a terminal the withdrawal text is shown, and recorded as shown; in -n it is
    recorded as not shown, and nothing is written to the terminal."""
    gate, log = _gate(interactive=interactive, withdraw=True, verb="update_account")
    shown: List[str] = []
    gate.show = shown.append
    gate.update_registration(_client(), None, messages.Registration(contact=()))
    (purpose, decision), *_ = log
    assert purpose == "contact_withdrawn" and decision.shown is interactive
    assert shown == ([decision.text] if interactive else [])


def decision_ca() -> Any:
    from certbot_privacy._internal.rules import facts_file

    return facts_file.for_directory(LE)


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


def test_update_account_prompt_never_reads_stdin_without_a_terminal() -> None:
    """-n/-q/no terminal: certbot's prompt for update_account asks nothing, and stops."""
    gate, log = _gate(interactive=False, verb="update_account")
    with pytest.raises(ConsentError, match="--privacy-share-email"):
        gate.get_email()
    assert gate.ask.shown == [] and log == []  # type: ignore[attr-defined]


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


# --- drift -----------------------------------------------------------------------------------


def test_other_terms_are_said_warned_and_recorded_once(caplog: pytest.LogCaptureFixture) -> None:
    """A directory announcing other terms: the notice says so, one warning, one notice record."""
    announced = "https://letsencrypt.org/documents/LE-SA-v1.9.pdf"
    gate, log = _gate("n", "n")
    gate.new_account(_client(tos=announced), _new("a@example.org"))
    gate.new_account(_client(tos=announced), _new("b@example.org"))
    notices = [fields for kind, fields in log if kind == "notice"]
    assert notices == [
        (
            "terms_changed",
            {
                "ca": "letsencrypt",
                "expected": LE_TERMS,
                "announced": announced,
                "checked": "2026-12-03",
                "message": notices[0][1]["message"],
            },
        )
    ]
    assert [r.levelname for r in caplog.records] == ["WARNING"]
    shown = gate.ask.shown[0]  # type: ignore[attr-defined]
    assert announced in shown and LE_TERMS in shown and "2026-12-03" in shown


@pytest.mark.parametrize("interactive", [False, True])
def test_other_terms_are_recorded_on_a_registration_without_an_address(
    caplog: pytest.LogCaptureFixture, interactive: bool
) -> None:
    """No --email (-n, or a terminal): the registration agrees to the terms, so drift is
    warned about and recorded all the same."""
    announced = "https://letsencrypt.org/documents/LE-SA-v1.9.pdf"
    gate, log = _gate("n", interactive=interactive)
    body = gate.new_account(_client(tos=announced), _new())
    assert body.contact == ()
    notices = [fields for kind, fields in log if kind == "notice"]
    assert [(n[0], n[1]["announced"]) for n in notices] == [("terms_changed", announced)]
    assert [r.levelname for r in caplog.records] == ["WARNING"]


def test_matching_terms_and_recent_facts_are_no_drift(caplog: pytest.LogCaptureFixture) -> None:
    """The terms the facts expect, facts a day old: no warning, no notice record."""
    gate, log = _gate("n")
    gate.new_account(_client(), _new("a@example.org"))
    assert [kind for kind, _ in log] == ["contact"] and caplog.records == []


def test_stale_facts_are_a_notice_of_their_own() -> None:
    """Facts older than twelve months: a facts_stale notice, with the review date."""
    gate, log = _gate(interactive=False, share=True, today="2028-01-01")
    gate.new_account(_client(), _new("a@example.org"))
    (notice,) = [fields for kind, fields in log if kind == "notice"]
    assert notice[0] == "facts_stale" and notice[1]["checked"] == "2026-12-03"
    (decision,) = [d for kind, d in log if kind == "contact"]
    assert "more than 12 months ago" in " ".join(decision.text.split())


# --- the EFF -----------------------------------------------------------------------------------


class _Certbot:
    """What certbot's eff.prepare_subscription and subscribe would have done."""

    def __init__(self) -> None:
        self.stored: List[str] = []
        self.posted: List[str] = []

    def prepare(self, config: Any, account: Any) -> None:
        self.stored.append(config.email)

    def subscribe(self, email: str) -> None:
        self.posted.append(email)


def _config(email: Optional[str] = "admin@example.org", eff: Optional[bool] = True) -> Any:
    return SimpleNamespace(email=email, eff_email=eff)


@pytest.mark.parametrize("answer", ["n", ""])
def test_a_no_to_the_ca_never_reaches_the_eff(answer: str) -> None:
    """--eff-email after a no to the CA: nothing stored for the EFF, no question, recorded."""
    gate, log = _gate(answer)
    gate.new_account(_client(), _new("admin@example.org"))
    certbot = _Certbot()
    gate.eff_prepare(certbot.prepare, _config(), None)
    assert certbot.stored == [] and len(gate.ask.shown) == 1  # type: ignore[attr-defined]
    assert [(p, d.granted, d.means) for p, d in log] == [
        ("contact", False, "interactive"),
        ("eff", False, "not_asked"),
    ]


@pytest.mark.parametrize(("answer", "stored"), [("y", True), ("n", False)])
def test_the_eff_gets_its_own_question_after_a_yes(answer: str, stored: bool) -> None:
    """A yes to the CA, then the EFF question; only its own yes stores the address."""
    gate, log = _gate("y", answer)
    gate.new_account(_client(), _new("admin@example.org"))
    certbot = _Certbot()
    gate.eff_prepare(certbot.prepare, _config(), None)
    assert (certbot.stored == ["admin@example.org"]) is stored
    assert "EFF" in gate.ask.shown[1]  # type: ignore[attr-defined]
    assert [(p, d.granted) for p, d in log] == [("contact", True), ("eff", stored)]
    gate.eff_subscribe(certbot.subscribe, "admin@example.org")
    assert (certbot.posted == ["admin@example.org"]) is stored


def test_the_share_flag_covers_the_eff_in_a_noninteractive_run() -> None:
    """-n --email --privacy-share-email --eff-email: consent to both, each recorded."""
    gate, log = _gate(interactive=False, share=True)
    gate.new_account(_client(), _new("admin@example.org"))
    certbot = _Certbot()
    gate.eff_prepare(certbot.prepare, _config(), None)
    gate.eff_subscribe(certbot.subscribe, "admin@example.org")
    assert certbot.posted == ["admin@example.org"]
    assert [(p, d.means) for p, d in log] == [("contact", "flag"), ("eff", "flag")]


def test_a_subscription_stored_by_an_earlier_run_is_not_sent() -> None:
    """Certbot posts what an earlier run stored in the account: privacy mode blocks it."""
    gate, log = _gate(interactive=False)
    certbot = _Certbot()
    gate.eff_subscribe(certbot.subscribe, "old@example.org")
    assert certbot.posted == [] and log[0][0] == "blocked"


def test_without_eff_email_certbot_is_left_alone() -> None:
    """No --eff-email (privacy mode sets it to False): certbot's own code runs, asks nothing."""
    gate, log = _gate()
    certbot = _Certbot()
    gate.eff_prepare(certbot.prepare, _config(eff=False), None)
    assert certbot.stored == ["admin@example.org"] and log == []
