"""Output formats of the audit commands: one module per format, behind one interface.

Each format module defines ``FORMAT``, a :class:`Format` naming the renderers it has: of
a report (:class:`~certbot_privacy._internal.audit.summarise.Summary`), of a verification
(:class:`~certbot_privacy._internal.audit.verify.VerifyReport`), of an Article 30 record
(:class:`~certbot_privacy._internal.audit.art30.Art30Record`), of access or erasure request
letters (:class:`~certbot_privacy._internal.audit.letters.Letter`) and of the CA facts
(:class:`~certbot_privacy._internal.rules.cas.Facts`). A renderer is a pure function from the result
to the text to print; the command line picks one with ``--format``.

===========  ======  ======  ======  =======  ======
format       report  verify  art30   letters  cas
===========  ======  ======  ======  =======  ======
``table``    yes
``text``             yes             yes      yes
``json``     yes     yes     yes              yes
``csv``      yes
``markdown`` yes             yes     yes
``html``     yes             yes
===========  ======  ======  ======  =======  ======
"""

from typing import TYPE_CHECKING, Callable, Dict, List, Mapping, Optional, Tuple, TypeVar

from certbot_privacy._internal.audit.formats import csv, html, json, markdown, table, text
from certbot_privacy._internal.audit.formats._common import ByHost, Format

if TYPE_CHECKING:
    from certbot_privacy._internal.audit.art30 import Art30Record
    from certbot_privacy._internal.audit.letters import Letter
    from certbot_privacy._internal.audit.summarise import Summary
    from certbot_privacy._internal.audit.verify import VerifyReport
    from certbot_privacy._internal.rules.cas import Facts

__all__ = [
    "ART30",
    "CAS",
    "FORMATS",
    "LETTERS",
    "REPORT",
    "VERIFY",
    "ByHost",
    "Format",
    "art30_renderer",
    "cas_renderer",
    "letters_renderer",
    "names",
    "report_by_host",
    "report_renderer",
    "verify_renderer",
]

#: Every format, in the order ``--help`` lists them.
FORMATS: Tuple[Format, ...] = tuple(
    module.FORMAT for module in (table, text, json, csv, markdown, html)
)

_R = TypeVar("_R")


def _map(renderers: Mapping[str, Optional[Callable[[_R], str]]]) -> Dict[str, Callable[[_R], str]]:
    return {name: render for name, render in renderers.items() if render is not None}


#: The renderers of each kind, by format name (one typed map per kind, so that mypy checks
#: what each is given).
REPORT: Dict[str, Callable[["Summary"], str]] = _map({f.name: f.report for f in FORMATS})
VERIFY: Dict[str, Callable[["VerifyReport"], str]] = _map({f.name: f.verify for f in FORMATS})
ART30: Dict[str, Callable[["Art30Record"], str]] = _map({f.name: f.art30 for f in FORMATS})
LETTERS: Dict[str, Callable[[Tuple["Letter", ...]], str]] = _map(
    {f.name: f.letters for f in FORMATS}
)
CAS: Dict[str, Callable[["Facts"], str]] = _map({f.name: f.cas for f in FORMATS})

_KINDS: Dict[str, Mapping[str, object]] = {
    "report": REPORT,
    "verify": VERIFY,
    "art30": ART30,
    "letters": LETTERS,
    "cas": CAS,
}


def names(kind: str) -> List[str]:
    """The names of the formats that can render *kind* (``report``, ``verify``, ``art30``,
    ``letters``, ``cas``)."""
    return list(_KINDS[kind])


def _pick(renderers: Mapping[str, _R], name: str, kind: str) -> _R:
    """The renderer of format *name* in *renderers*; :class:`ValueError` if it has none."""
    try:
        return renderers[name]
    except KeyError:
        raise ValueError(
            f"the {name} format cannot show {kind}; choose from " + ", ".join(renderers)
        ) from None


def report_renderer(name: str) -> Callable[["Summary"], str]:
    """The renderer of reports in format *name*; :class:`ValueError` if it has none."""
    return _pick(REPORT, name, "report")


def report_by_host(name: str) -> Optional[Callable[[], ByHost]]:
    """What makes format *name*'s report grouped by host, host by host (``None``: none)."""
    for found in FORMATS:
        if found.name == name:
            return found.report_by_host
    return None


def verify_renderer(name: str) -> Callable[["VerifyReport"], str]:
    """The renderer of verifications in format *name*; :class:`ValueError` if it has none."""
    return _pick(VERIFY, name, "verify")


def art30_renderer(name: str) -> Callable[["Art30Record"], str]:
    """The renderer of Art. 30 records in format *name*; :class:`ValueError` if it has none."""
    return _pick(ART30, name, "art30")


def letters_renderer(name: str) -> Callable[[Tuple["Letter", ...]], str]:
    """The renderer of request letters in format *name*; :class:`ValueError` if it has none."""
    return _pick(LETTERS, name, "letters")


def cas_renderer(name: str) -> Callable[["Facts"], str]:
    """The renderer of the CA facts in format *name*; :class:`ValueError` if it has none."""
    return _pick(CAS, name, "cas")
