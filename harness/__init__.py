"""The end-to-end harness as one import: a test CA, Pebble behind a recording proxy, certbot.

Used by the pytest fixtures in ``conftest.py`` and usable from a script (the demo)::

    import harness

    tls = harness.make_test_ca(workdir / "tls")
    with harness.AcmeStack.start(workdir / "pebble", tls) as stack:
        target = harness.load_target("pypi", harness.DEFAULT_TARGETS["pypi"])
        runner = harness.CertbotRunner(target, stack.proxy, tls, workdir / "certbot")
        result = runner.run(*runner.certonly_args(runner.domain()))
        for request in result.requests:
            print(request.request_line, request.user_agent)

The parts live in their own modules: :mod:`.testca`, :mod:`.recording_proxy`,
:mod:`.pebble`, :mod:`.certbot_runner`.
"""

from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Optional

from .certbot_runner import (
    DEFAULT_TARGETS,
    LTS_TARGETS,
    REPO,
    CertbotResult,
    CertbotRunner,
    CertbotTarget,
    TargetMissing,
    in_ci,
    load_target,
    require_success,
    target_specs,
)
from .pebble import Pebble, PebbleError
from .recording_proxy import (
    OCSP_UNAUTHORIZED,
    AriSettings,
    Mark,
    OutsideAttempt,
    RecordedRequest,
    RecordingProxy,
    free_port,
    listens,
)
from .testca import TestCA, make_test_ca


@dataclass
class AcmeStack:
    """A Pebble and the recording proxy in front of it (which also plays ARI and OCSP)."""

    pebble: Pebble
    proxy: RecordingProxy

    @classmethod
    def start(
        cls, workdir: Path, tls: TestCA, *, nonce_reject: int = 0, always_valid: bool = True
    ) -> "AcmeStack":
        """Start Pebble with the proxy as its OCSP responder (the proxy's listeners are
        bound already), then the proxy, forwarding to the port Pebble got."""
        proxy = RecordingProxy(str(tls.server_cert), str(tls.server_key), str(tls.ca_cert))
        pebble = Pebble(
            workdir,
            tls,
            ocsp_url=proxy.ocsp_url,
            nonce_reject=nonce_reject,
            always_valid=always_valid,
        )
        try:
            pebble.start()
            proxy.start(pebble.address)
        except BaseException:
            proxy.close()
            raise
        return cls(pebble, proxy)

    def close(self) -> None:
        self.pebble.stop()
        self.proxy.close()

    def __enter__(self) -> "AcmeStack":
        return self

    def __exit__(
        self,
        kind: Optional[type[BaseException]],
        error: Optional[BaseException],
        traceback: Optional[TracebackType],
    ) -> None:
        self.close()


__all__ = [
    "DEFAULT_TARGETS",
    "LTS_TARGETS",
    "OCSP_UNAUTHORIZED",
    "REPO",
    "AcmeStack",
    "AriSettings",
    "CertbotResult",
    "CertbotRunner",
    "CertbotTarget",
    "Mark",
    "OutsideAttempt",
    "Pebble",
    "PebbleError",
    "RecordedRequest",
    "RecordingProxy",
    "TargetMissing",
    "TestCA",
    "free_port",
    "in_ci",
    "listens",
    "load_target",
    "make_test_ca",
    "require_success",
    "target_specs",
]
