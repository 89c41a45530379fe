"""No file the log can be tricked into; nothing lost across renewals and rotations (issue 10).

Hostile parent directories, a relative --privacy-log renewed from another directory, a
--privacy-syslog without syslog, a CA header that looks like a private key, and rotated
files deleted behind the writer's back, each against real certbot (both targets) and Pebble.
"""

import json
import os
import subprocess
from pathlib import Path
from typing import Callable

import pytest

from certbot_privacy._internal.rules import keyguard
from harness import CertbotRunner, CertbotTarget, require_success
from harness.recording_proxy import AccountAlias

from .log_checks import LogCursor, assert_log_matches, assert_log_sound, read_log

pytestmark = pytest.mark.e2e

NOBODY = 65534


def _private_dir(path: Path) -> Path:
    path.mkdir(mode=0o700, parents=True)
    return path


def _world_writable(tmp_path: Path) -> Path:
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    return shared / "logs" / "disclosure.jsonl"


def _owned_by_another_user(tmp_path: Path) -> Path:
    theirs = _private_dir(tmp_path / "theirs")
    os.chown(theirs, NOBODY, NOBODY)
    return theirs / "disclosure.jsonl"


def _symlinked_by_another_user(tmp_path: Path) -> Path:
    sticky = tmp_path / "sticky"
    sticky.mkdir()
    sticky.chmod(0o1777)  # like /tmp: anyone may add an entry
    target = _private_dir(tmp_path / "elsewhere")
    (sticky / "logs").symlink_to(target)
    os.lchown(sticky / "logs", NOBODY, NOBODY)  # another user made the link
    return sticky / "logs" / "disclosure.jsonl"


def _symlinked_to_another_users_directory(tmp_path: Path) -> Path:
    theirs = _private_dir(tmp_path / "theirs")
    os.chown(theirs, NOBODY, NOBODY)
    (tmp_path / "logs").symlink_to(theirs)
    return tmp_path / "logs" / "disclosure.jsonl"


@pytest.mark.skipif(os.geteuid() != 0, reason="chown needs root")
@pytest.mark.parametrize(
    ("hostile", "why"),
    [
        (_world_writable, "is writable by every user"),
        (_owned_by_another_user, "belongs to another user"),
        (_symlinked_by_another_user, "is a symbolic link owned by uid"),
        (_symlinked_to_another_users_directory, "belongs to another user"),
    ],
    ids=["world-writable", "other-owner", "symlink-by-other", "symlink-to-other"],
)
def test_hostile_parents_stop_certbot_before_anything_is_sent(
    certbot: CertbotRunner, tmp_path: Path, hostile: Callable[[Path], Path], why: str
) -> None:
    """A log another user could redirect: exit 2 at parse time, one sentence, 0 requests."""
    path = hostile(tmp_path)
    result = certbot.run(*certbot.certonly_args(certbot.domain()), "--privacy-log", str(path))
    assert result.returncode == 2, result.describe()
    assert result.requests == [] and result.outside == [], result.describe()
    assert why in result.stderr and "Traceback" not in result.stderr
    assert result.stderr.strip().count("\n") == 0, result.stderr  # one sentence, one line
    assert not path.exists()


def test_relative_log_path_is_renewed_from_another_directory(
    certbot: CertbotRunner, target: CertbotTarget, tmp_path: Path
) -> None:
    """--privacy-log audit/d.jsonl is saved absolute: the timer's renew (cwd /) writes there."""
    workdir = _private_dir(tmp_path / "admin")
    domain = certbot.domain()
    require_success(
        certbot.run(
            *certbot.certonly_args(domain),
            "--cert-name",
            domain,
            "--privacy-log",
            "audit/d.jsonl",
            cwd=workdir,
        )
    )
    path = workdir / "audit" / "d.jsonl"
    conf = certbot.renewal_conf(domain).read_text()
    assert f"privacy_log = {path}\n" in conf, conf
    if not target.ari:
        certbot.renew_before_expiry(domain)
    cursor = LogCursor(path)
    result = require_success(certbot.run("renew", server=None, cwd=Path("/")))
    records = cursor.new_records()
    assert any("finalize" in r.get("url", "") for r in records), result.describe()
    assert_log_matches(records, result.requests, result.describe())
    assert not Path("/audit/d.jsonl").exists()


@pytest.mark.usefixtures("dev_log")  # never while another test binds /dev/log
def test_syslog_flag_without_a_syslog_socket_stops_at_start(certbot: CertbotRunner) -> None:
    """--privacy-syslog with no /dev/log: exit 2, one sentence, nothing sent."""
    if os.path.exists("/dev/log"):
        pytest.skip("a syslog socket exists here; this test needs a host without one")
    result = certbot.run(*certbot.certonly_args(certbot.domain()), "--privacy-syslog")
    assert result.returncode == 2, result.describe()
    assert result.requests == []
    assert "no syslog socket at /dev/log" in result.stderr and "Traceback" not in result.stderr


JWK = '{"kty":"EC","crv":"P-256","x":"WKn-ZIGevcwGIyyrzFoZNBdaq9_TsqzGl96oc0CWuis",' + (
    '"y":"y77t-RvAHRKTsSGdIYUfweuOvwrvDD-Q3Hv5J0fSKbE","d":"Hndv7ZZjs_ke8o9zXYo3iq-Yr8SewI5vrqd0pAvEPqg"}'
)


def test_ca_header_that_looks_like_a_private_key_never_crashes_certbot(
    certbot: CertbotRunner,
) -> None:
    """A JWK-looking Location from the CA: issuance succeeds, the log keeps only its digest."""
    certbot.proxy.inject.append(("/nonce-plz", "Location", JWK))
    try:
        result = require_success(certbot.run(*certbot.certonly_args(certbot.domain())))
    finally:
        certbot.proxy.inject.clear()
    log = certbot.logs_dir / "disclosure.jsonl"
    assert "Hndv7ZZjs" not in log.read_text()
    withheld = [r for r in assert_log_sound(log) if r.get("withheld")]
    assert withheld and all(r["location"].startswith("sha256:") for r in withheld)
    assert "looks like a private key" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_key_like_account_location_is_sent_back_as_kid_and_logged_as_digest(
    certbot: CertbotRunner,
) -> None:
    """The CA's account Location looks like a private key: certbot still sends it as the
    JWS kid and issuance goes on; the log holds only its digest, in every record."""
    certbot.proxy.account_alias = AccountAlias(JWK, certbot.config_dir / "accounts")
    try:
        result = require_success(certbot.run(*certbot.certonly_args(certbot.domain())))
    finally:
        certbot.proxy.account_alias = None
    kids = [(r.jws() or {}).get("protected", {}).get("kid") for r in result.requests]
    assert JWK in kids, result.describe()  # what the CA received
    assert "Successfully received certificate" in result.stdout
    log = certbot.logs_dir / "disclosure.jsonl"
    assert "Hndv7ZZjs" not in log.read_text()
    records = assert_log_sound(log)
    digest = keyguard.digest_of(JWK)
    sent_kid = [r for r in records if r.get("jws", {}).get("protected", {}).get("kid") == digest]
    assert len(sent_kid) == kids.count(JWK) and all(r["withheld"] == ["kid"] for r in sent_kid)
    (answer,) = [r for r in records if r.get("location") == digest]
    assert answer["withheld"] == ["location"]
    assert "please report this bug" not in result.stderr and "Traceback" not in result.stderr


def _audit(target: CertbotTarget, *args: str) -> subprocess.CompletedProcess[str]:
    tool = target.certbot.parent / "certbot-privacy"
    return subprocess.run(
        [str(tool), *args], capture_output=True, text=True, timeout=60, check=False
    )


def _logrotate(log: Path) -> None:
    """Rename as logrotate does (rotate 9, no copytruncate): .N -> .N+1, then the live file."""
    for number in range(8, 0, -1):
        rotated = log.with_name(f"{log.name}.{number}")
        if rotated.exists():
            rotated.rename(log.with_name(f"{log.name}.{number + 1}"))
    log.rename(log.with_name(f"{log.name}.1"))


def test_deleting_a_rotated_file_is_caught_by_verify(
    certbot: CertbotRunner, target: CertbotTarget
) -> None:
    """Three runs with logrotate renames between them; then .2 goes: verify exits 1."""
    log = certbot.logs_dir / "disclosure.jsonl"
    for run in range(3):
        require_success(certbot.run(*certbot.certonly_args(certbot.domain())))
        if run < 2:
            _logrotate(log)
    first = read_log(log)[0]
    assert first["predecessor"]["file"] == "disclosure.jsonl.1"
    intact = _audit(target, "verify", str(certbot.logs_dir))
    assert intact.returncode == 0, intact.stdout + intact.stderr
    log.with_name("disclosure.jsonl.1").unlink()
    broken = _audit(target, "verify", "--format", "json", str(certbot.logs_dir))
    assert broken.returncode == 1, broken.stdout + broken.stderr
    failures = [f["failure"] for f in json.loads(broken.stdout)["files"] if f["failure"]]
    assert [f["kind"] for f in failures] == ["missing-file"]
