"""Where a contact email would leave the machine: the certbot side of the consent rules.

The rules themselves are in :mod:`certbot_privacy.rules.consent` (pure); this module applies
them at the three places certbot can send or ask for an email, all installed only in
privacy mode:

* ``certbot.display.ops.get_email`` (certbot's email prompt). In privacy mode it asks
  nothing when an account is being registered (the question comes at the ``newAccount``
  request, below, where the CA's directory and terms of service are known); for
  ``update_account`` it shows the consent text first and asks for the address only after
  an explicit yes, and a no changes nothing at the CA.
* ``acme.client.ClientV2.new_account``: a contact in a ``newAccount`` request is sent only
  with a consent (interactive answer, or ``--privacy-share-email``) recorded in the
  disclosure log first; without one the contact is dropped and the account is registered
  without it. In an interactive run where no email was given, the admin is asked here.
* ``acme.client.ClientV2.update_registration``: a new contact needs the same consent; an
  empty contact list (which removes the contacts) is sent only when the admin asked for
  it with ``--privacy-withdraw-email``, and that withdrawal is recorded.

Every decision is recorded as a ``consent`` record *before* the request that carries (or
no longer carries) the email, through the ``record`` callback.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Optional

from certbot_privacy.errors import ConsentError, ConsentRequiredError, ContactError

if TYPE_CHECKING:  # imported when first needed: most runs never send an email
    from acme import messages

    from certbot_privacy.rules import cas, consent

RecordConsent = Callable[["consent.ConsentDecision", str], None]
RecordBlocked = Callable[[str, str], None]


def read_answer(text: str) -> str:
    """Show *text* on the terminal and return the line typed (``EOFError`` at end of input)."""
    sys.stdout.write(text)
    sys.stdout.flush()
    line = sys.stdin.readline()
    if not line:
        sys.stdout.write("\n")
        raise EOFError
    return line.rstrip("\r\n")


@dataclass
class EmailGate:
    """The consent state of one certbot run in privacy mode.

    *interactive*: whether the admin can be asked (a terminal, no ``-n``/``-q``).
    *share_email*: ``--privacy-share-email`` was given. *withdraw*: the admin asked to
    remove the account's contact. *record* writes a consent record and raises if it
    cannot (then nothing is sent). *ask* shows a text and returns the answer.
    """

    server: str
    verb: str
    interactive: bool
    share_email: bool
    withdraw: bool
    record: RecordConsent
    record_blocked: RecordBlocked
    ask: Callable[[str], str] = read_answer
    language: str = ""
    decisions: Dict[str, consent.ConsentDecision] = field(default_factory=dict)
    asked_without_email: bool = False

    def _language(self) -> str:
        """The language of the texts, chosen from the locale the first time it is needed."""
        if not self.language:
            from certbot_privacy.rules import consent

            self.language = consent.choose_language(os.environ)
        return self.language

    # --- certbot's email prompt -------------------------------------------------------------

    def get_email(self, *certbot_args: Any, **certbot_kwargs: Any) -> Optional[str]:
        """Replace certbot's email prompt: consent first, then (maybe) the address.

        Certbot's own arguments (``invalid``: the last address was refused; ``optional``)
        do not apply: the address typed here is checked here, and asked again until it is
        valid or empty.
        """
        if self.verb != "update_account":
            # Registration: ask at the newAccount request, where the CA is fully known.
            return None
        from certbot_privacy.rules import cas

        ca = cas.for_directory(self.server)
        decision = self._ask(ca, None)
        if not decision.granted:
            raise ConsentError(
                "No email was sent and the account at the CA was not "
                "changed (you did not agree to send one)."
            )
        return decision.email

    # --- the ACME requests that carry a contact ---------------------------------------------

    def new_account(
        self, client: Any, new_account: messages.NewRegistration
    ) -> messages.NewRegistration:
        """Return the ``newAccount`` body to send: with a contact only if consented."""
        if new_account.only_return_existing:
            return new_account
        emails = _emails(new_account.contact)
        if not emails and (not self.interactive or self.asked_without_email):
            return new_account
        ca = _ca_of(client, self.server)
        if not emails:
            self.asked_without_email = True
            decision = self._ask(ca, None)
            if decision.granted and decision.email:
                updated: messages.NewRegistration = new_account.update(
                    contact=("mailto:" + decision.email,)
                )
                return updated
            return new_account
        decision = self._consent_for(ca, emails)
        if decision.granted:
            return new_account
        without: messages.NewRegistration = new_account.update(contact=())
        return without

    def update_registration(
        self, client: Any, regr: Any, update: Optional[messages.Registration]
    ) -> None:
        """Refuse an account update that sends or removes a contact without consent.

        Certbot's ``update_account`` passes the new body inside *regr* and no *update*;
        acme then sends ``regr.body``.
        """
        if update is None:
            update = regr.body
        status = getattr(update, "status", None)
        if update is None or getattr(status, "name", status) == "deactivated":
            return  # unregister: no contact question
        ca = _ca_of(client, self.server)
        emails = _emails(update.contact)
        if emails:
            decision = self._consent_for(ca, emails)
            if not decision.granted:
                raise ConsentError(
                    "No email was sent and the account at the CA was not "
                    "changed (you did not agree to send the email)."
                )
            return
        if self.withdraw:
            from certbot_privacy.rules import consent

            text = consent.withdrawal_text(ca, self._language())
            self.record(
                consent.ConsentDecision(
                    granted=False,
                    email=None,
                    recipient=ca.directory_url,
                    recipient_name=ca.display_name,
                    means=consent.MEANS_WITHDRAW,
                    text=text,
                    language=self._language(),
                ),
                consent.PURPOSE_WITHDRAWN,
            )
            return
        reason = (
            "update_account would remove the account's contact (contact: []), "
            "which you did not ask for: use --privacy-withdraw-email to remove it"
        )
        self.record_blocked(reason, ca.directory_url)
        raise ConsentError(reason + ".")

    # --- decisions ---------------------------------------------------------------------------

    def _consent_for(self, ca: cas.CAInfo, emails: List[str]) -> consent.ConsentDecision:
        from certbot_privacy.rules import consent

        if len(emails) > 1:
            self.record_blocked("more than one contact email", ca.directory_url)
            raise ConsentError(
                "Privacy mode sends at most one contact email: give a single address with --email."
            )
        email = emails[0]
        known = self.decisions.get(email)
        if known is not None:
            return known
        if self.interactive:
            return self._ask(ca, email)
        try:
            decision = consent.decide_noninteractive(
                email, self.share_email, ca=ca, language=self._language()
            )
        except ConsentRequiredError as error:
            self.record_blocked(str(error), ca.directory_url)
            raise
        assert decision is not None  # an email was given
        self._remember(decision)
        return decision

    def _ask(self, ca: cas.CAInfo, email: Optional[str]) -> consent.ConsentDecision:
        from certbot_privacy.rules import consent

        text = consent.consent_text(ca, email, self._language())
        decision = consent.decide_interactive(
            text, self.ask, ca=ca, email=email, language=self._language()
        )
        if decision.granted and decision.email is None:
            decision = self._ask_address(decision)
        self._remember(decision)
        return decision

    def _ask_address(self, decision: consent.ConsentDecision) -> consent.ConsentDecision:
        from certbot_privacy.rules import consent

        _ = consent.translations(self._language()).gettext
        prompt = _("Email address (Enter to send none): ")
        while True:
            try:
                typed = self.ask(prompt).strip()
            except EOFError:
                typed = ""
            if not typed:
                return consent.ConsentDecision(
                    granted=False,
                    email=None,
                    recipient=decision.recipient,
                    recipient_name=decision.recipient_name,
                    means=decision.means,
                    text=decision.text + "\n" + prompt,
                    language=decision.language,
                    answer=decision.answer,
                )
            try:
                return decision.with_email(typed)
            except ContactError as error:
                prompt = f"{error}\n" + _("Email address (Enter to send none): ")

    def _remember(self, decision: consent.ConsentDecision) -> None:
        from certbot_privacy.rules import consent

        self.record(decision, consent.PURPOSE_CONTACT)
        if decision.email is not None:
            self.decisions[decision.email] = decision


def _emails(contact: Any) -> List[str]:
    return [c[len("mailto:") :] for c in (contact or ()) if str(c).startswith("mailto:")]


def _ca_of(client: Any, server: str) -> cas.CAInfo:
    from certbot_privacy.rules import cas

    meta = getattr(getattr(client, "directory", None), "meta", None)
    return cas.for_directory(
        server,
        terms_of_service=getattr(meta, "terms_of_service", None),
        website=getattr(meta, "website", None),
    )
