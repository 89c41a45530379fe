"""verify's text fits the terminal: every line within 80 columns (or the terminal's width),
on the hostile corpus, tampered logs, crash tails, real certbot logs and seals."""

from pathlib import Path
from typing import List

import pytest

from certbot_privacy._internal.audit import cli
from certbot_privacy._internal.log import seal
from tests.helpers.audit import REAL_LOGS, assert_fits, fleet_log, lines_of
from tests.helpers.hostile import hostile_fleet


def _verify(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    code = cli.main(["verify", *argv])
    out, err = capsys.readouterr()
    assert code in (0, 1) and err == "", err
    return out


@pytest.fixture()
def hostile(tmp_path: Path) -> List[str]:
    hosts, journal = hostile_fleet(tmp_path)
    return [str(hosts), str(journal)]


@pytest.mark.parametrize("columns", [40, 60, 80, 100, 120])
def test_every_line_fits_the_terminal_on_the_hostile_corpus(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    hostile: List[str],
    columns: int,
) -> None:
    """Copies, comparisons and the summing-up, with hostile host names: each line within
    the terminal's width (COLUMNS), long entries wrapped with a hanging indent."""
    monkeypatch.setenv("COLUMNS", str(columns))
    out = _verify(capsys, *hostile)
    assert_fits(out, columns)
    assert any(line.startswith("  ") for line in out.splitlines())  # it did wrap
    assert out.splitlines()[-1].startswith("  ")  # the summing-up is one entry, wrapped


def test_a_wide_terminal_gets_at_most_120_columns_and_no_terminal_80(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, hostile: List[str]
) -> None:
    """COLUMNS=300: the widest layout (120); COLUMNS unset and no terminal: 80."""
    monkeypatch.setenv("COLUMNS", "300")
    out = _verify(capsys, *hostile)
    assert_fits(out, 120)
    assert max(len(line) for line in out.splitlines()) > 80
    monkeypatch.delenv("COLUMNS")
    assert_fits(_verify(capsys, *hostile), 80)


def _tampered(directory: Path) -> Path:
    lines = lines_of(fleet_log(directory / "disclosure.jsonl"))
    bad = directory / "tampered.jsonl"
    bad.write_bytes(b"".join(line + b"\n" for line in lines[:5] + lines[6:]) + b'{"sch')
    return bad


def test_a_tampered_log_s_entries_fit_and_each_starts_with_its_place(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A removed line and the verdict on a 60-column terminal: within it, and each entry's
    first line still begins with FILE:LINE (for the eye and for grep)."""
    monkeypatch.setenv("COLUMNS", "60")
    monkeypatch.chdir(tmp_path)
    _tampered(tmp_path)
    out = _verify(capsys, "tampered.jsonl")
    assert_fits(out, 60)
    heads = [line for line in out.splitlines() if not line.startswith("  ")]
    assert heads[0].startswith("tampered.jsonl:6: removed: ")
    assert heads[-1].startswith("NOT INTACT: 1 file of 1 failed the check")
    assert len(out.splitlines()) > len(heads)  # what did not fit went below its head


@pytest.mark.parametrize("path", REAL_LOGS, ids=lambda p: p.name)
def test_real_certbot_logs_fit(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, path: Path
) -> None:
    """Logs real certbot runs wrote (2.1.0 and 5.8.0), verified thorough and not."""
    monkeypatch.setenv("COLUMNS", "80")
    assert_fits(_verify(capsys, str(path)), 80)
    assert_fits(_verify(capsys, "--thorough", str(path)), 80)


def test_the_seal_lines_fit(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """--verify-key: the seals' summing-up and each problem fit in 80 columns."""
    monkeypatch.setenv("COLUMNS", "80")
    log = fleet_log(tmp_path / "disclosure.jsonl")
    key = seal.encode_verify_key(b"k" * 32)
    out = _verify(capsys, "--verify-key", key, str(log))
    assert "seals: none verify" in out and "seal: " in out
    assert_fits(out, 80)
