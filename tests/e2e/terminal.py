"""Drive a program in a real pseudo-terminal, as an admin at a keyboard would.

Certbot and privacy mode decide "interactive" from ``isatty()``; a pipe would not do.
"""

import os
import pty
import select
import subprocess
import time
from pathlib import Path
from typing import Dict, List, Optional


class Terminal:
    """A process on the slave side of a pty; read what it shows, type answers."""

    def __init__(self, argv: List[str], env: Dict[str, str], cwd: Path) -> None:
        master, slave = pty.openpty()
        self.master = master
        self.process = subprocess.Popen(
            argv,
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env={**env, "TERM": "dumb", "COLUMNS": "100"},
            cwd=cwd,
            start_new_session=True,
        )
        os.close(slave)
        self.output = ""

    def _read(self, timeout: float) -> bool:
        ready, _, _ = select.select([self.master], [], [], timeout)
        if not ready:
            return False
        try:
            data = os.read(self.master, 65536)
        except OSError:  # the process closed the terminal
            return False
        if not data:
            return False
        self.output += data.decode("utf-8", "replace").replace("\r\n", "\n")
        return True

    def expect(self, text: str, timeout: float = 90) -> str:
        """Wait until *text* has been shown; return everything shown so far."""
        deadline = time.monotonic() + timeout
        while text not in self.output:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or (
                not self._read(min(remaining, 1.0)) and self.process.poll() is not None
            ):
                raise AssertionError(f"{text!r} never shown; the terminal shows:\n{self.output}")
        return self.output

    def type(self, line: str) -> None:
        """Type *line* and press Enter."""
        os.write(self.master, line.encode("utf-8") + b"\r")

    def finish(self, timeout: float = 120) -> int:
        """Wait for the process to end, keeping what it shows; return its exit code."""
        deadline = time.monotonic() + timeout
        while self.process.poll() is None and time.monotonic() < deadline:
            self._read(0.2)
        while self._read(0.05):
            pass
        os.close(self.master)
        code: Optional[int] = self.process.poll()
        if code is None:
            self.process.kill()
            raise AssertionError(f"still running after {timeout}s:\n{self.output}")
        return code
