"""The one escaping function for text shown to a person (pure).

Strings from outside (a CA's terms URL or error detail, a ``Location`` header, a line of
a log someone else wrote) can carry characters that act on the reader's terminal or
reorder what is shown around them: C0 and C1 controls (ESC starts terminal escape
sequences), bidirectional overrides, embeddings, isolates and marks ("Trojan Source"),
zero-width characters that hide text, and line and paragraph separators that break a
line where none is seen. :func:`printable` turns each of them into a visible escape
(``\\x1b``, ``\\u202e``), and keeps everything else, non-ASCII letters included.
"""

from typing import Dict


def _escapes() -> Dict[int, str]:
    table = {code: f"\\x{code:02x}" for code in (*range(0x20), *range(0x7F, 0xA0))}
    unicode = (
        0x061C,  # ARABIC LETTER MARK
        0x180E,  # MONGOLIAN VOWEL SEPARATOR (zero width)
        *range(0x200B, 0x2010),  # zero width space/non-joiner/joiner, LRM, RLM
        0x2028,
        0x2029,  # line and paragraph separators
        *range(0x202A, 0x202F),  # bidi embeddings and overrides, PDF
        *range(0x2060, 0x2065),  # word joiner and invisible operators
        *range(0x2066, 0x206A),  # bidi isolates
        0xFEFF,  # zero width no-break space (BOM)
        *range(0xFFF9, 0xFFFC),  # interlinear annotation controls
    )
    table.update({code: f"\\u{code:04x}" for code in unicode})
    return table


#: The characters :func:`printable` escapes, with their escapes.
ESCAPES: Dict[int, str] = _escapes()


def printable(text: str) -> str:
    """Return *text* safe to show: every character in :data:`ESCAPES` as a visible escape.

    A backslash is kept as is: the result is for reading, not for parsing back.
    """
    return text.translate(ESCAPES)


def is_printable(text: str) -> bool:
    """Whether :func:`printable` would leave *text* unchanged."""
    return not any(ord(char) in ESCAPES for char in text)
