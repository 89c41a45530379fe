"""Real certbot subprocesses, for each certbot this project supports.

Targets
    ``pypi``: ``.venv/bin/certbot``, the newest certbot 5.x from PyPI;
    ``debian``: ``.venv-debian/bin/certbot``, Debian bookworm's ``python3-certbot`` 2.1.0 on
    the system Python. Both are made by ``scripts/bootstrap``, and so are the LTS certbots
    between, ``ubuntu-24.04`` (2.9.0) and ``debian-13`` (4.0.0), :data:`LTS_TARGETS`, which
    only their smoke test runs by default. ``CERTBOT_PRIVACY_TARGETS`` chooses others: a
    comma-separated list of names (``pypi,debian``) or ``name=PATH`` entries, PATH being a
    certbot script whose ``#!`` line names its Python.

Runs
    :class:`CertbotRunner` runs one target with its own ``--config-dir``, ``--work-dir``
    and ``--logs-dir``, ``--server`` pointing at the recording proxy, ``-n`` and
    ``--no-random-sleep-on-renew``, and an environment with only what certbot needs: a
    private ``HOME`` and ``XDG_CONFIG_HOME`` (no user's cli.ini; ``/etc/letsencrypt/cli.ini``
    is still read, as certbot always does), ``REQUESTS_CA_BUNDLE`` with the test CA, and
    ``HTTPS_PROXY``/``HTTP_PROXY`` pointing at the proxy's trap, so that any attempt to reach
    beyond loopback is recorded rather than guessed.
"""

import os
import subprocess
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Sequence

from .recording_proxy import OutsideAttempt, RecordedRequest, RecordingProxy
from .testca import TestCA

REPO = Path(__file__).resolve().parents[1]

#: The targets, as made by scripts/bootstrap.
DEFAULT_TARGETS = {
    "pypi": REPO / ".venv" / "bin" / "certbot",
    "debian": REPO / ".venv-debian" / "bin" / "certbot",
}
#: The LTS certbots between (``scripts/bootstrap``: PyPI, with the acme, josepy, pyOpenSSL
#: and cryptography their distributions ship); the smoke test
#: ``tests/e2e/test_lts_certbots.py`` runs them, and ``CERTBOT_PRIVACY_TARGETS`` may name them.
LTS_TARGETS = {
    "ubuntu-24.04": REPO / ".venv-certbot-2.9" / "bin" / "certbot",
    "debian-13": REPO / ".venv-certbot-4.0" / "bin" / "certbot",
}

#: Runs certbot with the ``certbot-privacy`` distribution hidden from plugin discovery, so
#: that a run "without the plugin" can be compared with a run where it is installed.
_WITHOUT_PLUGIN = """
import sys
HIDDEN = "certbot-privacy"
try:
    import pkg_resources  # certbot < 2.? discovers plugins through pkg_resources
except ImportError:
    pkg_resources = None
if pkg_resources is not None:
    ws = pkg_resources.working_set
    ws.by_key.pop(HIDDEN, None)
    for entry, keys in ws.entry_keys.items():
        if HIDDEN in keys:
            keys.remove(HIDDEN)
import importlib.metadata as md
_distributions = md.distributions
def distributions(**kwargs):
    return (d for d in _distributions(**kwargs) if d.metadata["Name"] != HIDDEN)
md.distributions = distributions
from certbot.main import main
sys.exit(main())
"""


class TargetMissing(RuntimeError):
    """A certbot target is not installed (run scripts/bootstrap)."""


@dataclass(frozen=True)
class CertbotTarget:
    """One certbot installation under test."""

    name: str
    certbot: Path
    python: Path
    certbot_version: str
    requests_version: str
    python_version: str
    #: Whether this certbot asks the CA for ACME Renewal Info (certbot 3.x and later).
    ari: bool

    @property
    def minimal_user_agent(self) -> str:
        """What privacy mode must send, computed here independently of the plugin."""
        return f"CertbotACMEClient/{self.certbot_version} python-requests/{self.requests_version}"


def target_specs(environ: Optional[dict[str, str]] = None) -> dict[str, Path]:
    """The targets to test, by name: the defaults or those in ``CERTBOT_PRIVACY_TARGETS``."""
    environ = dict(os.environ) if environ is None else environ
    spec = environ.get("CERTBOT_PRIVACY_TARGETS", "").strip()
    if not spec:
        return dict(DEFAULT_TARGETS)
    chosen: dict[str, Path] = {}
    for entry in filter(None, (part.strip() for part in spec.split(","))):
        name, sep, path = entry.partition("=")
        if sep:
            chosen[name] = Path(path)
        elif name in DEFAULT_TARGETS or name in LTS_TARGETS:
            chosen[name] = {**DEFAULT_TARGETS, **LTS_TARGETS}[name]
        else:
            raise ValueError(
                f"CERTBOT_PRIVACY_TARGETS: unknown target {name!r}; use "
                f"{', '.join([*DEFAULT_TARGETS, *LTS_TARGETS])} or NAME=PATH-TO-CERTBOT"
            )
    return chosen


def load_target(name: str, certbot: Path) -> CertbotTarget:
    """Inspect the certbot script at *certbot*: its Python and the versions it runs."""
    if not certbot.exists():
        raise TargetMissing(
            f"certbot target {name!r}: {certbot} does not exist (run scripts/bootstrap)"
        )
    first_line = certbot.read_bytes().split(b"\n", 1)[0].decode()
    if not first_line.startswith("#!"):
        raise TargetMissing(f"certbot target {name!r}: {certbot} has no #! line")
    python = Path(first_line[2:].strip().split()[0])
    probe = subprocess.run(
        [
            str(python),
            "-c",
            "import certbot, requests, platform, acme.client; "
            "print(certbot.__version__, requests.__version__, platform.python_version(), "
            "hasattr(acme.client.ClientV2, 'renewal_time'))",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if probe.returncode != 0:
        raise TargetMissing(
            f"certbot target {name!r}: {python} cannot import certbot:\n" + probe.stderr
        )
    certbot_version, requests_version, python_version, ari = probe.stdout.split()
    return CertbotTarget(
        name, certbot, python, certbot_version, requests_version, python_version, ari == "True"
    )


@dataclass
class CertbotResult:
    """What one certbot run did: its exit, its output, and what reached the servers."""

    args: list[str]
    returncode: int
    stdout: str
    stderr: str
    requests: list[RecordedRequest]
    outside: list[OutsideAttempt]
    #: The runner's default disclosure log, and how many complete lines it had before.
    log_path: Optional[Path] = None
    log_start: int = 0

    def describe(self) -> str:
        """A summary for assertion messages."""
        lines = [f"certbot {' '.join(self.args)} -> exit {self.returncode}"]
        lines += [f"  {r}  UA={r.user_agent!r}" for r in self.requests]
        lines += [f"  outside: {a.method} {a.target}" for a in self.outside]
        lines += ["--- stdout", self.stdout, "--- stderr", self.stderr[-4000:]]
        return "\n".join(lines)


class CertbotRunner:
    """Runs certbot subprocesses of one target against one recording proxy.

    All runs of one runner share its config, work and logs directories (so that ``renew``
    sees what ``certonly`` wrote); a new runner starts from nothing.
    """

    def __init__(
        self, target: CertbotTarget, proxy: RecordingProxy, tls: TestCA, base: Path
    ) -> None:
        self.target = target
        self.proxy = proxy
        self.tls = tls
        self.base = base
        self.config_dir = base / "config"
        self.work_dir = base / "work"
        self.logs_dir = base / "logs"
        self.webroot = base / "webroot"
        self.home = base / "home"
        for directory in (
            self.config_dir,
            self.work_dir,
            self.logs_dir,
            self.webroot,
            self.home / ".config",
        ):
            directory.mkdir(parents=True, exist_ok=True)
        self._domains = 0

    def domain(self, label: str = "site") -> str:
        """A fresh domain name for this runner (Pebble's VA accepts any in the tests)."""
        self._domains += 1
        return f"{label}-{self._domains}-{uuid.uuid4().hex[:10]}.example.com"

    @property
    def user_cli_ini(self) -> Path:
        """``$XDG_CONFIG_HOME/letsencrypt/cli.ini``, which certbot reads on every run."""
        return self.home / ".config" / "letsencrypt" / "cli.ini"

    def renewal_conf(self, cert_name: str) -> Path:
        return self.config_dir / "renewal" / f"{cert_name}.conf"

    def renew_before_expiry(self, cert_name: str, interval: str = "3650 days") -> None:
        """Make a lineage due for renewal the way an admin would: ``renew_before_expiry``.

        Pebble's certificates are valid for five years, so ten years before expiry is now.
        The setting is a top-level item of the renewal conf, before ``[renewalparams]``.
        """
        conf = self.renewal_conf(cert_name)
        lines = conf.read_text(encoding="utf-8").splitlines(keepends=True)
        lines.insert(1, f"renew_before_expiry = {interval}\n")
        conf.write_text("".join(lines), encoding="utf-8")

    def cert_versions(self, cert_name: str) -> list[str]:
        """The certificate files in a lineage's archive: cert1.pem, cert2.pem, ..."""
        return sorted(p.name for p in (self.config_dir / "archive" / cert_name).glob("cert*.pem"))

    def environment(self) -> dict[str, str]:
        trap = self.proxy.trap_url
        env = {
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "HOME": str(self.home),
            "XDG_CONFIG_HOME": str(self.home / ".config"),
            "LANG": "C.UTF-8",
            "REQUESTS_CA_BUNDLE": str(self.tls.ca_cert),
            "PYTHONDONTWRITEBYTECODE": "1",
        }
        # The test CA for the DNS plugins' other HTTP stacks too: httpx (certbot-dns-
        # cloudflare), botocore (-route53), httplib2 (-google).
        for name in ("SSL_CERT_FILE", "AWS_CA_BUNDLE", "HTTPLIB2_CA_CERTS"):
            env[name] = str(self.tls.ca_cert)
        for name in ("HTTPS_PROXY", "HTTP_PROXY"):
            env[name] = env[name.lower()] = trap
        env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost"
        return env

    def certonly_args(self, *domains: str, privacy: bool = True) -> list[str]:
        """Arguments for a webroot ``certonly`` of *domains* with no email."""
        args = [
            "certonly",
            "--webroot",
            "-w",
            str(self.webroot),
            "--register-unsafely-without-email",
            "--agree-tos",
        ]
        if privacy:
            args.append("--privacy-minimal")
        for domain in domains:
            args += ["-d", domain]
        return args

    def argv(
        self,
        *args: str,
        server: Optional[str] = "",
        interactive: bool = False,
        without_plugin: bool = False,
    ) -> list[str]:
        """The command line of ``certbot ARGS`` for this runner (see :meth:`run`).

        For tests that start certbot themselves (in a terminal, in parallel, to kill it).
        """
        command: list[str]
        if without_plugin:
            command = [str(self.target.python), "-c", _WITHOUT_PLUGIN]
        else:
            command = [str(self.target.certbot)]
        options = [
            "--config-dir",
            str(self.config_dir),
            "--work-dir",
            str(self.work_dir),
            "--logs-dir",
            str(self.logs_dir),
            "--no-random-sleep-on-renew",
        ]
        if server is not None:
            options += ["--server", server or self.proxy.directory_url]
        if not interactive:
            options.append("-n")
        return [*command, *args, *options]

    def run(
        self,
        *args: str,
        server: Optional[str] = "",
        interactive: bool = False,
        stdin: Optional[str] = None,
        timeout: float = 120,
        without_plugin: bool = False,
        extra_env: Optional[dict[str, str]] = None,
        cwd: Optional[Path] = None,
    ) -> CertbotResult:
        """Run ``certbot ARGS`` and return what happened.

        ``server=""`` means the proxy's directory; ``None`` passes no ``--server``.
        ``without_plugin`` runs the same certbot with this package hidden from plugin
        discovery, as if it were not installed. It runs in *cwd* (default: the runner's
        base directory; the distro's timer runs certbot in ``/``).
        """
        env = self.environment()
        env.update(extra_env or {})
        log_path = self.logs_dir / "disclosure.jsonl"
        log_start = log_path.read_bytes().count(b"\n") if log_path.is_file() else 0
        mark = self.proxy.mark()
        completed = subprocess.run(
            self.argv(*args, server=server, interactive=interactive, without_plugin=without_plugin),
            input=stdin if stdin is not None else "",
            capture_output=True,
            text=True,
            timeout=timeout,
            env=env,
            cwd=cwd or self.base,
            check=False,
        )
        return CertbotResult(
            list(args),
            completed.returncode,
            completed.stdout,
            completed.stderr,
            self.proxy.since(mark),
            self.proxy.outside_since(mark),
            log_path,
            log_start,
        )


def require_success(result: CertbotResult) -> CertbotResult:
    """Fail the test with the whole story unless certbot exited 0."""
    if result.returncode != 0:
        raise AssertionError(result.describe())
    return result


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def run_module(argv: Sequence[str]) -> int:  # pragma: no cover - manual use
    """``python -m harness.certbot_runner``: print the targets and their versions."""
    for name, path in target_specs().items():
        try:
            target = load_target(name, path)
        except TargetMissing as error:
            print(f"{name}: missing: {error}")
            continue
        print(
            f"{name}: certbot {target.certbot_version}, requests "
            f"{target.requests_version}, Python {target.python_version} ({target.certbot})"
        )
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(run_module(sys.argv[1:]))
