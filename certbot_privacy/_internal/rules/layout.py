# ruff: noqa: RUF001 - Chinese punctuation on purpose
"""Fitting text to a terminal (pure): display width and word wrapping, Chinese included.

A terminal draws East Asian wide and full-width characters (``unicodedata``'s ``W`` and
``F``) in two columns, combining marks in none, everything else in one. :func:`fill`
wraps each line of a text to a number of columns: at spaces, and between any two Chinese
characters, never putting closing punctuation at the start of a line nor opening
punctuation at its end (a simple form of the kinsoku rule). A word longer than a line is
cut. The consent notice is wrapped here, so that its height on an 80x24 terminal can be
measured and tested (``tests/e2e/test_consent_text_terminal.py``).
"""

import re
import unicodedata
from typing import List

#: Characters that must not begin a line, and that must not end one.
NO_LINE_START = frozenset("，。、；：？！）》」』】〕”’…·%)]}.,;:!?")
NO_LINE_END = frozenset("（《「『【〔“‘([{")


def char_width(char: str) -> int:
    """The columns a terminal gives *char*: 2 for wide and full-width, 0 for combining."""
    if unicodedata.combining(char):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def width(text: str) -> int:
    """The columns *text* takes on one line of a terminal."""
    return sum(char_width(char) for char in text)


def _wide(char: str) -> bool:
    return unicodedata.east_asian_width(char) in ("W", "F")


def _tokens(paragraph: str) -> List[str]:
    """Words with their trailing blanks, and single wide characters (each a break point)."""
    tokens: List[str] = []
    for match in re.finditer(r"\s+|\S", paragraph):
        piece = match.group()
        if piece.isspace():
            if tokens:
                tokens[-1] += piece
            continue
        previous = tokens[-1][-1] if tokens else " "
        if tokens and not _wide(piece) and not previous.isspace() and not _wide(previous):
            tokens[-1] += piece
        else:
            tokens.append(piece)
    return tokens


def wrap(paragraph: str, columns: int) -> List[str]:
    """Wrap one line of text to *columns* display columns (greedy)."""
    lines: List[str] = []
    line: List[str] = []
    used = 0
    for token in _tokens(paragraph):
        body = token.rstrip()
        if used + width(body) > columns and line:
            carried: List[str] = []
            if body[:1] in NO_LINE_START:
                # Carry the character before the punctuation down with it.
                while (
                    line
                    and len(line[-1].rstrip()) == 1
                    and (not carried or carried[0][:1] in NO_LINE_START)
                ):
                    carried.insert(0, line.pop())
            while line and line[-1].rstrip() in NO_LINE_END:
                carried.insert(0, line.pop())
            if not line:
                line, carried = carried, []
            lines.append("".join(line).rstrip())
            line = carried
            used = sum(width(t) for t in line)
        while width(body) > columns:  # longer than a line: cut it
            cut = taken = 0
            while cut < len(body) and taken + char_width(body[cut]) <= columns:
                taken += char_width(body[cut])
                cut += 1
            lines.append(body[:cut])
            body, token = body[cut:], token[cut:]
        line.append(token)
        used += width(token)
    if line or not lines:
        lines.append("".join(line).rstrip())
    return lines


def fill(text: str, columns: int = 80) -> str:
    """Wrap every line of *text* to *columns*; empty lines stay, the last line keeps its end.

    A line's leading blanks are kept on each of its wrapped lines.
    The last line is typically a question waiting for an answer: its trailing blank
    (``"[y/N] "``) is kept.
    """
    source = text.split("\n")
    out: List[str] = []
    for number, line in enumerate(source):
        if not line.strip():
            out.append("")
            continue
        indent = line[: len(line) - len(line.lstrip())]
        wrapped = [indent + part for part in wrap(line.lstrip(), max(columns - width(indent), 10))]
        if number == len(source) - 1 and line.endswith(" "):
            wrapped[-1] += " "
        out.extend(wrapped)
    return "\n".join(out)


def hang(line: str, columns: int = 80, indent: int = 2) -> List[str]:
    """Wrap one line to *columns*, its lines after the first *indent* columns further in.

    A hanging indent: the first line starts as the line did (a ``FILE:LINE:`` or a label
    stays at its head, for the eye and for grep), what follows is set off below it. The
    line's own leading blanks are kept on every line.
    """
    lead = line[: len(line) - len(line.lstrip())]
    text = line.lstrip()
    first = wrap(text, max(columns - width(lead), 1))[0]
    rest = text[len(first) :].lstrip()
    lines = [lead + first]
    if rest:
        more = lead + " " * indent
        lines += [more + part for part in wrap(rest, max(columns - width(more), 1))]
    return lines


def rows(text: str, columns: int = 80) -> int:
    """The terminal rows *text* takes, the cursor after its last character included."""
    lines = text.split("\n")
    total = 0
    for number, line in enumerate(lines):
        used = width(line)
        if number == len(lines) - 1:
            total += used // columns + 1
        else:
            total += max(1, -(-used // columns))
    return total
