"""certbot_internals.install_email_hooks: every place a contact can leave goes through ``RUN.gate``.

The client is acme's real ``ClientV2`` and the gate the real ``EmailGate``; only the
network is a stand-in (:class:`_CA`: acme's ``ClientNetwork`` whose ``post`` keeps the
body it was given, as it would be signed and sent, and answers like a CA). The e2e tests
check the same on the wire against Pebble with both certbots.
"""

import json
from collections.abc import Iterator
from typing import Any, Dict, List, Optional, Tuple

import pytest
import requests
from acme import client as acme_client
from acme import messages
from certbot import errors as certbot_errors
from certbot.display import ops

from certbot_privacy._internal.adapter import certbot_internals, patching
from certbot_privacy._internal.adapter.email_gate import EmailGate
from certbot_privacy._internal.adapter.state import RUN
from certbot_privacy._internal.adapter.wire import WirePolicy

DIRECTORY = "https://ca.example/dir"
NEW_ACCOUNT = "https://ca.example/new-acct"
ACCOUNT = "https://ca.example/acct/17"
EMAIL = "admin@example.org"
STORED = "stored@example.org"
#: The wire policy beside each gate (the fake CA does not go through requests).
_POLICY = WirePolicy(user_agent="CertbotACMEClient/5.8.0 python-requests/2.32.3")


class _CA(acme_client.ClientNetwork):
    """acme's network layer, minus the network: keeps what would be sent, answers as a CA."""

    def __init__(self, journal: List[str]) -> None:
        super().__init__(key=None)
        self.journal = journal
        self.sent: List[Tuple[str, Dict[str, Any]]] = []

    def post(self, *args: Any, **kwargs: Any) -> requests.Response:
        url, body = args[0], args[1]
        payload: Dict[str, Any] = json.loads(body.json_dumps())
        self.journal.append("sent")
        self.sent.append((url, payload))
        response = requests.Response()
        created = url == NEW_ACCOUNT and not payload.get("onlyReturnExisting")
        response.status_code = 201 if created else 200
        response.headers["Location"] = ACCOUNT
        account = {"status": "valid", "contact": [f"mailto:{STORED}"]}
        response._content = json.dumps(account).encode()
        return response


@pytest.fixture(autouse=True)
def _hooks() -> Iterator[None]:
    patching.stop_all()
    certbot_internals.install_email_hooks()
    yield
    patching.stop_all()


@pytest.fixture
def journal() -> List[str]:
    """What happened, in order: "sent" for each request, "consent"/"blocked" records."""
    return []


@pytest.fixture
def ca(journal: List[str]) -> _CA:
    return _CA(journal)


@pytest.fixture
def client(ca: _CA) -> acme_client.ClientV2:
    directory = messages.Directory.from_json(
        {"newAccount": NEW_ACCOUNT, "newNonce": DIRECTORY + "/nonce", "meta": {}}
    )
    return acme_client.ClientV2(directory, ca)


def _gate(
    journal: List[str],
    *answers: str,
    verb: str = "certonly",
    share_email: bool = False,
) -> EmailGate:
    """The real email gate, as privacy mode makes it, recording into *journal*."""
    typed = list(answers)
    return EmailGate(
        server=DIRECTORY,
        verb=verb,
        interactive=bool(answers),
        share_email=share_email,
        withdraw=False,
        record=lambda decision, purpose: journal.append("consent"),
        record_blocked=lambda reason, recipient: journal.append("blocked"),
        ask=lambda text: typed.pop(0),
        language="en",
    )


def _stored() -> messages.RegistrationResource:
    """The account as certbot loads it from disk (it saves an empty body)."""
    return messages.RegistrationResource(body=messages.Registration.from_json({}), uri=ACCOUNT)


def _updated(*emails: str) -> messages.RegistrationResource:
    """What certbot's update_account passes to acme: the stored account, new contact in."""
    stored = _stored()
    contact = tuple(f"mailto:{e}" for e in emails)
    updated: messages.RegistrationResource = stored.update(body=stored.body.update(contact=contact))
    return updated


def _registration(email: Optional[str] = EMAIL) -> messages.NewRegistration:
    return messages.NewRegistration.from_data(email=email, terms_of_service_agreed=True)


def test_without_a_gate_acme_sends_what_certbot_gave(client: acme_client.ClientV2, ca: _CA) -> None:
    """Privacy mode off: the hooks pass through, the lookup re-sends the contact as acme does."""
    assert RUN.gate is None
    client.new_account(_registration())
    client.update_registration(_updated(EMAIL))
    contacts = [payload.get("contact") for _, payload in ca.sent]
    assert contacts == [[f"mailto:{EMAIL}"]] * 3


def test_new_account_without_consent_sends_no_address(
    client: acme_client.ClientV2, ca: _CA, journal: List[str]
) -> None:
    """An address nobody consented to in this run (cli.ini's, at a timer's renewal): blocked
    and recorded first, and the account is registered without it."""
    RUN.activate(_POLICY, _gate(journal))
    client.new_account(_registration())
    assert not ca.sent[0][1].get("contact")
    assert journal == ["blocked", "sent"]


def test_new_account_with_consent_is_recorded_before_it_is_sent(
    client: acme_client.ClientV2, ca: _CA, journal: List[str]
) -> None:
    """--privacy-share-email: the contact leaves, after its consent record."""
    RUN.activate(_POLICY, _gate(journal, share_email=True))
    client.new_account(_registration())
    assert ca.sent[0][1]["contact"] == [f"mailto:{EMAIL}"]
    assert journal == ["consent", "sent"]


def test_new_account_sends_the_body_the_gate_returns(
    client: acme_client.ClientV2, ca: _CA, journal: List[str]
) -> None:
    """Asked at the newAccount request, the admin says no: registered without the contact."""
    RUN.activate(_POLICY, _gate(journal, "n"))
    client.new_account(_registration())
    ((url, payload),) = ca.sent
    assert url == NEW_ACCOUNT and payload.get("contact", []) == []
    assert journal == ["consent", "sent"]


def test_an_update_the_gate_refuses_sends_nothing_not_even_the_lookup(
    client: acme_client.ClientV2, ca: _CA, journal: List[str]
) -> None:
    """update_account removing the contact unasked: refused before acme's lookup."""
    RUN.activate(_POLICY, _gate(journal, verb="update_account"))
    with pytest.raises(certbot_errors.Error, match="--privacy-withdraw-email"):
        client.update_registration(_updated())
    assert ca.sent == [] and journal == ["blocked"]


def test_the_lookup_before_an_update_carries_an_empty_contact(
    client: acme_client.ClientV2, ca: _CA, journal: List[str]
) -> None:
    """update_account -m: the lookup by key sends contact: [], the update the address."""
    RUN.activate(_POLICY, _gate(journal, verb="update_account", share_email=True))
    client.update_registration(_updated(EMAIL))
    (lookup_url, lookup), (update_url, update) = ca.sent
    assert (lookup_url, lookup) == (NEW_ACCOUNT, {"contact": [], "onlyReturnExisting": True})
    assert update_url == ACCOUNT and update["contact"] == [f"mailto:{EMAIL}"]
    assert journal == ["consent", "sent", "sent"]


def test_the_lookup_keeps_certbots_body_unless_asked_for_the_cas(
    client: acme_client.ClientV2, ca: _CA, journal: List[str]
) -> None:
    """What the lookup returns is unchanged: certbot's body, or the CA's on request."""
    RUN.activate(_POLICY, _gate(journal))
    found = client._get_v2_account(_updated(EMAIL))
    assert found.body.contact == (f"mailto:{EMAIL}",) and found.uri == ACCOUNT
    queried = client.query_registration(_updated(EMAIL))  # update_body=True
    assert queried.body.contact == (f"mailto:{STORED}",)
    assert [payload.get("contact") for _, payload in ca.sent] == [[], []]


def test_a_lookup_without_a_contact_is_left_alone(
    client: acme_client.ClientV2, ca: _CA, journal: List[str]
) -> None:
    """show_account, unregister: no contact to hide, the lookup goes as acme builds it."""
    RUN.activate(_POLICY, _gate(journal))
    found = client._get_v2_account(_stored())
    as_acme_builds_it = json.loads(_stored().body.update(only_return_existing=True).json_dumps())
    assert ca.sent == [(NEW_ACCOUNT, as_acme_builds_it)]
    assert found.body == _stored().body and found.uri == ACCOUNT


def test_certbots_email_prompt_is_the_gates(journal: List[str]) -> None:
    """ops.get_email in update_account: consent first, then the address, nothing of certbot's."""
    RUN.activate(_POLICY, _gate(journal, "y", EMAIL, verb="update_account"))
    assert ops.get_email(invalid=True) == EMAIL
    assert journal == ["consent"]


def test_a_no_at_certbots_email_prompt_is_a_certbot_error(journal: List[str]) -> None:
    """Declining at update_account's prompt stops certbot with one sentence."""
    RUN.activate(_POLICY, _gate(journal, "n", verb="update_account"))
    with pytest.raises(certbot_errors.Error, match="not changed"):
        ops.get_email()
