"""``certbot-privacy status`` reads cli.ini and renewal confs as certbot does, on both certbots.

A renewal conf's ``privacy_minimal = True,`` (a list to configobj): status says not
private, and the renew that follows sends what Pebble receives as the full User-Agent,
while the lineage status calls private renews privately. For each cli.ini of a corpus,
a real certbot run (``certbot certificates``, which sends nothing here) says what
certbot makes of it: whether it stops (the file is refused) and whether privacy mode is
on (the plugin creates its disclosure log when it switches on). ``status``, run by the
same Python (so with the same configargparse), must say the same.
"""

import json
import os
import subprocess
from pathlib import Path
from typing import Any, Dict, Tuple

import pytest

from harness import CertbotRunner, CertbotTarget, require_success

from .log_checks import LogCursor
from .wire_checks import assert_private

pytestmark = pytest.mark.e2e

#: Odd cli.ini files (issue 21): what certbot makes of each differs between versions.
CORPUS = {
    "plain": "privacy-minimal = true\n",
    "underscore": "privacy_minimal = true\n",
    "on": "privacy-minimal = on\n",
    "quoted": 'privacy-minimal = "true"\n',
    "comment": "privacy-minimal = true # every run\n",
    "comma": "privacy-minimal = True,\n",
    "bare": "privacy-minimal\n",
    "off": "privacy-minimal = false\n",
    "email only": "email = admin@example.org\n",
}


def _env(home: Path) -> Dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XDG_", "CERTBOT_"))}
    env.update(HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"))
    return env


def _certbot(target: CertbotTarget, base: Path) -> Tuple[bool, bool, str]:
    """Whether certbot stops on the cli.ini, and whether privacy mode came on."""
    logs = base / "logs"
    result = subprocess.run(
        [
            str(target.certbot),
            "certificates",
            "-n",
            "--config-dir",
            str(base / "config"),
            "--work-dir",
            str(base / "work"),
            "--logs-dir",
            str(logs),
        ],
        env=_env(base / "home"),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return result.returncode != 0, (logs / "disclosure.jsonl").exists(), result.stderr


def _status(target: CertbotTarget, base: Path) -> Tuple[int, Dict[str, Any]]:
    script = target.python.parent / "certbot-privacy"
    if not script.exists():
        pytest.skip(f"no certbot-privacy beside {target.python}")
    result = subprocess.run(
        [
            str(script),
            "status",
            "--format",
            "json",
            "--config-dir",
            str(base / "config"),
        ],
        env=_env(base / "home"),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd="/",
    )
    assert result.stdout, result.stderr
    return result.returncode, json.loads(result.stdout)


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_status_reads_cli_ini_as_certbot_does(
    name: str, target: CertbotTarget, tmp_path: Path
) -> None:
    """What status says of the cli.ini is what this certbot does with it."""
    ini = tmp_path / "home" / ".config" / "letsencrypt" / "cli.ini"
    ini.parent.mkdir(parents=True)
    ini.write_text(CORPUS[name], encoding="utf-8")
    (tmp_path / "config").mkdir(mode=0o755)
    stops, private, stderr = _certbot(target, tmp_path)
    code, status = _status(target, tmp_path)
    refused = [p for p in status["problems"] if p.startswith(str(ini))]
    assert bool(refused) is stops, (stderr, status["problems"])
    assert (status["cli_ini_private"] == [str(ini)]) is private, (stderr, status)
    assert status["new_certificates_private"] is private
    assert code == 1  # an empty config dir: no certbot state, whatever the cli.ini says


def _json_status(certbot: CertbotRunner) -> Tuple[int, Dict[str, Any]]:
    done = subprocess.run(
        [
            str(certbot.target.certbot.parent / "certbot-privacy"),
            "status",
            "--config-dir",
            str(certbot.config_dir),
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        env=certbot.environment(),
        timeout=60,
        check=False,
    )
    assert done.returncode in (0, 1), done.stderr
    return done.returncode, json.loads(done.stdout)


def test_renew_does_what_status_said(certbot: CertbotRunner, target: CertbotTarget) -> None:
    """Status private: renew private; ``privacy_minimal = True,``: NOT private, renew full."""
    comma, kept = certbot.domain("comma"), certbot.domain("kept")
    for name in (comma, kept):
        require_success(certbot.run(*certbot.certonly_args(name), "--cert-name", name))
    conf = certbot.renewal_conf(comma)
    text = conf.read_text(encoding="utf-8")
    assert "privacy_minimal = True\n" in text
    conf.write_text(text.replace("privacy_minimal = True\n", "privacy_minimal = True,\n"))
    code, status = _json_status(certbot)
    verdicts = {line["name"]: line["private"] for line in status["lineages"]}
    assert (code, verdicts) == (1, {comma: False, kept: True}), status

    log = LogCursor(certbot.logs_dir / "disclosure.jsonl")
    for name in (comma, kept):
        if not target.ari:
            certbot.renew_before_expiry(name)
    public = require_success(certbot.run("renew", "--cert-name", comma, server=None))
    acme = [r for r in public.requests if r.role == "acme"]
    full = f"CertbotACMEClient/{target.certbot_version} (certbot;"
    assert acme and all((r.user_agent or "").startswith(full) for r in acme), public.describe()
    assert log.new_records() == [], "a renewal status called not private wrote to the log"

    private = require_success(certbot.run("renew", "--cert-name", kept, server=None))
    assert_private(private, target)
