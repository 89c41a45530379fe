"""Which ACME account ordered a domain, so that ``--domain`` also shows what that account
disclosed on its own (its contact address, sent when it registered or was updated) (pure).

A new account is signed with its key (``account_key``, role ``signer``) and its response's
``Location`` is the account URL; later requests name the account by that URL (the JWS
``kid``, category ``account_url``). :class:`Links` remembers, for the requests that carry a
contact but no selected domain, which account sent them, and hands them back once a
request of the same account discloses a selected domain. Only used with ``--domain``;
what it holds grows with the accounts, not the log.
"""

from typing import Any, Dict, Iterable, List, Optional, Set, Tuple

from certbot_privacy._internal.audit.outcomes import PENDING_LIMIT, Place

#: A request kept for later: (host, recipient, personal data, time, privacy off, where it
#: was read, its ``run`` and ``url`` for the coverage).
Held = Tuple[Optional[str], str, Dict[str, List[object]], str, int, Place, Dict[str, Any]]


def _signer(personal: Dict[str, List[object]]) -> Optional[str]:
    for value in personal.get("account_key", ()):
        if isinstance(value, dict) and value.get("role", "signer") == "signer":
            thumbprint = value.get("thumbprint")
            if isinstance(thumbprint, str):
                return "key " + thumbprint
    return None


def accounts_of(personal: Dict[str, List[object]]) -> List[str]:
    """The accounts a request names: by URL (``kid``), and by its signing key."""
    found = [f"url {v}" for v in personal.get("account_url", ()) if isinstance(v, str)]
    signer = _signer(personal)
    if signer is not None:
        found.append(signer)
    return found


class Links:
    """Requests of accounts not (yet) seen ordering a selected domain, and the accounts that
    were."""

    def __init__(self) -> None:
        self._held: Dict[str, List[Held]] = {}
        self._ordering: Set[str] = set()
        self._alias: Dict[str, str] = {}  # account URL -> its key
        self._pending: Dict[Place, str] = {}  # a new account's request -> its key

    def _names(self, accounts: Iterable[str]) -> Set[str]:
        names = set(accounts)
        names.update(self._alias[n] for n in list(names) if n in self._alias)
        return names

    def request(self, place: Place, personal: Dict[str, List[object]]) -> None:
        """Note a request whose response's ``Location`` may name its account."""
        if "account_url" not in personal:
            signer = _signer(personal)
            if signer is not None:
                if len(self._pending) >= PENDING_LIMIT:
                    del self._pending[next(iter(self._pending))]
                self._pending[place] = signer

    def response(self, place: Place, location: object, status: object) -> None:
        """A response: a new account's ``Location`` is its URL."""
        signer = self._pending.pop(place, None)
        if signer is not None and isinstance(location, str) and status in (200, 201):
            self._alias[f"url {location}"] = signer

    def hold(self, held: Held) -> bool:
        """Keep a request with a contact and no selected domain; ``True`` if its account
        already ordered a selected domain (count it now instead)."""
        names = self._names(accounts_of(held[2]))
        if names & self._ordering:
            return True
        for name in names:
            self._held.setdefault(name, []).append(held)
        return False

    def ordered(self, personal: Dict[str, List[object]]) -> List[Held]:
        """A request disclosed a selected domain: its account orders. Return the requests of
        that account held so far (each once)."""
        return self._take(set(accounts_of(personal)))

    def merge(self, other: "Links") -> List[Held]:
        """Take in *other* (a later part or file); return the held requests that are now
        known to belong to an ordering account."""
        self._alias.update(other._alias)
        self._pending.update(other._pending)
        out: List[Held] = []
        seen: Set[int] = set()
        for held in other._held.values():
            for entry in held:
                if id(entry) not in seen:
                    seen.add(id(entry))
                    if self.hold(entry):
                        out.append(entry)
        if other._ordering:
            out.extend(self._take(other._ordering))
        return out

    def _take(self, accounts: Set[str]) -> List[Held]:
        names = self._names(accounts)
        self._ordering |= names
        out: List[Held] = []
        seen: Set[int] = set()
        for name in names:
            for held in self._held.pop(name, ()):
                if id(held) not in seen:
                    seen.add(id(held))
                    out.append(held)
        return out
