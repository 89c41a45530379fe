"""The snap's way to load the plugin, without snapd: ``CERTBOT_PLUGIN_PATH``.

Certbot's snap puts each connected plugin snap's ``lib/python3.X/site-packages`` on
``CERTBOT_PLUGIN_PATH`` (``certbot/_internal/snap_config.py``), and certbot adds those
directories to ``sys.path`` before it reads plugin entry points
(``certbot/_internal/plugins/disco.py``). Here the wheel is installed with ``pip install
--target DIR --no-deps`` into a directory laid out as the plugin snap's, outside a fresh
certbot 5.x environment that does not have the plugin, and that certbot runs with
``CERTBOT_PLUGIN_PATH=DIR`` and ``--preconfigured-renewal`` (as the snap runs it).
``snap/snapcraft.yaml`` is checked against the same certbot: the Python version in its
slot is the one certbot's snap requires.
"""

import re
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from packaging_support import (
    ISSUANCE_PATHS,
    OFFLINE,
    REPO,
    Built,
    assert_sent_privately,
    certbot_dirs,
    clean_env,
    harness,
    missing,
    run,
    wheel_entry_points,
)

pytestmark = pytest.mark.packaging

SNAPCRAFT = REPO / "snap" / "snapcraft.yaml"
#: The Python of each snap base (the Ubuntu release's python3).
BASE_PYTHON = {"core20": "python3.8", "core22": "python3.10", "core24": "python3.12"}


@dataclass(frozen=True)
class SnapLike:
    """A certbot 5.x environment without the plugin, and the plugin snap's directory."""

    certbot: Path
    python: Path
    #: What certbot's snap_config.CURRENT_PYTHON_VERSION_STRING says (``python3.12``).
    snap_python: str
    plugin_dir: Path

    def env(self) -> dict[str, str]:
        return {"CERTBOT_PLUGIN_PATH": str(self.plugin_dir)}


@pytest.fixture(scope="module")
def snap_like(built: Built, tmp_path_factory: pytest.TempPathFactory) -> SnapLike:
    base = tmp_path_factory.mktemp("snap-path")
    venv = base / "certbot-venv"
    step = "venv with certbot from PyPI, no plugin"
    run([sys.executable, "-m", "venv", venv], step=step, env=clean_env())
    python = venv / "bin" / "python"
    installed = run(
        [python, "-m", "pip", "install", "-q", "certbot>=5,<6"],
        step=step,
        env=clean_env(),
        timeout=600,
        check=False,
    )
    if installed.returncode != 0:
        missing(f"could not install certbot 5.x from PyPI:\n{installed.stderr[-2000:]}")
    probe = run(
        [
            python,
            "-c",
            "from certbot._internal import snap_config; "
            "print(snap_config.CURRENT_PYTHON_VERSION_STRING)",
        ],
        env=clean_env(),
    )
    snap_python = probe.stdout.strip()
    # Where certbot's snap looks: /snap/<plugin>/current/lib/<python>/site-packages/.
    plugin_dir = (
        base / "snap" / "certbot-privacy" / "current" / "lib" / snap_python / ("site-packages")
    )
    run(
        [python, "-m", "pip", "install", "-q", "--no-deps", "--target", plugin_dir, built.wheel],
        step="pip install --target (the plugin snap's directory)",
        env=clean_env(**OFFLINE),
    )
    return SnapLike(venv / "bin" / "certbot", python, snap_python, plugin_dir)


def test_the_certbot_environment_does_not_have_the_plugin(
    snap_like: SnapLike, tmp_path: Path
) -> None:
    """Without CERTBOT_PLUGIN_PATH that certbot neither imports nor lists the plugin."""
    probe = run(
        [snap_like.python, "-c", "import certbot_privacy"],
        cwd=tmp_path,
        env=clean_env(),
        check=False,
    )
    assert probe.returncode != 0, probe.stdout
    plugins = run(
        [snap_like.certbot, "plugins", *certbot_dirs(tmp_path)], cwd=tmp_path, env=clean_env()
    )
    assert "* privacy" not in plugins.stdout, plugins.stdout


def test_certbot_plugins_lists_privacy_from_the_plugin_path(
    snap_like: SnapLike, built: Built, tmp_path: Path
) -> None:
    """With CERTBOT_PLUGIN_PATH=DIR, certbot plugins lists privacy from the wheel's entry point."""
    result = run(
        [snap_like.certbot, "plugins", "--preconfigured-renewal", *certbot_dirs(tmp_path)],
        cwd=tmp_path,
        env=clean_env(**snap_like.env()),
    )
    ((name, value),) = wheel_entry_points(built.wheel)["certbot.plugins"].items()
    assert f"* {name}" in result.stdout, result.stdout
    assert value in result.stdout, result.stdout


def test_private_issuance_and_renewal_from_the_plugin_path(
    snap_like: SnapLike, acme: harness.AcmeStack, tls: harness.TestCA, tmp_path: Path
) -> None:
    """certonly --privacy-minimal, then a plain renew (the snap's timer): only the minimal UA."""
    target = harness.load_target("snap-path", snap_like.certbot)
    assert target.ari, "certbot 5.x asks for ACME Renewal Info"
    runner = harness.CertbotRunner(target, acme.proxy, tls, tmp_path / "certbot")
    domain = runner.domain()
    issued = harness.require_success(
        runner.run(
            *runner.certonly_args(domain),
            "--cert-name",
            domain,
            "--preconfigured-renewal",
            extra_env=snap_like.env(),
        )
    )
    renewed = harness.require_success(
        runner.run("-q", "renew", "--preconfigured-renewal", server=None, extra_env=snap_like.env())
    )

    for result in (issued, renewed):
        assert_sent_privately(result, target, ISSUANCE_PATHS)
    assert runner.cert_versions(domain) == ["cert1.pem", "cert2.pem"]
    log = (runner.logs_dir / "disclosure.jsonl").read_text(encoding="utf-8")
    sent = log.count('"event":"request"')
    assert sent == len(issued.requests) + len(renewed.requests), log[-2000:]


def test_snapcraft_yaml_matches_what_certbots_snap_loads(snap_like: SnapLike) -> None:
    """snap/snapcraft.yaml: a certbot-1 content slot reading the site-packages certbot expects."""
    text = SNAPCRAFT.read_text(encoding="utf-8")
    read_path = f"$SNAP/lib/{snap_like.snap_python}/site-packages"
    slot = re.search(r"^slots:\n  certbot:\n((?:    .*\n|      .*\n)+)", text, re.M)
    assert slot, "no 'certbot' slot"
    assert re.search(r"^    interface: content$", slot.group(1), re.M)
    assert re.search(r"^    content: certbot-1$", slot.group(1), re.M)
    assert re.search(rf"^      - {re.escape(read_path)}$", slot.group(1), re.M), slot.group(1)
    # The part installs the plugin alone (certbot's snap brings certbot) into that path.
    joined = text.replace("\\\n", " ")  # shell line continuations
    install = re.search(r"^ +python3 -m pip install (.*)$", joined, re.M)
    assert install, "the part installs with pip"
    assert "--no-deps" in install.group(1)
    assert f'--target "$CRAFT_PART_INSTALL/lib/{snap_like.snap_python}/site-packages"' in (
        install.group(1)
    ), install.group(1)
    base = re.search(r"^base: (\S+)$", text, re.M)
    assert base and BASE_PYTHON.get(base.group(1)) == snap_like.snap_python, base
    assert re.search(r"^name: certbot-privacy$", text, re.M)
