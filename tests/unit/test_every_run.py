"""What certbot loads of this package when privacy mode is off (it imports the plugin on every run).

Each module the plugin pulls in costs every certbot command its instructions (issue 18's
target: ``certbot --version`` and ``certbot plugins`` within 1% of certbot without the
plugin, ``benchmarks/bench_plugin.py``). These tests pin the set, under each certbot's own
Python: a module added to it (the exception tree, the log, the CA facts) must be a choice,
made here, with the benchmark run again.
"""

import subprocess
import sys
from pathlib import Path
from typing import List

import pytest

from harness import target_specs
from tests.helpers.prerequisites import certbot_target

REPO = Path(__file__).resolve().parents[2]
TARGETS = target_specs()

#: The plugin and its run state, and certbot's names it hooks (with the patch helper): what
#: certbot's plugin discovery loads (``--version`` stops there, while parsing).
LOADED = [
    "certbot_privacy",
    "certbot_privacy._internal",
    "certbot_privacy._internal.adapter",
    "certbot_privacy._internal.adapter.certbot_internals",
    "certbot_privacy._internal.adapter.patching",
    "certbot_privacy._internal.adapter.plugin",
    "certbot_privacy._internal.adapter.state",
]

#: And the option rules, once certbot has parsed: all that a run without privacy mode needs.
PARSED = sorted(
    [*LOADED, "certbot_privacy._internal.rules", "certbot_privacy._internal.rules.options"]
)

_LOADED = """
import sys
from certbot.main import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
print(" ".join(sorted(m for m in sys.modules if m.startswith("certbot_privacy"))))
"""


def _loaded(name: str, args: List[str]) -> List[str]:
    """The package's modules loaded after certbot target *name* ran with *args*."""
    target = certbot_target(name, TARGETS)
    done = subprocess.run(
        [str(target.python), "-c", _LOADED, *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout.split("\n")[-2].split()


@pytest.mark.parametrize("name", sorted(TARGETS))
@pytest.mark.parametrize(("verb", "expected"), [("--version", LOADED), ("plugins", PARSED)])
def test_a_run_without_privacy_mode_loads_the_plugin_its_hooks_and_the_option_rules_only(
    name: str, verb: str, expected: List[str], tmp_path: Path
) -> None:
    """``certbot --version`` and ``certbot plugins`` load no more of the package than the
    plugin needs to decide that privacy mode is off (no exception tree, log, CA facts)."""
    dirs = [f"--{d}-dir={tmp_path / d}" for d in ("config", "work", "logs")]
    assert _loaded(name, [verb, *dirs]) == expected


_DNS_HOOK = """
import sys
from certbot_privacy._internal.adapter import certbot_internals
certbot_internals.install_dns_hook(lambda *values: None)
print("certbot.plugins.dns_common" in sys.modules)
from certbot.plugins import dns_common
certbot_internals.install_dns_hook(lambda *values: None)
print(hasattr(dns_common.DNSAuthenticator.perform, "__certbot_privacy_patch__"))
"""


def test_the_dns_hook_waits_for_a_dns_plugin() -> None:
    """Without a DNS plugin loaded, switching privacy mode on imports no ``dns_common``
    (certbot loads plugins before it parses); with one, the hook wraps its ``perform``."""
    done = subprocess.run(
        [sys.executable, "-c", _DNS_HOOK],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert done.stdout.split() == ["False", "True"]
