"""Certificate Transparency: which names become public, and what the admin is told (pure).

A publicly trusted CA submits every certificate it issues to public Certificate Transparency logs
(RFC 6962), append-only and readable by anyone: the names in it are public from then on, for good.
Before this machine first orders a certificate for a name it has not issued before, an interactive
run shows :func:`public_log_text` once (for the admin's information, not a question: issuance needs
the publication). A wildcard certificate (``*.example.org``) keeps the names below it out of the
logs.
"""

from typing import Iterable, List


def new_names(requested: Iterable[str], issued: Iterable[str]) -> List[str]:
    """The *requested* names (in order, once each) that are not among the *issued* ones.

    Names compare without case and without a trailing dot.
    """
    known = {_norm(name) for name in issued}
    result: List[str] = []
    for name in requested:
        if _norm(name) not in known and name not in result:
            result.append(name)
    return result


def public_log_text(names: Iterable[str]) -> str:
    """The text shown before the first order for *names* (already escaped for display)."""
    listed = ", ".join(names)
    return (
        "Certificate Transparency: once the CA issues this certificate it publishes its "
        f"names ({listed}) in public Certificate Transparency logs, where anyone can read "
        "them, for good; the disclosure log records this as a disclosure to "
        '"Certificate Transparency logs (public)". To keep the names of hosts under a '
        "domain out of these logs, use a wildcard certificate (*.example.org) instead."
    )


def _norm(name: str) -> str:
    return name.strip().rstrip(".").lower()
