"""What the format modules share: the :class:`Format` interface and safe text for display."""

from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Dict, Optional

if TYPE_CHECKING:
    from certbot_privacy.audit.art30 import Art30Record
    from certbot_privacy.audit.summarise import Summary
    from certbot_privacy.audit.verify import VerifyReport


@dataclass(frozen=True)
class Format:
    """One output format: its name and the renderers it has (``None``: not this format)."""

    name: str
    report: Optional[Callable[["Summary"], str]] = None
    verify: Optional[Callable[["VerifyReport"], str]] = None
    art30: Optional[Callable[["Art30Record"], str]] = None


def _escapes() -> Dict[int, str]:
    table = {code: f"\\x{code:02x}" for code in (*range(0x20), *range(0x7F, 0xA0))}
    # Bidirectional overrides and isolates would let a line of the log reorder the text
    # shown around it ("Trojan Source").
    table.update(
        {code: f"\\u{code:04x}" for code in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))}
    )
    return table


_ESCAPES = _escapes()


def printable(text: str) -> str:
    """Return *text* safe to show on a terminal: control characters as ``\\xNN`` escapes.

    Values in a log come from outside (a CA's URL, a forged line): shown raw, an escape
    sequence in one could rewrite the terminal's display of the report.
    """
    return text.translate(_ESCAPES)


def short_time(canonical: Optional[str]) -> str:
    """``2024-05-01T12:34:56.789Z`` as ``2024-05-01 12:34:56`` (UTC, said in headings)."""
    if not canonical:
        return "-"
    return canonical[:10] + " " + canonical[11:19]


def plural(count: int, noun: str, nouns: Optional[str] = None) -> str:
    """``1 record``, ``2 records``."""
    return f"{count} {noun if count == 1 else (nouns or noun + 's')}"
