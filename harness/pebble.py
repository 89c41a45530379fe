"""A real Pebble ACME server (Debian's ``pebble`` package) on free loopback ports.

Pebble serves HTTPS with the test CA's server certificate. By default its VA accepts every
challenge (``PEBBLE_VA_ALWAYS_VALID=1``); with ``always_valid=False`` it really validates,
and with its DNS pointed at a closed loopback port every validation fails quickly.
``PEBBLE_WFE_NONCEREJECT`` makes it reject that percentage of good nonces (badNonce).
"""

import json
import os
import ssl
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import IO, Optional

from .recording_proxy import free_port, listens
from .testca import TestCA

PEBBLE_BINARY = "/usr/bin/pebble"


class PebbleError(RuntimeError):
    """Pebble could not be started."""


class Pebble:
    """One Pebble process; :meth:`start` it, :meth:`stop` it."""

    def __init__(
        self,
        workdir: Path,
        tls: TestCA,
        *,
        ocsp_url: str = "",
        nonce_reject: int = 0,
        always_valid: bool = True,
        binary: str = PEBBLE_BINARY,
    ) -> None:
        self.workdir = workdir
        self.tls = tls
        self.ocsp_url = ocsp_url
        self.nonce_reject = nonce_reject
        self.always_valid = always_valid
        self.binary = binary
        self.port = free_port()
        self.management_port = free_port()
        self.process: Optional[subprocess.Popen[bytes]] = None
        self._log: Optional[IO[bytes]] = None

    @property
    def address(self) -> tuple[str, int]:
        return ("127.0.0.1", self.port)

    @property
    def log_path(self) -> Path:
        return self.workdir / "pebble.log"

    def start(self, timeout: float = 60.0, attempts: int = 3) -> None:
        """Start Pebble and wait until its directory answers.

        Its ports were free when :func:`free_port` chose them, but another process (a
        test in another pytest-xdist worker, a client's ephemeral port) can take one
        before Pebble binds it: then Pebble exits at once, and it is started again on new
        ports, *attempts* times in all.
        """
        for attempt in range(attempts):
            try:
                self._start(timeout)
                return
            except PebbleError as error:
                if "address already in use" not in str(error) or attempt == attempts - 1:
                    raise
                self.stop()
            self.port, self.management_port = free_port(), free_port()

    def _start(self, timeout: float) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        config = {
            "pebble": {
                "listenAddress": f"127.0.0.1:{self.port}",
                "managementListenAddress": f"127.0.0.1:{self.management_port}",
                "certificate": str(self.tls.server_cert),
                "privateKey": str(self.tls.server_key),
                # Where a really validating VA would connect: ports nothing listens on.
                "httpPort": free_port(),
                "tlsPort": free_port(),
                "ocspResponderURL": self.ocsp_url,
                "externalAccountBindingRequired": False,
            }
        }
        config_path = self.workdir / "pebble-config.json"
        config_path.write_text(json.dumps(config, indent=2), encoding="utf-8")
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "PEBBLE_VA_NOSLEEP": "1",
            "PEBBLE_WFE_NONCEREJECT": str(self.nonce_reject),
        }
        command = [self.binary, "-config", str(config_path), "-strict=false"]
        if self.always_valid:
            env["PEBBLE_VA_ALWAYS_VALID"] = "1"
        else:
            # A DNS server that is not there: every lookup, so every validation, fails fast.
            command += ["-dnsserver", f"127.0.0.1:{free_port()}"]
        self._log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=self.workdir,
        )
        self._wait_ready(timeout)

    def _wait_ready(self, timeout: float) -> None:
        assert self.process is not None
        context = ssl.create_default_context(cafile=str(self.tls.ca_cert))
        url = f"https://127.0.0.1:{self.port}/dir"
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                raise PebbleError(
                    f"pebble exited with {self.process.returncode}:\n"
                    + self.log_path.read_text(errors="replace")
                )
            try:
                with urllib.request.urlopen(url, context=context, timeout=2) as response:
                    # Its own answer: not another Pebble's on a port this one did not get.
                    ports = (self.port, self.management_port)
                    if response.status == 200 and all(listens(self.process.pid, p) for p in ports):
                        return
            except (urllib.error.URLError, OSError):
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise PebbleError(
                    f"pebble did not answer {url} within {timeout}s:\n"
                    + self.log_path.read_text(errors="replace")
                )
            time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self._log is not None:
            self._log.close()
            self._log = None
