"""Forward-secure sealing and discontinuity detection: the writer's side, the state files'
bounds, and the seal checker on logs written here (the attacks on real certbot logs are in
tests/e2e/test_sealing.py)."""

import gzip
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, List

import pytest

from certbot_privacy._internal.audit import cli, sealcheck, source
from certbot_privacy._internal.errors import DisclosureLogError, InputError
from certbot_privacy._internal.log import seal, state
from certbot_privacy._internal.log.writer import DisclosureLog
from tests.helpers import sealing
from tests.helpers.audit import assert_fits
from tests.helpers.logs import assert_valid_log
from tests.unit.test_disclosure_log import record


class Host:
    """A config dir and a log, as certbot's runs use them."""

    def __init__(self, base: Path) -> None:
        self.config = base / "config"
        self.config.mkdir()
        self.state = self.config / "certbot-privacy"
        self.log = base / "logs" / "disclosure.jsonl"

    def setup(self, capsys: pytest.CaptureFixture[str]) -> bytes:
        code = cli.main(["seal", "setup", "--config-dir", str(self.config), "--log", str(self.log)])
        out = capsys.readouterr().out
        assert code == 0, out
        return seal.decode_verify_key(sealing.verify_key(out))

    def run(self, n: int = 2) -> DisclosureLog:
        """One certbot run: *n* records, then the end of the process (close)."""
        log = DisclosureLog(self.log, state_dir=str(self.state))
        for i in range(n):
            log.append(record(i))
        log.close()
        return log

    def seal_state(self) -> Dict[str, Any]:
        loaded: Dict[str, Any] = json.loads((self.state / state.SEAL).read_text())
        return loaded


@pytest.fixture(autouse=True)
def _eighty_columns(monkeypatch: pytest.MonkeyPatch) -> None:
    """verify's text is laid out for an 80-column terminal, whatever runs the tests."""
    monkeypatch.setenv("COLUMNS", "80")


@pytest.fixture
def host(tmp_path: Path) -> Host:
    return Host(tmp_path)


def _check(host: Host, initial: bytes, epoch: Any = None) -> sealcheck.SealReport:
    return sealcheck.check(source.read([str(host.log.parent)]), initial, epoch)


def test_each_run_ends_with_a_seal_and_the_key_evolves(
    host: Host, capsys: pytest.CaptureFixture[str]
) -> None:
    """A seal per run, bound to the previous one; the state keeps only the next key, 0600."""
    initial = host.setup(capsys)
    host.run()
    host.run()
    entries = [r for r in assert_valid_log(host.log)]
    seals = [r for r in entries if r["event"] == "seal"]
    assert [(s["epoch"], s["first"], s["last"]) for s in seals] == [(0, 0, 1), (1, 3, 4)]
    assert seals[0]["previous_seal"] is None and seals[1]["previous_seal"] == seals[0]["mac"]
    current = host.seal_state()
    assert current["epoch"] == 2 and current["key"] == seal.epoch_key(initial, 2).hex()
    assert initial.hex() not in (host.state / state.SEAL).read_text()
    assert (host.state / state.SEAL).stat().st_mode & 0o777 == 0o600
    assert host.state.stat().st_mode & 0o777 == 0o700
    report = _check(host, initial, sealcheck.state_epoch(initial, current))
    assert report.intact and (report.proven, report.seals) == (4, 2)


def test_nothing_written_since_the_last_seal_makes_no_seal(
    host: Host, capsys: pytest.CaptureFixture[str]
) -> None:
    """Two logs of one process (renew's lineages) closing at exit seal once."""
    host.setup(capsys)
    first = DisclosureLog(host.log, state_dir=str(host.state))
    second = DisclosureLog(host.log, state_dir=str(host.state))
    first.append(record(0))
    second.append(record(1))
    second.close()
    first.close()
    assert [r["event"] for r in assert_valid_log(host.log)] == ["request", "request", "seal"]
    assert host.seal_state()["epoch"] == 1


def test_without_setup_nothing_is_sealed(host: Host) -> None:
    """No seal.json: no seal record, only the head is kept."""
    host.run()
    assert [r["event"] for r in assert_valid_log(host.log)] == ["request", "request"]
    assert (host.state / state.HEAD).is_file()


def test_a_seal_made_with_a_later_key_does_not_verify(
    host: Host, capsys: pytest.CaptureFixture[str]
) -> None:
    """A seal labelled epoch 0 but made with epoch 1's key is caught (the CVE's mistake:
    trusting the key the host holds for entries of an earlier epoch)."""
    initial = host.setup(capsys)
    host.run()

    def relabel(entries: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
        entries[-1]["_key"] = seal.epoch_key(initial, 1)
        return entries

    sealing.rewrite(host.log, relabel)
    report = _check(host, initial)
    assert not report.intact
    assert "the seal of epoch 0 does not verify" in report.problems[0].message


def test_a_seal_whose_mac_ignores_its_epoch_would_be_caught(
    host: Host, capsys: pytest.CaptureFixture[str]
) -> None:
    """The epoch is inside the MAC: changing a seal's epoch label breaks it."""
    initial = host.setup(capsys)
    host.run()
    entry = sealing.records(host.log)[-1]
    assert seal.mac_matches(seal.epoch_key(initial, 0), entry)
    assert not seal.mac_matches(seal.epoch_key(initial, 0), dict(entry, epoch=1))
    assert not seal.mac_matches(seal.epoch_key(initial, 0), dict(entry, previous_seal="x"))
    assert not seal.mac_matches(seal.epoch_key(initial, 0), dict(entry, time="2000"))


def test_seals_across_a_rotation_prove_the_rotated_file(
    host: Host, capsys: pytest.CaptureFixture[str]
) -> None:
    """A rotation between runs: the next file's first record names the rotated one, the
    seals go on, every record is proven; a rotated file edited breaks the link."""
    initial = host.setup(capsys)
    host.run()
    host.log.rename(host.log.with_name("disclosure.jsonl.1"))
    host.run()
    report = _check(host, initial)
    assert report.intact and report.proven == 4, report.problems
    rotated = host.log.with_name("disclosure.jsonl.1")
    rotated.write_bytes(rotated.read_bytes().replace(b"/r/0", b"/r/9"))
    assert not _check(host, initial).intact


def test_a_state_not_derived_from_the_key_is_refused(
    host: Host, capsys: pytest.CaptureFixture[str]
) -> None:
    """--config-dir with a replaced seal.json (another key): one sentence, usage error."""
    initial = host.setup(capsys)
    host.run()
    current = host.seal_state()
    with pytest.raises(ValueError, match="not derived from this verification key"):
        sealcheck.state_epoch(initial, dict(current, epoch=0))  # rolled back
    code = cli.main(
        [
            "verify",
            "--verify-key",
            seal.encode_verify_key(b"\1" * 32),
            "--config-dir",
            str(host.config),
            str(host.log),
        ]
    )
    assert code == 2
    assert capsys.readouterr().err.count("\n") == 1


def test_setup_refuses_to_replace_a_sealing_state(
    host: Host, capsys: pytest.CaptureFixture[str]
) -> None:
    """A second seal setup is a usage error and leaves the state as it was."""
    host.setup(capsys)
    before = (host.state / state.SEAL).read_bytes()
    assert cli.main(["seal", "setup", "--config-dir", str(host.config)]) == 2
    assert "already set up" in capsys.readouterr().err
    assert (host.state / state.SEAL).read_bytes() == before


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("nonsense", "does not begin with"),
        ("cpseal1-zz-00000000", "not hexadecimal"),
        ("cpseal1-00-00000000", "not 32 bytes"),
        (seal.encode_verify_key(b"\0" * 32)[:-1] + "x", "checksum"),
    ],
)
def test_a_mistyped_verify_key_is_one_sentence(text: str, why: str) -> None:
    """A key that is not one is said in one sentence (verify exits 2 with it)."""
    with pytest.raises(InputError, match=why):
        seal.decode_verify_key(text)
    assert seal.decode_verify_key(seal.encode_verify_key(b"\7" * 32)) == b"\7" * 32


# --- discontinuity ------------------------------------------------------------------------


def _notices(path: Path) -> List[Dict[str, Any]]:
    return [r for r in assert_valid_log(path) if r.get("kind") == "discontinuity"]


@pytest.mark.parametrize("how", ["moved", "truncated", "replaced"])
def test_a_log_that_does_not_hold_the_last_head_gets_a_notice(
    host: Host, how: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Moved aside, cut short, or replaced by another valid log: the next run's first
    record is a discontinuity notice naming the expected head, it warns on stderr, and
    verify (fast path) reports the gap with exit 1."""
    host.run(3)
    expected = json.loads((host.state / state.HEAD).read_text())["logs"][str(host.log)]
    lines = host.log.read_bytes().splitlines(keepends=True)
    if how == "moved":
        host.log.rename(host.log.with_name("aside"))
    elif how == "truncated":
        host.log.write_bytes(b"".join(lines[:2]))
    else:
        host.log.unlink()
        DisclosureLog(host.log).append(record(7))  # a fresh, valid chain
    host.run(1)
    (notice,) = _notices(host.log)
    assert notice["expected_head"]["head"] == expected["head"]
    assert notice["expected_head"]["lines"] == 3
    assert "WARNING: the disclosure log" in capsys.readouterr().err
    code = cli.main(["verify", str(host.log)])
    out = capsys.readouterr().out
    assert code == 1 and "discontinuity:" in out
    assert_fits(out, 80)
    host.run(1)  # reported once: the head is recorded again
    assert len(_notices(host.log)) == 1


@pytest.mark.parametrize("compressed", [False, True])
def test_a_rotation_is_no_discontinuity(host: Host, compressed: bool) -> None:
    """logrotate's rename (and compression of the rotated file): the head is in it."""
    host.run(3)
    rotated = host.log.with_name("disclosure.jsonl.1")
    host.log.rename(rotated)
    if compressed:
        rotated.with_name("disclosure.jsonl.1.gz").write_bytes(gzip.compress(rotated.read_bytes()))
        rotated.unlink()
    host.run(1)
    assert _notices(host.log) == []


@pytest.mark.parametrize("kind", ["fifo", "symlink", "large", "not-json"])
def test_state_files_are_read_with_bounds(tmp_path: Path, kind: str) -> None:
    """No FIFO (it would block), no link, nothing over the size cap, JSON objects only:
    each refused in one sentence."""
    path = tmp_path / "head.json"
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "symlink":
        (tmp_path / "real").write_text("{}")
        path.symlink_to(tmp_path / "real")
    elif kind == "large":
        path.write_text(json.dumps({"x": "y" * state.MAX_BYTES}))
    else:
        path.write_text("[1]")
    with pytest.raises(DisclosureLogError, match="state file"):
        state.read(str(path))


def test_an_unreadable_head_file_warns_and_the_run_goes_on(
    host: Host, capsys: pytest.CaptureFixture[str]
) -> None:
    """A head file that is a FIFO: a warning, no hang, the record is written."""
    host.state.mkdir(mode=0o700)
    os.mkfifo(host.state / state.HEAD)
    log = DisclosureLog(host.log, state_dir=str(host.state))
    assert log.append(record(0))["seq"] == 0
    assert "continuity cannot be checked" in capsys.readouterr().err
    (host.state / state.HEAD).unlink()
    log.close()


def test_verify_key_over_several_hosts_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Seals are one host's: a fleet directory with --verify-key is refused (exit 2)."""
    for name in ("web1", "web2"):
        DisclosureLog(tmp_path / "hosts" / name / "disclosure.jsonl").append(record(0))
    key = seal.encode_verify_key(b"\1" * 32)
    assert cli.main(["verify", "--verify-key", key, str(tmp_path / "hosts")]) == 2
    assert "one host's log" in capsys.readouterr().err


def test_verify_key_json_and_escaped_text(host: Host, capsys: pytest.CaptureFixture[str]) -> None:
    """--format json carries a seals member (intact false when a seal fails); the text
    shows a forged seal's time escaped."""
    initial = host.setup(capsys)
    host.run()
    key = seal.encode_verify_key(initial)
    assert cli.main(["verify", "--verify-key", key, "--format", "json", str(host.log)]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["intact"] and document["seals"]["proven"] == 2

    def forge(entries: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
        entries[-1]["time"] = "2030\x1b[2J"
        entries[-1]["_key"] = seal.epoch_key(initial, 0)
        return entries

    sealing.rewrite(host.log, forge)
    assert cli.main(["verify", "--verify-key", key, str(host.log)]) == 1
    out = capsys.readouterr().out
    assert "\x1b" not in out and "seals: 1 verify" in out
    assert_fits(out, 80)
    assert cli.main(["verify", "--verify-key", key, "--format", "json", str(host.log)]) == 1
    assert json.loads(capsys.readouterr().out)["intact"] is False


_NEXT_RUN = """
import json, sys
from certbot_privacy._internal.log.writer import DisclosureLog
log = DisclosureLog(sys.argv[1], state_dir=sys.argv[2])
log.append({"time": "2027-01-15T08:00:00.000Z", "event": "notice", "recipient": "local",
            "kind": "test"})
print(json.dumps("certbot_privacy._internal.log.reader" in sys.modules))
"""


def _next_run(host: Host) -> bool:
    """One more run's append in a process of its own: whether it imported the reader."""
    done = subprocess.run(
        [sys.executable, "-c", _NEXT_RUN, str(host.log), str(host.state)],
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    loaded: bool = json.loads(done.stdout)
    return loaded


def _heads(host: Host) -> Dict[str, Any]:
    heads: Dict[str, Any] = json.loads((host.state / state.HEAD).read_text())
    return heads


def test_the_head_keeps_its_seq_and_the_next_run_needs_no_parser(host: Host) -> None:
    """head.json keeps the seq of the line it names; the next run's first append, finding
    the log ending with that very line, continues from it without importing the reader
    (its parser costs every private run import time) and the chain stays valid."""
    host.run(2)
    assert _heads(host)["logs"][str(host.log)]["seq"] == 1
    assert _next_run(host) is False
    assert [r["seq"] for r in assert_valid_log(host.log)] == [0, 1, 2]


@pytest.mark.parametrize(
    "head", [{"seq": 7}, {"seq": True}, {"seq": None}], ids=["wrong", "bool", "absent"]
)
def test_a_head_whose_seq_is_not_the_lines_is_not_trusted(host: Host, head: Dict[str, Any]) -> None:
    """A seq in head.json that the line does not begin with (or none, as before this
    field): the line is parsed for its seq, and the chain stays valid."""
    host.run(2)
    heads = _heads(host)
    entry = heads["logs"][str(host.log)]
    if head["seq"] is None:
        del entry["seq"]
    else:
        entry.update(head)
    state.write(str(host.state / state.HEAD), heads)
    assert _next_run(host) is True
    assert [r["seq"] for r in assert_valid_log(host.log)] == [0, 1, 2]


def test_a_log_grown_since_its_head_is_parsed(host: Host) -> None:
    """Another writer (no state dir) appended after the head: its line is parsed."""
    host.run(2)
    DisclosureLog(host.log).append(record(5))
    assert _next_run(host) is True
    assert [r["seq"] for r in assert_valid_log(host.log)] == [0, 1, 2, 3]
