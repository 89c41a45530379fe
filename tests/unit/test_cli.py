"""The certbot-privacy command: main(argv) in-process, and once as the installed script."""

import csv
import importlib.util
import io
import json
import subprocess
import sys
from pathlib import Path
from typing import List, Tuple

import pytest

from certbot_privacy import __version__
from certbot_privacy._internal.audit import cli, parallel
from certbot_privacy._internal.audit.commands import _options
from certbot_privacy._internal.errors import DisclosureLogError, UsageError
from tests.helpers.audit import LE, fleet_log, gzip_copy, lines_of, unwrapped

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture()
def log(tmp_path: Path) -> Path:
    return fleet_log(tmp_path / "fleet.jsonl")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> Tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _tampered(log: Path, tmp_path: Path) -> Path:
    lines = lines_of(log)
    path = tmp_path / "tampered.jsonl"
    path.write_bytes(b"".join(line + b"\n" for line in lines[:5] + lines[6:]))
    return path


def test_report_prints_a_table_by_default(capsys: pytest.CaptureFixture[str], log: Path) -> None:
    """report LOG: exit 0, the table on stdout, nothing on stderr."""
    code, out, err = run(capsys, "report", str(log))
    assert (code, err) == (0, "")
    assert out.startswith("Read 1 file: 32 records, 0 lines not readable as records.\n")
    assert out.splitlines()[1].startswith("Personal data sent in 15 requests to 5 recipients")
    assert LE in out


@pytest.mark.parametrize("fmt", ["json", "csv", "markdown"])
def test_report_formats(capsys: pytest.CaptureFixture[str], log: Path, fmt: str) -> None:
    """--format json|csv|markdown each print their document."""
    code, out, _ = run(capsys, "report", "--format", fmt, str(log))
    assert code == 0
    if fmt == "json":
        assert json.loads(out)["requests"] == 15
    elif fmt == "csv":
        assert next(csv.reader(io.StringIO(out)))[0] == "recipient"
    else:
        assert out.startswith("# Personal data disclosed by certbot")


def test_report_filters_from_the_command_line(
    capsys: pytest.CaptureFixture[str], log: Path
) -> None:
    """--since/--until/--recipient/--domain/--category reach the summary."""
    code, out, _ = run(
        capsys,
        "report",
        "--format",
        "json",
        "--since",
        "2024-05-01",
        "--until",
        "2024-05-31T23:59:59+00:00",
        "--recipient",
        "letsencrypt",
        "--domain",
        "example.org",
        "--category",
        "domain",
        str(log),
    )
    document = json.loads(out)
    assert code == 0
    assert document["filters"] == {
        "since": "2024-05-01T00:00:00.000Z",
        "until": "2024-05-31T23:59:59.000Z",
        "recipient": ["letsencrypt"],
        "domain": ["example.org"],
        "category": ["domain"],
    }
    (recipient,) = document["recipients"]
    assert recipient["recipient"] == LE and recipient["requests"] == 2
    (category,) = recipient["categories"]
    assert (category["category"], category["disclosures"]) == ("domain", 2)


def test_report_reads_standard_input(
    capsys: pytest.CaptureFixture[str], log: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """LOG '-' is standard input, named <stdin> in the output."""
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(log.read_bytes())))
    code, out, _ = run(capsys, "report", "--format", "json", "-")
    assert code == 0
    assert json.loads(out)["files"] == ["<stdin>"]


def test_report_reads_gzip_files_and_directories(
    capsys: pytest.CaptureFixture[str], log: Path, tmp_path: Path
) -> None:
    """A .gz and a directory of rotated logs are read directly."""
    logs = tmp_path / "logs"
    logs.mkdir()
    gzip_copy(log, logs / "disclosure.jsonl.1.gz")
    (logs / "disclosure.jsonl").write_bytes(log.read_bytes())
    code, out, _ = run(capsys, "report", "--format", "json", str(logs))
    document = json.loads(out)
    assert code == 0
    assert document["requests"] == 30
    assert [Path(f).name for f in document["files"]] == [
        "disclosure.jsonl.1.gz",
        "disclosure.jsonl",
    ]


def test_report_lists_lines_that_are_not_records_and_still_succeeds(
    capsys: pytest.CaptureFixture[str], log: Path, tmp_path: Path
) -> None:
    """A corrupt line is named by file:line in the report; the exit status stays 0."""
    path = tmp_path / "mixed.jsonl"
    path.write_bytes(log.read_bytes() + b"\x00\x01 not a record\n")
    code, out, _ = run(capsys, "report", str(path))
    assert code == 0
    assert f"{path}:33: not a record" in " ".join(out.split())


def test_verify_exit_codes(
    capsys: pytest.CaptureFixture[str], log: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """verify: 0 when intact, 1 when not, naming file:line and the kind of damage."""
    monkeypatch.setenv("COLUMNS", "120")  # no long test path cut
    code, out, _ = run(capsys, "verify", str(log))
    assert code == 0 and "intact, 32 records" in unwrapped(out)
    tampered = _tampered(log, tmp_path)
    code, out, _ = run(capsys, "verify", str(log), str(tampered))
    assert code == 1
    assert f"{tampered}:6: removed:" in unwrapped(out)


def test_verify_a_crash_tail_is_exit_0_with_a_notice(
    capsys: pytest.CaptureFixture[str], log: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A truncated tail alone: exit 0, and the notice says it is a crash, not tampering."""
    monkeypatch.setenv("COLUMNS", "120")  # no long test path cut
    with log.open("ab") as handle:
        handle.write(b'{"schema":1,"seq":32,"ti')
    code, out, _ = run(capsys, "verify", str(log))
    assert code == 0
    assert f"notice: {log}:33: the last line is cut short" in unwrapped(out)
    assert "not tampering" in unwrapped(out)


def test_verify_json(capsys: pytest.CaptureFixture[str], log: Path, tmp_path: Path) -> None:
    """verify --format json: the verdicts for machines, same exit code."""
    code, out, _ = run(capsys, "verify", "--format", "json", str(_tampered(log, tmp_path)))
    document = json.loads(out)
    assert code == 1 and document["intact"] is False
    assert document["files"][0]["failure"]["kind"] == "removed"


def test_export_art30(capsys: pytest.CaptureFixture[str], log: Path) -> None:
    """export --art30: Markdown by default, JSON on request, controller from the flags."""
    code, out, _ = run(
        capsys,
        "export",
        "--art30",
        "--controller-name",
        "Example GmbH",
        "--dpo",
        "dpo@example.org",
        str(log),
    )
    assert code == 0
    assert out.startswith("# Record of processing activities (GDPR Article 30)")
    assert "Example GmbH" in out and "dpo@example.org" in out  # reads as text
    code, out, _ = run(capsys, "export", "--art30", "--format", "json", "--purpose", "P.", str(log))
    assert code == 0 and json.loads(out)["purposes"] == ["P."]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["verify", "/nonexistent/disclosure.jsonl"],
            "/nonexistent/disclosure.jsonl: no such file or directory",
        ),
        (["report", "--since", "May"], "argument --since: 'May' is neither a date"),
        (["report", "--since", "2024-06-01", "--until", "2024-05-01"], "--since is after --until"),
        (["report", "--category", "email"], "unknown category 'email'"),
        (["report", "--format", "xml"], "invalid choice: 'xml'"),
        (["verify", "--format", "csv"], "invalid choice: 'csv'"),
        (["export"], "one of the arguments --art30 --access-request --erasure-request is required"),
        (["audit"], "invalid choice: 'audit'"),
        ([], "the following arguments are required: COMMAND"),
    ],
)
def test_usage_errors_exit_2_with_one_sentence(
    capsys: pytest.CaptureFixture[str], log: Path, argv: List[str], message: str
) -> None:
    """Bad arguments or an unreadable log: exit 2, the reason on stderr, no traceback."""
    args = [*argv, str(log)] if argv and argv[0] == "report" else argv
    code, out, err = run(capsys, *args)
    assert code == 2
    assert message in err
    assert "Traceback" not in err and out == ""


def test_a_directory_without_logs_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A directory with no *.jsonl logs in it: exit 2, rather than an empty report."""
    (tmp_path / "letsencrypt.log").write_text("certbot's own log\n")
    code, _, err = run(capsys, "verify", str(tmp_path))
    assert code == 2
    assert err == (
        f"certbot-privacy: error: {tmp_path}: no disclosure logs in this "
        "directory (*.jsonl and their rotations, or one directory of them per host)\n"
    )


def test_the_default_log_missing_is_a_usage_error_with_a_hint(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No LOG and no default log: exit 2, saying what to do."""
    missing = tmp_path / "disclosure.jsonl"
    monkeypatch.setattr(_options, "DEFAULT_LOG", str(missing))
    code, _, err = run(capsys, "report")
    assert code == 2
    assert err == (
        f"certbot-privacy: error: {missing}: no such file or directory (name the "
        "log to read, or run certbot with --privacy-minimal first)\n"
    )


def test_the_default_log_is_read_when_no_log_is_named(
    capsys: pytest.CaptureFixture[str], log: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without LOG the default log is verified."""
    monkeypatch.setenv("COLUMNS", "120")  # no long test path cut
    monkeypatch.setattr(_options, "DEFAULT_LOG", str(log))
    code, out, _ = run(capsys, "verify")
    assert code == 0 and str(log) in unwrapped(out)


def _explode(*_: object, **__: object) -> None:
    raise RuntimeError("disk on fire")


def test_an_unexpected_error_is_one_sentence_or_a_traceback_with_debug(
    capsys: pytest.CaptureFixture[str], log: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An unexpected error: exit 1 and one line; with --debug the exception propagates."""
    monkeypatch.setattr(parallel, "summarise", _explode)
    code, _, err = run(capsys, "report", str(log))
    assert code == 1
    assert err == (
        "certbot-privacy: error: unexpected RuntimeError: disk on fire (run with "
        "--debug for the traceback, and please report it)\n"
    )
    with pytest.raises(RuntimeError, match="disk on fire"):
        cli.main(["report", "--debug", str(log)])
    with pytest.raises(RuntimeError, match="disk on fire"):
        cli.main(["--debug", "report", str(log)])


#: Arguments that each subcommand parses without error.
_ARGUMENTS = {
    "report": [],
    "verify": [],
    "export": ["--art30"],
    "status": ["--config-dir", "/nonexistent"],
    "switch": ["on", "--all"],
    "seal": ["setup", "--config-dir", "/nonexistent"],
    "cas": [],
}


@pytest.mark.parametrize("name", [command.NAME for command in cli.COMMANDS])
def test_debug_before_or_after_every_subcommand_shows_the_traceback(
    name: str, log: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--debug works before the subcommand and after it, for every subcommand."""
    command = {c.NAME: c for c in cli.COMMANDS}[name]
    monkeypatch.setattr(command, "run", _explode)
    rest = _ARGUMENTS[name] + ([str(log)] if command.READS_LOGS else [])
    for argv in (["--debug", name, *rest], [name, "--debug", *rest]):
        with pytest.raises(RuntimeError, match="disk on fire"):
            cli.main(argv)


def _refuse(*_: object, **__: object) -> None:
    raise UsageError("--frobnicate cannot work here: leave it out")


@pytest.mark.parametrize("name", [command.NAME for command in cli.COMMANDS])
def test_a_usage_error_is_one_sentence_and_exit_2_even_with_debug(
    name: str, log: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A usage error a subcommand raises: exit 2 and its sentence, with or without --debug
    (before or after the subcommand), never a traceback (as argparse's own)."""
    command = {c.NAME: c for c in cli.COMMANDS}[name]
    monkeypatch.setattr(command, "run", _refuse)
    rest = _ARGUMENTS[name] + ([str(log)] if command.READS_LOGS else [])
    for argv in ([name, *rest], ["--debug", name, *rest], [name, "--debug", *rest]):
        code, out, err = run(capsys, *argv)
        assert (code, out) == (2, ""), argv
        assert err == "certbot-privacy: error: --frobnicate cannot work here: leave it out\n"


@pytest.mark.parametrize(
    ("argv", "sentence"),
    [
        (
            ["verify", "--verify-key", "bogus", "LOG"],
            "--verify-key: this is not a verification key as seal setup printed it",
        ),
        (["status", "--config-dir", "/nonexistent"], "/nonexistent is not a directory"),
        (["switch", "on", "--all", "--config-dir", "/nonexistent"], "/nonexistent is not a"),
        (["seal", "setup", "--config-dir", "/nonexistent"], "/nonexistent is not a directory"),
        (["report", "/nonexistent.jsonl"], "/nonexistent.jsonl: no such file or directory"),
        (["export", "--art30", "/nonexistent.jsonl"], "/nonexistent.jsonl: no such file"),
    ],
    ids=["verify", "status", "switch", "seal", "report", "export"],
)
def test_real_usage_errors_with_debug_exit_2_in_one_line(
    argv: List[str], sentence: str, log: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The usage errors the subcommands find themselves, with --debug: one line, exit 2."""
    argv = [str(log) if a == "LOG" else a for a in argv]
    code, _, err = run(capsys, "--debug", *argv)
    assert code == 2
    assert err.startswith(f"certbot-privacy: error: {sentence}")
    assert err.count("\n") == 1 and "Traceback" not in err


def _lose_the_log(*_: object, **__: object) -> None:
    raise DisclosureLogError("the log went away while it was read: read it again")


def test_another_error_with_debug_adds_the_traceback_and_keeps_its_exit_code(
    log: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """An error the package raises on purpose (not a usage error): its sentence and exit 1;
    with --debug the traceback first, then the same sentence and exit code."""
    monkeypatch.setattr(parallel, "summarise", _lose_the_log)
    sentence = "certbot-privacy: error: the log went away while it was read: read it again\n"
    assert run(capsys, "report", str(log)) == (1, "", sentence)
    code, out, err = run(capsys, "report", "--debug", str(log))
    assert (code, out) == (1, "")
    assert err.startswith("Traceback (most recent call last):\n") and err.endswith(sentence)


def test_help_and_version_exit_0(capsys: pytest.CaptureFixture[str]) -> None:
    """--help lists the commands and exit codes; --version names the package version."""
    code, out, _ = run(capsys, "--help")
    assert code == 0
    for word in ("report", "verify", "export", "exit status:"):
        assert word in out
    code, out, _ = run(capsys, "--version")
    assert (code, out) == (0, f"certbot-privacy {__version__}\n")


@pytest.mark.usefixtures("script_installed")
def test_the_installed_console_script(log: Path, tmp_path: Path) -> None:
    """The certbot-privacy script the package installs runs main() with its exit code."""
    script = Path(sys.executable).parent / "certbot-privacy"
    ok = subprocess.run(
        [str(script), "verify", str(log)], capture_output=True, text=True, check=False, timeout=120
    )
    assert ok.returncode == 0, ok.stderr
    assert "intact" in ok.stdout
    bad = subprocess.run(
        [str(script), "verify", str(_tampered(log, tmp_path))],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert bad.returncode == 1 and "removed" in bad.stdout
    usage = subprocess.run(
        [str(script), "report", str(tmp_path / "missing.jsonl")],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert usage.returncode == 2 and usage.stderr.count("\n") == 1


def test_the_man_page_is_up_to_date() -> None:
    """docs/certbot-privacy.1 is what docs/make_manpage.py makes from the current --help."""
    spec = importlib.util.spec_from_file_location("make_manpage", ROOT / "docs" / "make_manpage.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    page = (ROOT / "docs" / "certbot-privacy.1").read_text(encoding="utf-8")
    assert page == module.render(), "run: python docs/make_manpage.py"
    for option in ("\\-\\-since", "\\-\\-art30", "\\-\\-controller\\-name", "EXIT STATUS"):
        assert option in page


def test_an_unreadable_log_is_the_same_error_named_or_in_a_directory(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A log that cannot be opened: exit 2 and the same sentence, named or found in a directory."""
    from certbot_privacy._internal.audit import source

    fleet = tmp_path / "hosts"
    (fleet / "web1").mkdir(parents=True)
    locked = fleet_log(fleet / "web1" / "disclosure.jsonl")
    real_open = open

    def refusing(path: object, *args: object, **kwargs: object) -> object:
        if str(path) == str(locked):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(source, "open", refusing, raising=False)
    expected = (
        f"certbot-privacy: error: {locked}: permission denied (disclosure logs are "
        "private to their owner, usually root)\n"
    )
    for command in ("verify", "report"):
        for named in (locked, fleet, fleet / "web1"):
            code, out, err = run(capsys, command, str(named))
            assert (code, out, err) == (2, "", expected), (command, named)
