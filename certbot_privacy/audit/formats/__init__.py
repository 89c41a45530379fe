"""Output formats of the audit commands: one module per format, behind one interface.

Each format module defines ``FORMAT``, a :class:`Format` naming the renderers it has: of
a report (:class:`~certbot_privacy.audit.summarise.Summary`), of a verification
(:class:`~certbot_privacy.audit.verify.VerifyReport`), of an Article 30 record
(:class:`~certbot_privacy.audit.art30.Art30Record`), of access or erasure request
letters (:class:`~certbot_privacy.audit.letters.Letter`) and of the CA facts
(:class:`~certbot_privacy.rules.cas.Facts`). A renderer is a pure function from the result
to the text to print; the command line picks one with ``--format``.

===========  ======  ======  ======  =======  ======
format       report  verify  art30   letters  cas
===========  ======  ======  ======  =======  ======
``table``    yes
``text``             yes             yes      yes
``json``     yes     yes     yes              yes
``csv``      yes
``markdown`` yes             yes     yes
===========  ======  ======  ======  =======  ======
"""

from typing import TYPE_CHECKING, Any, Callable, Dict, List, Tuple

from certbot_privacy.audit.formats import csv, json, markdown, table, text
from certbot_privacy.audit.formats._common import Format

if TYPE_CHECKING:
    from certbot_privacy.audit.art30 import Art30Record
    from certbot_privacy.audit.letters import Letter
    from certbot_privacy.audit.summarise import Summary
    from certbot_privacy.audit.verify import VerifyReport
    from certbot_privacy.rules.cas import Facts

__all__ = [
    "FORMATS",
    "Format",
    "art30_renderer",
    "cas_renderer",
    "letters_renderer",
    "names",
    "report_renderer",
    "verify_renderer",
]

#: Every format, by name.
FORMATS: Dict[str, Format] = {
    module.FORMAT.name: module.FORMAT for module in (table, text, json, csv, markdown)
}


def names(kind: str) -> List[str]:
    """The names of the formats that can render *kind* (``report``, ``verify``, ``art30``,
    ``letters``, ``cas``)."""
    return [name for name, fmt in FORMATS.items() if getattr(fmt, kind) is not None]


def _missing(name: str, kind: str) -> ValueError:
    return ValueError(
        f"the {name} format cannot show {kind}; choose from " + ", ".join(names(kind))
    )


def _renderer(name: str, kind: str) -> Any:
    """The ``kind`` renderer of format *name*; :class:`ValueError` if it has none."""
    render = getattr(FORMATS[name], kind)
    if render is None:
        raise _missing(name, kind)
    return render


def report_renderer(name: str) -> Callable[["Summary"], str]:
    """The renderer of reports in format *name*; :class:`ValueError` if it has none."""
    return _renderer(name, "report")  # type: ignore[no-any-return]


def verify_renderer(name: str) -> Callable[["VerifyReport"], str]:
    """The renderer of verifications in format *name*; :class:`ValueError` if it has none."""
    return _renderer(name, "verify")  # type: ignore[no-any-return]


def art30_renderer(name: str) -> Callable[["Art30Record"], str]:
    """The renderer of Art. 30 records in format *name*; :class:`ValueError` if it has none."""
    return _renderer(name, "art30")  # type: ignore[no-any-return]


def letters_renderer(name: str) -> Callable[[Tuple["Letter", ...]], str]:
    """The renderer of request letters in format *name*; :class:`ValueError` if it has none."""
    return _renderer(name, "letters")  # type: ignore[no-any-return]


def cas_renderer(name: str) -> Callable[["Facts"], str]:
    """The renderer of the CA facts in format *name*; :class:`ValueError` if it has none."""
    return _renderer(name, "cas")  # type: ignore[no-any-return]
