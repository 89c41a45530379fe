"""Renewal confs read as ``renew`` reads them: one corpus of odd files, both certbots' configobj.

``renew`` reads a renewal conf with configobj as certbot's storage opens it, and the
plugin's lineage hook takes ``privacy_minimal`` through :func:`renewal_flag`; the reader
behind ``status`` must come to the same answer for every file, with the configobj of
each certbot (this interpreter's, and Debian 12's beside python3-certbot 2.1.0).
"""

import json
import subprocess
import sys
from pathlib import Path
from typing import Dict, List

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEBIAN = ROOT / ".venv-debian" / "bin" / "python"

#: ``privacy_minimal = <value>`` lines (issue 21: a trailing comma is a configobj list).
CORPUS = [
    "True",
    "True,",
    '"True"',
    "'True'",
    "True  # switched on",
    "true",
    "yes",
    "True, True",
    "False",
    '"False"',
]

#: Read each conf as certbot's storage does and as the reader does (run in each interpreter).
SCRIPT = r"""
import json, sys
import configobj
from certbot_privacy._internal.confdir import privacy, reader
out = []
for path in sys.argv[1:]:
    conf = configobj.ConfigObj(path, encoding="utf-8", default_encoding="utf-8")
    renew = privacy.renewal_flag(conf["renewalparams"].get("privacy_minimal")) is True
    out.append([renew, privacy.lineage_renews_private(reader.read_lineage(path))])
print(json.dumps(out))
"""


def _confs(tmp_path: Path) -> List[str]:
    paths = []
    for number, value in enumerate(CORPUS):
        path = tmp_path / f"l{number}.conf"
        path.write_text(
            "version = 5.8.0\n[renewalparams]\nauthenticator = webroot\n"
            f"privacy_minimal = {value}\n"
        )
        paths.append(str(path))
    return paths


@pytest.mark.parametrize("python", ["this", "debian"])
def test_reader_agrees_with_renew(python: str, tmp_path: Path) -> None:
    """For every odd value, status's reader and renew's reading say the same."""
    interpreter = Path(sys.executable) if python == "this" else DEBIAN
    if not interpreter.exists():
        pytest.skip(f"{interpreter} is not there (scripts/bootstrap makes it)")
    result = subprocess.run(
        [str(interpreter), "-c", SCRIPT, *_confs(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=str(ROOT),
    )
    assert result.returncode == 0, result.stderr
    verdicts: Dict[str, List[bool]] = dict(zip(CORPUS, json.loads(result.stdout)))
    assert all(renew == status for renew, status in verdicts.values()), verdicts
    private = {value for value, (renew, _) in verdicts.items() if renew}
    assert private == {"True", '"True"', "'True'", "True  # switched on"}
