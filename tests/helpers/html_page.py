"""A page as a browser's parser sees it (its elements, attributes and text), and a real
headless Chromium to load, screenshot and print pages with."""

import os
import shutil
import struct
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from typing import Dict, List, Optional, Tuple

#: Every element the HTML report and Art. 30 pages may contain.
ELEMENTS = {
    "html", "head", "meta", "title", "style", "body", "header", "main", "footer", "section",
    "h1", "h2", "h3", "p", "ul", "li", "table", "thead", "tbody", "tr", "th", "td", "strong",
    "span", "code", "a", "blockquote", "figure", "figcaption", "svg", "rect", "text",
}  # fmt: skip

#: How long one browser run may take (seconds).
BROWSER_TIMEOUT = 90


class Page(HTMLParser):
    """The elements, attributes and text of *document*."""

    def __init__(self, document: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: List[Tuple[str, Dict[str, Optional[str]]]] = []
        self.texts: List[str] = []
        self.rows: List[Dict[str, str]] = []
        self._skip = 0
        self._tables: List[Tuple[List[str], List[str], List[str]]] = []  # heads, row, cell
        self._in: List[str] = []
        self.feed(document)
        self.close()

    def handle_starttag(self, tag: str, attrs: List[Tuple[str, Optional[str]]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._skip += tag == "style"
        if tag == "table":
            self._tables.append(([], [], []))
        elif tag in ("thead", "tbody"):
            self._in.append(tag)
        elif tag in ("th", "td") and self._tables:
            self._tables[-1][2].clear()
            self._tables[-1][2].append(tag)

    def handle_startendtag(self, tag: str, attrs: List[Tuple[str, Optional[str]]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        self._skip -= tag == "style"
        if not self._tables:
            return
        heads, row, cell = self._tables[-1]
        if tag in ("th", "td") and cell:
            text = " ".join("".join(cell[1:]).split())
            if self._in and self._in[-1] == "thead":
                heads.append(text)
            elif cell[0] == "td":
                row.append(text)
            cell.clear()
        elif tag == "tr" and row:
            if len(row) == len(heads):
                self.rows.append(dict(zip(heads, row)))
            row.clear()
        elif tag in ("thead", "tbody") and self._in:
            self._in.pop()
        elif tag == "table":
            self._tables.pop()

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.texts.append(data)
        if self._tables and self._tables[-1][2]:
            self._tables[-1][2].append(data)

    def has_row(self, **cells: object) -> bool:
        """Whether a table row (of a table with headings) shows these cells (heading names
        with spaces for underscores, capitalised: ``privacy_off`` is "Privacy off"; a name
        with a space already is the heading as it stands)."""
        wanted = {
            (k if " " in k else k.replace("_", " ").capitalize()): str(v) for k, v in cells.items()
        }
        return any(all(row.get(k) == v for k, v in wanted.items()) for row in self.rows)

    @property
    def text(self) -> str:
        """The page's text (not its stylesheet), runs of white space as one space."""
        return " ".join(" ".join(self.texts).split())


def chromium() -> Optional[str]:
    """The headless browser (Debian's chromium), or ``None`` if it is not installed."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


def run_chromium(browser: str, work: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run *browser* headless on loopback only, with a fresh profile under *work*,
    ``--no-sandbox`` (tests run as root), console messages on standard error."""
    profile = work / f"profile-{len(list(work.glob('profile-*')))}"
    argv = [
        browser,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--no-default-browser-check",
        "--disable-extensions",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--metrics-recording-only",
        "--host-resolver-rules=MAP * ~NOTFOUND",  # nothing but the file reaches a network
        f"--user-data-dir={profile}",
        "--enable-logging=stderr",
        "--v=0",
        *args,
    ]
    env = dict(os.environ, HOME=str(work))
    return subprocess.run(
        argv,
        capture_output=True,
        text=True,
        timeout=BROWSER_TIMEOUT,
        check=False,
        stdin=subprocess.DEVNULL,
        env=env,
    )


def console_messages(stderr: str) -> List[str]:
    """The page's console messages (CSP violations, errors) in a browser run's output."""
    return [line for line in stderr.splitlines() if ":CONSOLE" in line]


def png_size(path: Path) -> Tuple[int, int]:
    """The width and height of a PNG file (from its IHDR chunk)."""
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    width, height = struct.unpack(">II", head[16:24])
    return width, height
