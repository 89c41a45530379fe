"""Where a contact email would leave the machine: the certbot side of the consent rules.

The consent rules and the consent texts (``rules/consent.py``, ``rules/consent_texts.py``) are
pure; :class:`EmailGate` applies them where certbot asks for or sends an email: its
prompt, ``newAccount``, account updates and the EFF subscription. A contact leaves only
with a consent given in this run for that address and recorded first; a run that cannot
ask never reads standard input. ``docs/how-it-works.rst`` has the details.
"""

from __future__ import annotations

import datetime
import logging
import os
import shutil
import sys
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Optional, Set

from certbot_privacy._internal.errors import ConsentError, ConsentRequiredError, ContactError

if TYPE_CHECKING:  # imported when first needed: most runs never send an email
    from acme import messages

    from certbot_privacy._internal.rules import cas, consent, drift

    # Typing aliases cost every private run import time; they only type.
    RecordConsent = Callable[["consent.ConsentDecision", str], None]
    RecordBlocked = Callable[[str, str], None]
    RecordNotice = Callable[[str, str, Dict[str, Any]], None]

logger = logging.getLogger(__name__)


def read_answer(text: str) -> str:
    """Show *text* on the terminal and return the line typed (``EOFError`` at end of input)."""
    sys.stdout.write(text)
    sys.stdout.flush()
    line = sys.stdin.readline()
    if not line:
        sys.stdout.write("\n")
        raise EOFError
    return line.rstrip("\r\n")


def show_text(text: str) -> None:
    """Show *text* on the terminal (nothing is read)."""
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def terminal_columns() -> int:
    """The width to wrap texts to: the terminal's, at most 80 columns."""
    return max(20, min(80, shutil.get_terminal_size((80, 24)).columns))


def _ignore_notice(kind: str, recipient: str, fields: Dict[str, Any]) -> None:
    """The default ``record_notice``: record nothing (unit tests that do not care)."""


def _today() -> datetime.date:
    """Today's date in UTC: what the facts' age is measured against."""
    return datetime.datetime.now(datetime.timezone.utc).date()


class EmailGate:
    """The consent state of one certbot run in privacy mode.

    *interactive*: whether the admin can be asked (a terminal, no ``-n``/``-q``).
    *share_email*: ``--privacy-share-email`` was given on this run's command line.
    *withdraw*: the admin asked to remove the account's contact. *record* writes a consent
    record and raises if it cannot (then nothing is sent); *record_blocked* a ``blocked``
    record, *record_notice* a ``notice`` record. *ask* shows a text and returns the
    answer; *today* returns the date the facts' age is measured against.

    A plain class, not a dataclass: every private run makes one, and creating the
    dataclass cost the run more than the rest of this module's import.
    """

    def __init__(
        self,
        *,
        server: str,
        verb: str,
        interactive: bool,
        share_email: bool,
        withdraw: bool,
        record: RecordConsent,
        record_blocked: RecordBlocked,
        ask: Callable[[str], str] = read_answer,
        language: str = "",
        record_notice: RecordNotice = _ignore_notice,
        today: Callable[[], datetime.date] = _today,
        columns: Callable[[], int] = terminal_columns,
        show: Callable[[str], None] = show_text,
    ) -> None:
        self.server = server
        self.verb = verb
        self.interactive = interactive
        self.share_email = share_email
        self.withdraw = withdraw
        self.record = record
        self.record_blocked = record_blocked
        self.ask = ask
        self.language = language
        self.record_notice = record_notice
        self.today = today
        self.columns = columns
        self.show = show
        #: The decision taken for each address in this run (asked once per address).
        self.decisions: Dict[str, consent.ConsentDecision] = {}
        #: The addresses the EFF may receive (its own consent, in this run).
        self.eff_granted: Set[str] = set()
        #: The terms drifts already warned about and recorded in this run (CA and terms).
        self.noticed: Set[str] = set()
        #: Whether the admin was already asked at a registration without an address.
        self.asked_without_email = False

    def _language(self) -> str:
        """The language of the texts, chosen from the locale the first time it is needed."""
        if not self.language:
            from certbot_privacy._internal.rules import i18n

            self.language = i18n.choose_language(os.environ)
        return self.language

    # --- certbot's email prompt -------------------------------------------------------------

    def get_email(self, *certbot_args: Any, **certbot_kwargs: Any) -> Optional[str]:
        """Replace certbot's email prompt: consent first, then (maybe) the address.

        Certbot's own arguments (``invalid``: the last address was refused; ``optional``)
        do not apply: the address typed here is checked here, and asked again until it is
        valid or empty. Nobody to ask: nothing is read, and the run stops.
        """
        if self.verb != "update_account":
            # Registration: ask at the newAccount request, where the CA is fully known.
            return None
        if not self.interactive:
            raise ConsentRequiredError(
                "update_account cannot ask for an address in a non-interactive run: give "
                "--email ADDRESS --privacy-share-email, or --privacy-withdraw-email; "
                "nothing was sent."
            )

        from certbot_privacy._internal.rules import facts_file

        # The directory is not fetched yet: its terms are compared at the update request.
        decision = self._ask(facts_file.for_directory(self.server), None, terms_known=False)
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
        ca = self._ca_of(client)
        # A registration agrees to the terms the directory announces: drift is said and
        # recorded whether or not an address is in play.
        self._drift(ca)
        emails = _emails(new_account.contact)
        if not emails and (not self.interactive or self.asked_without_email):
            return new_account
        if not emails:
            self.asked_without_email = True
            decision = self._ask(ca, None)
            if decision.granted and decision.email:
                updated: messages.NewRegistration = new_account.update(
                    contact=("mailto:" + decision.email,)
                )
                return updated
            return new_account
        try:
            granted = self._consent_for(ca, emails).granted
        except ConsentRequiredError:
            # Nobody consented to this address in this run (a renewal from a timer, with
            # the address from cli.ini): blocked and recorded; register without it.
            granted = False
        if granted:
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
        ca = self._ca_of(client)
        emails = _emails(update.contact)
        if emails:
            self._drift(ca)  # said now if the consent was asked before the directory was known
            decision = self._consent_for(ca, emails)
            if not decision.granted:
                raise ConsentError(
                    "No email was sent and the account at the CA was not "
                    "changed (you did not agree to send the email)."
                )
            return
        if self.withdraw:
            from certbot_privacy._internal.rules import consent, layout

            text = layout.fill(consent.withdrawal_text(ca, self._language()), self.columns())
            self.record(
                consent.ConsentDecision(
                    granted=False,
                    email=None,
                    recipient=ca.directory_url,
                    recipient_name=ca.display_name,
                    means=consent.MEANS_WITHDRAW,
                    text=text,
                    language=self._language(),
                    shown=self.interactive,
                ),
                consent.PURPOSE_WITHDRAWN,
            )
            if self.interactive:  # recorded as shown: shown (a -n run records it was not)
                self.show(text)
            return
        reason = (
            "update_account would remove the account's contact (contact: []), "
            "which you did not ask for: use --privacy-withdraw-email to remove it"
        )
        self.record_blocked(reason, ca.directory_url)
        raise ConsentError(reason + ".")

    # --- the EFF -----------------------------------------------------------------------------

    def eff_prepare(self, original: Callable[..., None], config: Any, account: Any) -> None:
        """Let certbot store the address for the EFF only after the EFF's own consent.

        Certbot stores it (in the account's meta) when ``--eff-email`` was given; it posts
        it to the EFF after the first certificate. Here that needs a yes to the CA for the
        same address in this run, then the EFF question (or ``--privacy-share-email``,
        which covers both). Both decisions are recorded; a no stores nothing.
        """
        email = getattr(config, "email", None)
        if getattr(config, "eff_email", None) is not True or not email:
            original(config, account)  # certbot's own handling (reports a missing address)
            return
        from certbot_privacy._internal.log.classify import EFF_RECIPIENT
        from certbot_privacy._internal.rules import consent, facts_file

        address = consent.validate_contact(email, self._language())
        contact = self.decisions.get(address)
        if contact is None:
            contact = consent.ConsentDecision(
                granted=False,
                email=address,
                recipient=self.server,
                recipient_name=facts_file.for_directory(self.server).display_name,
                means=consent.MEANS_NOT_ASKED,
                text="",
                language=self._language(),
            )
        decision = consent.eff_decision(
            eff=facts_file.facts().other("eff"),
            recipient=EFF_RECIPIENT,
            email=address,
            contact=contact,
            share_email_flag=self.share_email,
            interactive=self.interactive,
            ask=self.ask,
            language=self._language(),
            columns=self.columns(),
        )
        self.record(decision, consent.PURPOSE_EFF)
        if decision.granted:
            self.eff_granted.add(address)
            original(config, account)

    def eff_subscribe(self, original: Callable[[str], None], email: str) -> None:
        """Post *email* to the EFF only if that was consented to in this run."""
        from certbot_privacy._internal.log.classify import EFF_RECIPIENT

        if email in self.eff_granted:
            original(email)
            return
        self.record_blocked(
            "EFF subscription of an address stored by an earlier run: consent is for the "
            "run in which it is given (run with --eff-email again to subscribe)",
            EFF_RECIPIENT,
        )
        logger.warning(
            "Privacy mode did not send the EFF subscription stored by an earlier run: "
            "give --eff-email again to subscribe."
        )

    # --- decisions ---------------------------------------------------------------------------

    def _ca_of(self, client: Any) -> cas.CAInfo:
        """What is known about the CA *client* talks to, with what its directory announced."""
        from certbot_privacy._internal.rules import facts_file

        meta = getattr(getattr(client, "directory", None), "meta", None)
        terms = getattr(meta, "terms_of_service", None)
        website = getattr(meta, "website", None)
        return facts_file.for_directory(
            self.server,
            terms_of_service=terms if isinstance(terms, str) else None,
            website=website if isinstance(website, str) else None,
        )

    def _drift(self, ca: cas.CAInfo, *, terms_known: bool = True) -> Optional[drift.Drift]:
        """Whether the facts about *ca* may be stale: warned and recorded once per run.

        *terms_known*: the directory was fetched, so its announced terms can be compared.
        """
        from dataclasses import replace

        from certbot_privacy._internal.rules import consent_texts, drift, facts_file

        facts = facts_file.facts()
        found = drift.drift(
            ca if terms_known else replace(ca, terms=None),
            self.today(),
            checked=facts.checked,
            max_age_months=facts.max_age_months,
        )
        key = f"{ca.key} {found.terms_changed if found else ''}"
        if found is None or key in self.noticed:
            return found
        self.noticed.add(key)
        warning = consent_texts.drift_warning(found, ca.display_name, self._language())
        if found.terms_changed:
            self.record_notice(
                "terms_changed",
                ca.directory_url,
                {
                    "ca": ca.key,
                    "expected": found.expected,
                    "announced": found.announced,
                    "checked": found.checked,
                    "message": warning,
                },
            )
        if found.stale:
            self.record_notice(
                "facts_stale",
                ca.directory_url,
                {
                    "ca": ca.key,
                    "checked": found.checked,
                    "max_age_months": found.max_age_months,
                    "message": warning,
                },
            )
        logger.warning("%s", warning)
        return found

    def _consent_for(self, ca: cas.CAInfo, emails: List[str]) -> consent.ConsentDecision:
        from certbot_privacy._internal.rules import consent

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
                email,
                self.share_email,
                ca=ca,
                language=self._language(),
                drift=self._drift(ca),
            )
        except ConsentRequiredError as error:
            self.record_blocked(
                f"contact email {email} without consent in this run: {error}", ca.directory_url
            )
            raise
        assert decision is not None  # an email was given
        self._remember(decision)
        return decision

    def _ask(
        self, ca: cas.CAInfo, email: Optional[str], *, terms_known: bool = True
    ) -> consent.ConsentDecision:
        from certbot_privacy._internal.rules import consent, layout

        if not self.interactive:  # never reached: nothing reads stdin in -n/-q runs
            raise ConsentRequiredError("Nobody can be asked in a non-interactive run.")
        drift = self._drift(ca, terms_known=terms_known)
        text = layout.fill(
            consent.consent_text(ca, email, self._language(), drift=drift), self.columns()
        )
        decision = consent.decide_interactive(
            text, self.ask, ca=ca, email=email, language=self._language()
        )
        if decision.granted and decision.email is None:
            decision = self._ask_address(decision)
        self._remember(decision)
        return decision

    def _ask_address(self, decision: consent.ConsentDecision) -> consent.ConsentDecision:
        from certbot_privacy._internal.rules import consent

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
        from certbot_privacy._internal.rules import consent

        self.record(decision, consent.PURPOSE_CONTACT)
        if decision.email is not None:
            self.decisions[decision.email] = decision


def _emails(contact: Any) -> List[str]:
    return [c[len("mailto:") :] for c in (contact or ()) if str(c).startswith("mailto:")]
