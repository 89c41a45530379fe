"""Forward-secure seals and discontinuity notices, on logs written by real certbot runs.

Real certbot (both targets) against Pebble: ``certbot-privacy seal setup`` on the runner's
config dir, three private certonly runs (each ends with a seal), then each attack a thief
of the host could make with the key it holds now (tests/helpers/sealing.py), each caught
by ``verify --verify-key``; an honest log verifies. And a log moved aside between runs
(what a member of group ``adm`` can do to /var/log/letsencrypt) is noticed by the next run.
"""

import json
from pathlib import Path
from typing import Any, Dict, List, Tuple

import pytest

from certbot_privacy._internal.audit import cli
from certbot_privacy._internal.log import seal
from harness import CertbotRunner, require_success
from tests.helpers import sealing
from tests.helpers.audit import checked_verify_text

pytestmark = pytest.mark.e2e


def _main(capsys: pytest.CaptureFixture[str], *argv: str) -> Tuple[int, str]:
    code = cli.main(list(argv))
    # verify's text: every line within 80 columns (seals, discontinuities), then read whole
    return code, checked_verify_text(argv, code, capsys.readouterr().out)


@pytest.fixture(autouse=True)
def _eighty_columns(monkeypatch: pytest.MonkeyPatch) -> None:
    """verify's text is laid out for an 80-column terminal, whatever runs the tests."""
    monkeypatch.setenv("COLUMNS", "80")


def _log(certbot: CertbotRunner) -> Path:
    return certbot.logs_dir / "disclosure.jsonl"


@pytest.fixture
def sealed(certbot: CertbotRunner, capsys: pytest.CaptureFixture[str]) -> str:
    """Sealing set up on the runner's host, then three private certonly runs; the key."""
    code, out = _main(
        capsys,
        "seal",
        "setup",
        "--config-dir",
        str(certbot.config_dir),
        "--log",
        str(_log(certbot)),
    )
    assert code == 0, out
    state = certbot.config_dir / "certbot-privacy" / "seal.json"
    assert state.stat().st_mode & 0o777 == 0o600
    assert (certbot.config_dir / "certbot-privacy").stat().st_mode & 0o777 == 0o700
    for _ in range(3):
        require_success(certbot.run(*certbot.certonly_args(certbot.domain())))
    return sealing.verify_key(out)


def _verify(
    capsys: pytest.CaptureFixture[str], certbot: CertbotRunner, key: str, state: bool = True
) -> Tuple[int, str]:
    extra = ["--config-dir", str(certbot.config_dir)] if state else []
    return _main(capsys, "verify", "--verify-key", key, *extra, str(_log(certbot)))


def test_an_honest_sealed_log_verifies(
    certbot: CertbotRunner, sealed: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Each run ends with a seal, epochs 0, 1, 2, the host's key evolved to epoch 3, and
    verify --verify-key proves every record (exit 0)."""
    entries = sealing.records(_log(certbot))
    seals = [r for r in entries if r["event"] == "seal"]
    assert [s["epoch"] for s in seals] == [0, 1, 2]
    assert entries[-1]["event"] == "seal"
    assert seals[1]["previous_seal"] == seals[0]["mac"]
    epoch, key = sealing.host_key(certbot.config_dir)
    assert epoch == 3 and key == seal.epoch_key(seal.decode_verify_key(sealed), 3)
    code, out = _verify(capsys, certbot, sealed)
    assert code == 0, out
    assert f"{len(entries) - 3} of {len(entries) - 3} records proven" in out
    assert "NOT PROVEN" not in out


def test_an_early_record_rewritten_with_the_chain_recomputed_is_caught(
    certbot: CertbotRunner, sealed: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Root edits the first request and recomputes every prev: the plain chain check
    passes, the seal of epoch 0 no longer verifies."""

    def edit(entries: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
        first = next(r for r in entries if r["event"] == "request")
        first["url"] += "?forged"
        return entries

    sealing.rewrite(_log(certbot), edit)
    code, out = _main(capsys, "verify", str(_log(certbot)))
    assert code == 0, out  # the hash chain alone cannot tell
    code, out = _verify(capsys, certbot, sealed)
    assert code == 1, out
    assert "the seal of epoch 0 does not verify" in out


def test_old_records_resealed_with_the_current_key_are_caught(
    certbot: CertbotRunner, sealed: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """CVE-2023-31439's attack: a thief with the host's current key rewrites old records,
    drops the old seals and seals everything anew; under the current epoch's number, or
    under the old epoch numbers: both are caught."""
    epoch, key = sealing.host_key(certbot.config_dir)
    original = _log(certbot).read_bytes()

    def reseal(claimed: int) -> Any:
        def change(entries: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
            kept = [r for r in entries if r["event"] != "seal"]
            next(r for r in kept if r["event"] == "request")["url"] += "?forged"
            last = entries[-1]["time"]
            return [*kept, sealing.forged_seal(key, claimed, last + "1", None, 0, len(kept) - 1)]

        return change

    sealing.rewrite(_log(certbot), reseal(epoch))
    code, out = _verify(capsys, certbot, sealed, state=False)
    assert code == 1, out
    assert "the seals of epoch 0-2 are missing before this seal of epoch 3" in out
    _log(certbot).write_bytes(original)
    sealing.rewrite(_log(certbot), reseal(0))
    code, out = _verify(capsys, certbot, sealed, state=False)
    assert code == 1, out
    assert "the seal of epoch 0 does not verify" in out


def test_a_deleted_tail_is_caught_with_the_host_state(
    certbot: CertbotRunner, sealed: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """The last run's records and its seal cut off: the log alone still ends in a good
    seal (epoch 1, shown), the host's state (epoch 3) shows epoch 2 is missing."""
    entries = sealing.records(_log(certbot))
    second = [i for i, r in enumerate(entries) if r["event"] == "seal"][1]
    lines = _log(certbot).read_bytes().splitlines(keepends=True)
    _log(certbot).write_bytes(b"".join(lines[: second + 1]))
    code, out = _verify(capsys, certbot, sealed, state=False)
    assert "epochs up to 1" in out
    code, out = _verify(capsys, certbot, sealed)
    assert code == 1, out
    assert "the host sealed epoch 2 but the log has no such seal" in out


def test_records_added_after_the_last_seal_are_named(
    certbot: CertbotRunner, sealed: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A record appended after the last seal (the chain kept) is not proven."""

    def add(entries: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
        return [*entries, dict(entries[0], time=entries[-1]["time"])]

    sealing.rewrite(_log(certbot), add)
    code, out = _verify(capsys, certbot, sealed)
    assert code == 1, out
    assert "not proven by any seal: written after the last seal (epoch 2" in out


def test_a_seal_with_the_clock_rolled_back_is_caught(
    certbot: CertbotRunner, sealed: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A thief with the current key adds a record and a well-formed seal of the next epoch
    dated before the last seal (backdating what it added): seal times must increase."""
    epoch, key = sealing.host_key(certbot.config_dir)

    def backdate(entries: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
        early = entries[0]["time"]
        added = dict(entries[0], time=early)
        return [
            *entries,
            added,
            sealing.forged_seal(key, epoch, early, entries[-1]["mac"], len(entries), len(entries)),
        ]

    sealing.rewrite(_log(certbot), backdate)
    code, out = _verify(capsys, certbot, sealed, state=False)
    assert code == 1, out
    assert "the clock was rolled back" in out


def test_a_log_moved_aside_between_runs_is_a_discontinuity(
    certbot: CertbotRunner, capsys: pytest.CaptureFixture[str]
) -> None:
    """The log moved away between two runs: the second run warns on stderr, its new log
    opens with a discontinuity notice naming the expected head, and verify exits 1."""
    require_success(certbot.run(*certbot.certonly_args(certbot.domain())))
    head = json.loads((certbot.config_dir / "certbot-privacy" / "head.json").read_text())
    assert (certbot.config_dir / "certbot-privacy" / "head.json").stat().st_mode & 0o777 == 0o600
    expected = head["logs"][str(_log(certbot))]
    moved = certbot.base / "elsewhere.jsonl"
    _log(certbot).rename(moved)
    result = require_success(certbot.run(*certbot.certonly_args(certbot.domain())))
    assert "WARNING: the disclosure log" in result.stderr
    first = sealing.records(_log(certbot))[0]
    assert (first["event"], first["kind"]) == ("notice", "discontinuity")
    assert first["expected_head"]["head"] == expected["head"]
    assert first["expected_head"]["lines"] == len(moved.read_bytes().splitlines())
    code, out = _main(capsys, "verify", str(_log(certbot)))
    assert code == 1, out
    assert f"{_log(certbot)}:1: discontinuity:" in out
    # report names what the notice is about in every format (its detail was empty)
    code, out = _main(capsys, "report", "--format", "json", str(_log(certbot)))
    assert code == 0, out
    (notice,) = [n for n in json.loads(out)["notices"] if n["kind"] == "discontinuity"]
    assert notice["detail"].startswith(
        "the log did not hold the record this host last wrote to it (disclosure.jsonl line "
        f"{expected['lines']}, head {expected['head']}, written {expected['time']}); the file "
        "then held "
    )
    for fmt in ("table", "markdown", "html"):
        code, out = _main(capsys, "report", "--format", fmt, str(_log(certbot)))
        assert code == 0, out
        assert f"line {expected['lines']}, head {expected['head']}" in " ".join(out.split())


def test_a_rotated_log_is_no_discontinuity(
    certbot: CertbotRunner, capsys: pytest.CaptureFixture[str]
) -> None:
    """logrotate's rename between runs: the head is found in the rotated file, no notice."""
    require_success(certbot.run(*certbot.certonly_args(certbot.domain())))
    _log(certbot).rename(certbot.logs_dir / "disclosure.jsonl.1")
    result = require_success(certbot.run(*certbot.certonly_args(certbot.domain())))
    assert "WARNING" not in result.stderr
    assert all(r.get("kind") != "discontinuity" for r in sealing.records(_log(certbot)))
    code, out = _main(capsys, "verify", str(certbot.logs_dir))
    assert code == 0, out
