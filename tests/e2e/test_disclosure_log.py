"""The disclosure log shows exactly what was sent, written before it left.

Real certbot (both targets) against Pebble behind the recording proxy; the log is read
with ``json`` and checked against the shipped JSON Schema, and matched request by request
with what the proxy received.
"""

import os
import signal
import subprocess
import time
from pathlib import Path
from typing import Callable, List

import pytest

from harness import AcmeStack, CertbotRunner, CertbotTarget, require_success

from .log_checks import (
    LogCursor,
    assert_log_matches,
    assert_log_sound,
    assert_no_private_key,
    assert_run_logged,
    private_key_material,
    read_log,
)

pytestmark = pytest.mark.e2e


def _log(certbot: CertbotRunner) -> Path:
    return certbot.logs_dir / "disclosure.jsonl"


def test_certonly_is_recorded_request_by_request(certbot: CertbotRunner) -> None:
    """Every request the CA received is in the log, ahead of its response, byte for byte."""
    cursor = LogCursor(_log(certbot))
    result = require_success(certbot.run(*certbot.certonly_args(certbot.domain())))
    records = assert_run_logged(result, cursor)
    kinds = {r["event"] for r in records}
    assert {"request", "response"} <= kinds
    finalize = [r for r in records if r["event"] == "request" and "finalize" in r["url"]]
    assert finalize and "domain" in finalize[0]["personal_data"]
    assert all(
        "ip_address" in r["personal_data"] and "user_agent" in r["personal_data"]
        for r in records
        if r["event"] == "request"
    )


def test_no_private_key_is_ever_logged(certbot: CertbotRunner) -> None:
    """Neither the account key nor the certificate key appears in the log, in any form."""
    require_success(certbot.run(*certbot.certonly_args(certbot.domain())))
    secrets = private_key_material(certbot.config_dir)
    assert len(secrets) >= 3  # a certificate key and an account key were made
    assert_no_private_key(_log(certbot), *secrets)


def test_custom_log_path(certbot: CertbotRunner, tmp_path: Path) -> None:
    """--privacy-log PATH: the log is created there, 0600, in a 0700 directory."""
    path = tmp_path / "audit" / "nested" / "disclosures.jsonl"
    umask = os.umask(0o000)  # the log must not follow a lax umask (certbot inherits ours)
    try:
        result = require_success(
            certbot.run(*certbot.certonly_args(certbot.domain()), "--privacy-log", str(path))
        )
    finally:
        os.umask(umask)  # the worker's own, for the tests that run after this one
    assert_log_matches(assert_log_sound(path, created_dir=True), result.requests, result.describe())
    assert not _log(certbot).exists()


def test_unwritable_log_directory_fails_closed(certbot: CertbotRunner, tmp_path: Path) -> None:
    """A log path that cannot be written: exit 2, one clear sentence, zero requests sent."""
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    path = blocker / "disclosure.jsonl"
    result = certbot.run(*certbot.certonly_args(certbot.domain()), "--privacy-log", str(path))
    assert result.returncode == 2, result.describe()
    assert result.requests == [], result.describe()
    assert str(path) in result.stderr and "Traceback" not in result.stderr


def test_a_lock_nobody_releases_fails_closed_instead_of_hanging(certbot: CertbotRunner) -> None:
    """Another process holds the log's lock and never lets go: certbot gives up after the
    bound (10 s; the runner's 120 s timeout would catch a hang), says so in one sentence,
    and sends nothing."""
    import fcntl

    path = _log(certbot)
    path.touch(mode=0o600)
    holder = os.open(path, os.O_RDONLY)
    try:
        fcntl.flock(holder, fcntl.LOCK_EX)
        result = certbot.run(*certbot.certonly_args(certbot.domain()))
    finally:
        os.close(holder)
    assert result.returncode == 2, result.describe()
    assert result.requests == [], result.describe()
    assert "another process has held its lock for more than 10 seconds" in result.stderr
    assert "Traceback" not in result.stderr


def test_symlinked_log_path_is_refused(certbot: CertbotRunner, tmp_path: Path) -> None:
    """A symlink at the log path is refused before anything is sent."""
    target = tmp_path / "elsewhere.txt"
    target.write_text("precious\n")
    link = tmp_path / "disclosure.jsonl"
    link.symlink_to(target)
    result = certbot.run(*certbot.certonly_args(certbot.domain()), "--privacy-log", str(link))
    assert result.returncode == 2, result.describe()
    assert result.requests == []
    assert "symbolic link" in result.stderr or "symlink" in result.stderr, result.stderr
    assert target.read_text() == "precious\n"


def test_log_path_turned_directory_is_refused_before_sending(certbot: CertbotRunner) -> None:
    """A log path that became a directory between runs: nothing is sent."""
    require_success(certbot.run("register", "--privacy-minimal", "--agree-tos"))
    log = _log(certbot)
    cursor = LogCursor(log)
    os.chmod(log, 0o600)
    # Replace the log by a directory: every further append fails.
    backup = log.with_suffix(".kept")
    log.rename(backup)
    log.mkdir()
    try:
        result = certbot.run("show_account", "--privacy-minimal")
    finally:
        log.rmdir()
        backup.rename(log)
    assert result.returncode != 0, result.describe()
    assert result.requests == [], result.describe()
    assert "Traceback" not in result.stderr
    assert cursor.new_records() == []


def test_concurrent_certbots_share_one_log(
    certbot_on: Callable[..., CertbotRunner], acme: AcmeStack, tmp_path: Path
) -> None:
    """Three certbot processes, three config dirs, one log: no interleaving, chain intact."""
    path = tmp_path / "shared.jsonl"
    runners = [certbot_on(acme, f"node-{i}") for i in range(3)]
    mark = acme.proxy.mark()
    procs = [
        subprocess.Popen(
            r.argv(*r.certonly_args(r.domain()), "--privacy-log", str(path)),
            env=r.environment(),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        for r in runners
    ]
    outputs = [p.communicate(timeout=180)[0] for p in procs]
    assert all(p.returncode == 0 for p in procs), outputs
    records = assert_log_sound(path)
    received = acme.proxy.since(mark)
    sent = [r for r in records if r["event"] == "request"]
    assert len(sent) == len(received)
    assert sorted((r["method"], r["url"].split("/", 3)[-1]) for r in sent) == sorted(
        (r.method, r.path.lstrip("/")) for r in received
    )


def test_killed_run_leaves_a_verifiable_log(certbot: CertbotRunner) -> None:
    """certbot killed mid-run: the chain of what was written still verifies."""
    log = _log(certbot)
    args = certbot.argv(*certbot.certonly_args(certbot.domain()))
    proc = subprocess.Popen(
        args, env=certbot.environment(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 60
    # Whole lines only: a line read while it is being written would count without being
    # a record yet, and the kill could leave five.
    while time.monotonic() < deadline and (not log.exists() or log.read_bytes().count(b"\n") < 6):
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    records = assert_log_sound(log)
    assert len(records) >= 6
    # A later run appends to the same chain and the whole log still verifies.
    require_success(certbot.run(*certbot.certonly_args(certbot.domain())))
    assert len(assert_log_sound(log)) > len(records)


def test_eff_opt_in_is_recorded_as_disclosure_to_the_eff(certbot: CertbotRunner) -> None:
    """--eff-email: the subscription POST is recorded (recipient: the EFF) before it leaves."""
    result = certbot.run(
        *certbot.certonly_args(certbot.domain()),
        "--eff-email",
        "-m",
        "admin@example.org",
        "--privacy-share-email",
    )
    eff = [r for r in read_log(_log(certbot)) if r["event"] == "request" and "eff.org" in r["url"]]
    assert eff, result.describe()
    assert "admin@example.org" in str(eff[0]["personal_data"])
    assert "EFF" in eff[0]["recipient"] or "eff.org" in eff[0]["recipient"]
    assert [a.target for a in result.outside] == ["supporters.eff.org:443"]


def test_without_eff_opt_in_nothing_goes_to_the_eff(certbot: CertbotRunner) -> None:
    """An email shared with the CA is still not passed to the EFF without --eff-email."""
    result = require_success(
        certbot.run(
            *certbot.certonly_args(certbot.domain()),
            "-m",
            "admin@example.org",
            "--privacy-share-email",
        )
    )
    assert result.outside == []
    urls: List[str] = [r["url"] for r in read_log(_log(certbot)) if r["event"] == "request"]
    assert not [u for u in urls if "eff.org" in u]


def test_plain_renew_records_in_the_lineages_own_log(
    certbot: CertbotRunner, target: CertbotTarget, tmp_path: Path
) -> None:
    """A lineage obtained with --privacy-log PATH is renewed by plain `renew` into PATH."""
    path = tmp_path / "lineage-log" / "disclosure.jsonl"
    domain = certbot.domain()
    require_success(
        certbot.run(
            *certbot.certonly_args(domain), "--cert-name", domain, "--privacy-log", str(path)
        )
    )
    if not target.ari:
        certbot.renew_before_expiry(domain)
    cursor = LogCursor(path)
    result = require_success(certbot.run("renew", server=None))
    records = cursor.new_records()
    assert_log_matches(records, result.requests, result.describe())
    assert any("finalize" in r.get("url", "") for r in records), result.describe()
    assert_log_sound(path, created_dir=True)
    assert not _log(certbot).exists()


def _answered_three(log: Path) -> bool:
    """Whether *log* holds three response records and ends with one (between requests)."""
    if not log.is_file():
        return False
    lines = log.read_bytes().splitlines()
    responses = sum(b'"event":"response"' in line for line in lines)
    return responses >= 3 and b'"event":"response"' in lines[-1]


def _exchange(a: Path, b: Path) -> None:
    """Swap *a* and *b* atomically (Linux ``renameat2(RENAME_EXCHANGE)``)."""
    import ctypes
    import ctypes.util

    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    at_fdcwd, rename_exchange = -100, 2
    if libc.renameat2(at_fdcwd, bytes(a), at_fdcwd, bytes(b), rename_exchange) != 0:
        error = ctypes.get_errno()
        raise OSError(error, os.strerror(error), str(a))


def test_log_that_breaks_mid_run_stops_the_next_request(certbot: CertbotRunner) -> None:
    """The log stops being writable halfway through a run: nothing unrecorded is sent.

    While certbot runs, once the log holds a few records it is swapped, in one step, with
    a directory, so every later append fails; the CA must have received exactly the
    requests recorded in the moved file, and certbot must stop with a clear error.
    """
    log = _log(certbot)
    moved = log.with_name("moved.jsonl")
    args = certbot.argv(*certbot.certonly_args(certbot.domain()))
    mark = certbot.proxy.mark()
    proc = subprocess.Popen(
        args, env=certbot.environment(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    deadline = time.monotonic() + 60
    moved.mkdir()
    while time.monotonic() < deadline and not _answered_three(log):
        time.sleep(0.002)
    _exchange(log, moved)  # in one step: a rename then a mkdir lets the writer recreate it
    output = proc.communicate(timeout=120)[0]
    received = certbot.proxy.since(mark)
    assert proc.returncode == 1, output
    assert "Traceback" not in output and "Nothing was sent" in output, output
    records = assert_log_sound(moved)
    # The log may break between a request's record (written, then sent) and its answer's:
    # certbot then says the outcome could not be recorded, and only that request lacks one.
    lost = "The outcome of a request that was sent could not be recorded" in output
    assert_log_matches(records, received, output, last_outcome_lost=lost)
    assert len(received) < 10  # the run stopped; a full certonly makes more requests
