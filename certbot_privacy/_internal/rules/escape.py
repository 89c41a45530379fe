"""The one escaping function for text shown to a person (pure).

Strings from outside (a CA's terms URL or error detail, a ``Location`` header, a line of
a log someone else wrote) can carry characters that act on the reader's terminal or
reorder what is shown around them: C0 and C1 controls (ESC starts terminal escape
sequences), bidirectional overrides, embeddings, isolates and marks ("Trojan Source"),
zero-width characters that hide text, and line and paragraph separators that break a
line where none is seen. :func:`printable` turns each of them into a visible escape
(``\\x1b``, ``\\u202e``), and keeps everything else, non-ASCII letters included.

The same module neutralises a value for the other places output goes: a spreadsheet cell
(:func:`csv_cell`) and Markdown (:func:`markdown`). JSON output is written ASCII-only,
with the rest of :func:`escapes` (DEL) escaped too (:func:`json_ascii`).
"""

from __future__ import annotations

import re
from typing import Any, Collection, Dict


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


_table: Dict[int, str] = {}


def escapes() -> Dict[int, str]:
    """The characters :func:`printable` escapes, with their escapes (made on first use:
    certbot runs import this module, and most never show a string from outside)."""
    if not _table:
        _table.update(_escapes())  # one C call with the whole table: no thread sees half
    return _table


def printable(text: str) -> str:
    """Return *text* safe to show: every character in :func:`escapes` as a visible escape.

    A backslash is kept as is: the result is for reading, not for parsing back.
    """
    return text.translate(_table or escapes())


def is_printable(text: str) -> bool:
    """Whether :func:`printable` would leave *text* unchanged."""
    table = _table or escapes()
    return not any(ord(char) in table for char in text)


def escape_fields(value: Any, names: Collection[str]) -> Any:
    """Return *value* (parsed JSON) with every string under a key in *names* made printable.

    At any depth: an ACME problem's ``detail`` and ``title``, and those of the problems
    nested in a challenge's or an order's ``error`` or in ``subproblems``. Everything else
    is returned as it is.
    """
    if isinstance(value, dict):
        return {
            key: printable(item)
            if key in names and isinstance(item, str)
            else escape_fields(item, names)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [escape_fields(item, names) for item in value]
    return value


#: What a spreadsheet takes for the start of a formula (OWASP, "CSV Injection").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(text: str) -> str:
    """Return *text* for a CSV cell: :func:`printable`, and never the start of a formula.

    A cell that would begin with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
    is prefixed with ``'``, which spreadsheets show as text (the OWASP rule), so a value
    such as ``=HYPERLINK(...)`` from a log cannot run as a formula when the file is opened.
    """
    shown = printable(text)
    return "'" + shown if shown.startswith(FORMULA_START) else shown


# Markdown: backslash-escape what would start emphasis, code, links, images, HTML, tables,
# strike-through or an entity (&amp; &#x202e;), and break what GFM turns into links by
# itself ("extended autolinks": "www.", a scheme's "://", "mailto:" and "xmpp:", an
# email's "@"). CommonMark lets any ASCII punctuation be escaped ("\:" renders ":").
#: What Markdown or GFM would read as markup: always the characters that make code, emphasis,
#: links, HTML and table cells; ``_`` only where it can start or end emphasis (not inside a
#: word: ``account_key``); ``&`` only where it can start an entity; ``www.`` and ``://``,
#: which GFM turns into web links.
_MARKDOWN = (
    r"([\\`*\[\]<>|~#])|(?<![0-9A-Za-z])_|_(?![0-9A-Za-z])|&(?=[#0-9A-Za-z])|(www)\.|:(?=//)"
)


def _markdown_escape(match: re.Match[str]) -> str:
    if match.group(2) is not None:
        return match.group(2) + "\\."
    return "\\" + match.group(0)


def markdown(text: str) -> str:
    """Return *text* for Markdown running text or a table cell, shown as it is.

    :func:`printable` first (controls, bidi, zero-width and separators), then what Markdown
    or GFM would misread is escaped, and nothing else, so that the document reads well as
    plain text too: it cannot inject markup, HTML, an entity, a web link or autolink, nor
    end a table cell (line breaks are escapes). An email address is left as it is (a
    renderer may link it to ``mailto:`` the very address shown).
    """
    # The pattern is compiled on first use (re keeps it): certbot runs import this module
    # for printable(), and compiling this one costs them more than the rest of it.
    return re.sub(_MARKDOWN, _markdown_escape, printable(text), flags=re.IGNORECASE)


def json_ascii(document: str) -> str:
    """Make JSON text from ``json.dumps(..., ensure_ascii=True)`` safe to print as well.

    ``ensure_ascii`` escapes every non-ASCII character (C1, bidi, zero-width, separators)
    and JSON escapes C0 controls; DEL (``\\x7f``), the one character of :func:`escapes`
    left, becomes ``\\u007f``. The values read back are unchanged.
    """
    return document.replace("\x7f", "\\u007f")
