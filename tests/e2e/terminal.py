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

    def expect_count(self, text: str, count: int, timeout: float = 90) -> str:
        """Wait until *text* has been shown *count* times; return everything shown so far."""
        deadline = time.monotonic() + timeout
        while self.output.count(text) < count:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or (
                not self._read(min(remaining, 1.0)) and self.process.poll() is not None
            ):
                raise AssertionError(
                    f"{text!r} not shown {count} times; the terminal shows:\n{self.output}"
                )
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


class Tmux:
    """A program in a real terminal of a given size (tmux), to see what fits on its screen.

    Each instance has its own tmux server (``-L``), so tests never touch anyone's tmux.
    The pane stays after the program ends (``remain-on-exit``) so its exit can be read.
    """

    def __init__(
        self, argv: List[str], env: Dict[str, str], cwd: Path, columns: int = 80, rows: int = 24
    ) -> None:
        self.socket = f"certbot-privacy-{os.getpid()}-{time.monotonic_ns()}"
        self.status_file = cwd / f".{self.socket}.status"
        command = [
            "sh",
            "-c",
            'status="$1"; shift; "$@"; echo $? > "$status"',
            "sh",
            str(self.status_file),
            "env",
            "-i",
            *(f"{k}={v}" for k, v in env.items()),
            *argv,
        ]
        self._tmux(
            "-f",
            "/dev/null",
            "start-server",
            ";",
            "set-option",
            "-g",
            "remain-on-exit",
            "on",
            ";",
            "new-session",
            "-d",
            "-x",
            str(columns),
            "-y",
            str(rows),
            "-c",
            str(cwd),
            "--",
            *command,
        )

    def _tmux(self, *args: str) -> str:
        out = subprocess.run(
            ["tmux", "-u", "-L", self.socket, *args], capture_output=True, text=True, check=True
        )
        return out.stdout

    def screen(self) -> List[str]:
        """The rows on screen now, without trailing blanks."""
        return [row.rstrip() for row in self._tmux("capture-pane", "-p").split("\n")][:-1]

    def history(self) -> str:
        """Everything the program showed, scrolled off or not."""
        return self._tmux("capture-pane", "-p", "-J", "-S", "-")

    def cursor_row(self) -> int:
        """The row the cursor is on (0 is the top)."""
        return int(self._tmux("display-message", "-p", "#{cursor_y}").strip())

    def wait_for(self, text: str, timeout: float = 90) -> List[str]:
        """Wait until *text* is on screen (or the program ended); return the screen."""
        deadline = time.monotonic() + timeout
        while True:
            screen = self.screen()
            if text in "\n".join(screen):
                return screen
            if self.dead() or time.monotonic() > deadline:
                raise AssertionError(f"{text!r} never shown; the screen:\n" + "\n".join(screen))
            time.sleep(0.2)

    def dead(self) -> bool:
        return self._tmux("display-message", "-p", "#{pane_dead}").strip() == "1"

    def type(self, line: str) -> None:
        """Type *line* and press Enter."""
        self._tmux("send-keys", "-l", line)
        self._tmux("send-keys", "Enter")

    def finish(self, timeout: float = 120) -> int:
        """Wait for the program to end; return its exit code, and stop this tmux."""
        deadline = time.monotonic() + timeout
        try:
            while not self.dead():
                if time.monotonic() > deadline:
                    raise AssertionError("still running:\n" + "\n".join(self.screen()))
                time.sleep(0.2)
            if not self.status_file.exists():
                raise AssertionError("ended without an exit status:\n" + self.history())
            status = self.status_file.read_text(encoding="ascii").strip()
            self.status_file.unlink()
            return int(status)
        finally:
            self.close()

    def close(self) -> None:
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True, check=False)
