"""adapter.coverage.native_code: native libraries of the certbot plugins a run loads or uses.

Real distributions: certbot-dns-multi (a Go library, ``lego_bridge``) from
``.venv-dns-multi`` (``scripts/bootstrap``), imported or not in a fresh interpreter, beside
the pure-Python plugins of ``.venv``.
"""

import json
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, List

import pytest

from certbot_privacy._internal.rules import coverage as rules

DNS_MULTI = Path(__file__).resolve().parents[2] / ".venv-dns-multi"

_CODE = """
import json, sys
sys.path.insert(0, sys.argv[1])
if sys.argv[2] == "import":
    import certbot_dns_multi._internal.dns_multi  # what certbot's plugin discovery imports
from certbot_privacy._internal.adapter import coverage
found = {}
for name, roles in (("none", {}), ("webroot", {"webroot": "authenticator"}),
                    ("authenticator", {"dns-multi": "authenticator"}),
                    ("installer", {"webroot": "authenticator", "dns-multi": "installer"})):
    found[name] = [
        {k: v for k, v in item.items() if k != "path"} for item in coverage.native_code(roles)
    ]
print(json.dumps(found))
"""


def _native(imported: bool) -> Dict[str, List[Dict[str, Any]]]:
    if not (DNS_MULTI / "certbot_dns_multi").is_dir():
        pytest.skip(f"certbot-dns-multi is not installed in {DNS_MULTI} (bash scripts/bootstrap)")
    done = subprocess.run(
        [sys.executable, "-c", _CODE, str(DNS_MULTI), "import" if imported else "no"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    found: Dict[str, List[Dict[str, Any]]] = json.loads(done.stdout)
    return found


def test_a_loaded_plugin_with_native_code_is_found_whatever_the_authenticator() -> None:
    """certbot-dns-multi imported (as certbot's discovery does): its Go library is found and
    mapped, as ``loaded`` beside a webroot run, as the authenticator or installer when the
    run names it."""
    found = _native(imported=True)
    library = "lego_bridge.cpython-311-x86_64-linux-gnu.so"
    expected = {"what": "native", "library": library, "plugin": "certbot-dns-multi"}
    assert found["none"] == found["webroot"] == [expected | {"role": "loaded", "loaded": True}]
    assert found["authenticator"] == [expected | {"role": "authenticator", "loaded": True}]
    assert found["installer"] == [expected | {"role": "installer", "loaded": True}]


def test_a_plugin_not_imported_is_found_only_when_the_run_names_it() -> None:
    """On the path but not imported: nothing unless it is the authenticator (not mapped)."""
    found = _native(imported=False)
    assert found["none"] == found["webroot"] == []
    (item,) = found["authenticator"]
    assert (item["plugin"], item["role"], item["loaded"]) == (
        "certbot-dns-multi",
        "authenticator",
        False,
    )


def test_the_plugins_known_to_be_pure_python_are_the_checked_ones() -> None:
    """Every DNS plugin whose stacks are known is pure Python (its package is listed), so
    a run with only those reads no distribution metadata."""
    for name in rules.AUTHENTICATOR_STACKS:
        if name.startswith("dns-"):
            assert "certbot_" + name.replace("-", "_") in rules.PURE_PLUGIN_PACKAGES, name


def test_the_notice_says_what_the_plugin_is_to_the_run() -> None:
    """The authenticator's native code, and a loaded plugin's that the run does not use."""
    item = {"what": "native", "library": "lego.so", "plugin": "certbot-dns-multi"}
    assert rules.native_notice(item | {"role": "authenticator"}).startswith(
        "certbot-dns-multi, this run's authenticator, runs native code in certbot (lego.so)"
    )
    assert rules.native_notice(item | {"role": "loaded", "loaded": True}).startswith(
        "certbot-dns-multi is loaded in certbot with native code (lego.so), though it is not"
    )
