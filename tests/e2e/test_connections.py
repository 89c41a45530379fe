"""The choke point below every library: connections, hooks and coverage in the log.

Real certbot (both targets) against Pebble behind the recording proxy. The audit hook
writes a ``connection`` record the first time the process reaches a destination, before
it connects; hooks get a ``hook`` record before they run; each run states its coverage.
"""

from pathlib import Path
from typing import Any, Dict, List

import pytest

from harness import CertbotRunner, require_success

from .log_checks import LogCursor, assert_log_sound, read_log

pytestmark = pytest.mark.e2e

Record = Dict[str, Any]


def read_records(path: Path) -> List[Record]:
    """The log's complete records now (none if it is not there yet)."""
    return read_log(path) if path.is_file() else []


def _log(certbot: CertbotRunner) -> Path:
    return certbot.logs_dir / "disclosure.jsonl"


def _port(url: str) -> int:
    return int(url.split("://", 1)[1].split("/", 1)[0].rsplit(":", 1)[1])


def test_the_proxy_connection_is_recorded_before_its_first_request_arrives(
    certbot: CertbotRunner,
) -> None:
    """A private certonly: a connection record for the CA's address, seen at request level,
    written (by seq, and by time) before the proxy received the run's first request."""
    cursor = LogCursor(_log(certbot))
    result = require_success(certbot.run(*certbot.certonly_args(certbot.domain())))
    records = cursor.new_records()
    assert_log_sound(_log(certbot))
    port = _port(certbot.proxy.directory_url)
    connections = [r for r in records if r["event"] == "connection" and r["port"] == port]
    assert connections, result.describe()
    first = connections[0]
    assert (first["transport"], first["via"], first["seen"], first["own"]) == (
        "tcp",
        "socket.connect",
        "request",
        None,
    )
    assert first["address"] == "127.0.0.1" and first["host"] == first["recipient"]
    opened_by = first["opened_by"]
    assert opened_by["module"].startswith("urllib3") and opened_by["plugin"] is None
    requests = [r for r in records if r["event"] == "request"]
    assert requests[0]["seq"] < first["seq"] < requests[1]["seq"]
    first_received = min(r.time for r in result.requests)
    assert _epoch(first["time"]) <= first_received + 0.001
    runs = {r.get("run") for r in records}
    assert len(runs) == 1 and len(str(runs.pop())) == 32


def _epoch(stamp: str) -> float:
    import datetime

    return datetime.datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()


TOKEN = "s3cr3t-hook-token-4711"


def _hook_script(tmp_path: Path) -> Path:
    """A hook that tells the test's listener it ran, with a credential, as curl would."""
    script = tmp_path / "hook.sh"
    script.write_text(
        "#!/bin/sh\n"
        '# $1: the kind, $2: the listener, $3: a credential for "the provider"\n'
        'curl -sS -o /dev/null -H "Authorization: Bearer $3" '
        '"$2/$1?domain=${CERTBOT_DOMAIN:-$RENEWED_DOMAINS}"\n'
    )
    script.chmod(0o755)
    return script


def test_hooks_are_recorded_before_they_run(certbot: CertbotRunner, tmp_path: Path) -> None:
    """--manual-auth-hook, --pre-hook, --deploy-hook: each has its hook record, with what
    certbot hands it and its credential redacted, before the hook's request arrives."""
    from tests.helpers.http import Hit, running_server

    log = _log(certbot)
    script = _hook_script(tmp_path)
    domain = certbot.domain()
    arrived: Dict[str, List[Record]] = {}
    with running_server() as listener:

        def on_hit(hit: Hit) -> None:
            arrived[hit.path.split("?", 1)[0].strip("/")] = read_records(log)

        listener.on_hit = on_hit

        def hook(kind: str) -> str:
            return f"{script} {kind} {listener.url} {TOKEN}"

        cursor = LogCursor(log)
        result = require_success(
            certbot.run(
                "certonly",
                "--manual",
                "--preferred-challenges",
                "http",
                "--manual-auth-hook",
                hook("auth"),
                "--pre-hook",
                hook("pre"),
                "--deploy-hook",
                hook("deploy"),
                "--agree-tos",
                "--register-unsafely-without-email",
                "--privacy-minimal",
                "-d",
                domain,
            )
        )
    assert set(arrived) == {"auth", "pre", "deploy"}, result.describe()
    # The hooks ran and got what certbot hands them (the pre-hook gets no names).
    assert {h.path.split("=", 1)[1] for h in listener.hits if "/pre" not in h.path} == {domain}
    assert TOKEN not in log.read_text()
    assert_log_sound(log)
    records = cursor.new_records()
    hooks = {r["kind"]: r for r in records if r["event"] == "hook"}
    assert set(hooks) == {"manual-auth", "pre", "deploy"}
    for kind, path in (("manual-auth", "auth"), ("pre", "pre"), ("deploy", "deploy")):
        record = hooks[kind]
        assert record["seq"] in {r["seq"] for r in arrived[path]}, f"{kind} ran before its record"
        assert record["executable"] == str(script) and record["seen"] == "none"
        assert record["recipient"] == f"hook {script}"
        # A bare word could be a credential: only options, paths, URLs (without user info
        # and query values) and known disclosures are kept.
        assert record["args"] == [
            {"redacted": True, "bytes": len(path)},
            listener.url,
            {"redacted": True, "bytes": len(TOKEN)},
        ]
    auth = hooks["manual-auth"]
    assert auth["env"]["CERTBOT_DOMAIN"] == domain and auth["env"]["CERTBOT_VALIDATION"]
    assert auth["personal_data"]["domain"] == [domain]
    assert auth["personal_data"]["dns_challenge"] == [auth["env"]["CERTBOT_VALIDATION"]]
    assert hooks["deploy"]["env"]["RENEWED_DOMAINS"] == domain
    end = [r for r in records if r["event"] == "coverage" and r["phase"] == "end"]
    ran = {(u["kind"], u["executable"]) for u in end[0]["unseen"] if u["what"] == "hook"}
    assert ran == {("manual-auth", str(script)), ("pre", str(script)), ("deploy", str(script))}


#: certbot-dns-multi from PyPI, kept out of the targets' own paths (scripts/bootstrap).
DNS_MULTI = Path(__file__).resolve().parents[2] / ".venv-dns-multi"


def _dns_multi() -> Dict[str, str]:
    if not (DNS_MULTI / "certbot_dns_multi").is_dir():
        pytest.skip(f"certbot-dns-multi is not installed in {DNS_MULTI} (bash scripts/bootstrap)")
    return {"CERTBOT_PLUGIN_PATH": str(DNS_MULTI)}


def _multi_args(certbot: CertbotRunner, tmp_path: Path, *extra: str) -> List[str]:
    credentials = tmp_path / "multi.ini"
    credentials.write_text("dns_multi_provider = exec\n")
    credentials.chmod(0o600)
    return [
        "certonly",
        "--authenticator",
        "dns-multi",
        "--dns-multi-credentials",
        str(credentials),
        "--agree-tos",
        "--register-unsafely-without-email",
        "--privacy-minimal",
        *extra,
        "-d",
        certbot.domain(),
    ]


def test_strict_refuses_native_code_before_anything_is_sent(
    certbot: CertbotRunner, tmp_path: Path
) -> None:
    """certbot-dns-multi (a Go library in certbot) with --privacy-strict: exit 2, one
    sentence, nothing sent to anyone."""
    result = certbot.run(
        *_multi_args(certbot, tmp_path, "--privacy-strict"), extra_env=_dns_multi()
    )
    assert result.returncode == 2, result.describe()
    assert "--privacy-strict" in result.stderr and "native code" in result.stderr
    assert "Traceback" not in result.stderr
    assert (result.requests, result.outside) == ([], []), result.describe()
    assert not any(r["event"] == "request" for r in read_records(_log(certbot)))


def test_native_code_gets_a_notice_when_the_mode_switches_on(
    certbot: CertbotRunner, tmp_path: Path
) -> None:
    """Without --privacy-strict the run goes on, and the log says first that what the Go
    library sends cannot be seen."""
    cursor = LogCursor(_log(certbot))
    result = certbot.run(*_multi_args(certbot, tmp_path), extra_env=_dns_multi())
    records = cursor.new_records()
    assert records, result.describe()
    start, notice = records[0], records[1]
    assert (start["event"], start["phase"]) == ("coverage", "start"), result.describe()
    native = [u for u in start["unseen"] if u["what"] == "native"]
    assert native and native[0]["plugin"] == "certbot-dns-multi"
    assert native[0]["library"].startswith("lego_bridge") and native[0]["loaded"] is True
    assert (notice["event"], notice["kind"]) == ("notice", "native_code")
    assert "cannot be seen" in notice["message"]
    assert native[0]["role"] == notice["role"] == "authenticator"
    assert_log_sound(_log(certbot))


def test_a_loaded_plugins_native_code_is_said_and_strict_lets_the_run_go(
    certbot: CertbotRunner,
) -> None:
    """certbot-dns-multi installed (its Go library loaded at plugin discovery) but a webroot
    run: the coverage record and a notice say so (role ``loaded``); --privacy-strict refuses
    only an authenticator or installer it cannot see, so the certificate is issued."""
    cursor = LogCursor(_log(certbot))
    result = require_success(
        certbot.run(
            *certbot.certonly_args(certbot.domain()), "--privacy-strict", extra_env=_dns_multi()
        )
    )
    records = cursor.new_records()
    start = next(r for r in records if r["event"] == "coverage")
    assert (start["phase"], start["strict"]) == ("start", True), result.describe()
    native = [u for u in start["unseen"] if u["what"] == "native"]
    assert [(u["plugin"], u["role"], u["loaded"]) for u in native] == [
        ("certbot-dns-multi", "loaded", True)
    ]
    assert native[0]["library"].startswith("lego_bridge")
    (notice,) = [r for r in records if r["event"] == "notice" and r["kind"] == "native_code"]
    assert notice["role"] == "loaded"
    assert "not this run's authenticator or installer" in notice["message"]
    assert result.requests, result.describe()  # issued: the proxy saw the ACME requests
    assert_log_sound(_log(certbot))


def test_strict_refuses_a_hook(certbot: CertbotRunner, tmp_path: Path) -> None:
    """--privacy-strict with --manual-auth-hook: exit 2 before anything is sent."""
    script = _hook_script(tmp_path)
    result = certbot.run(
        "certonly",
        "--manual",
        "--preferred-challenges",
        "http",
        "--manual-auth-hook",
        f"{script} auth http://127.0.0.1:9 {TOKEN}",
        "--agree-tos",
        "--register-unsafely-without-email",
        "--privacy-minimal",
        "--privacy-strict",
        "-d",
        certbot.domain(),
    )
    assert result.returncode == 2, result.describe()
    assert f"manual-auth hook {script} runs as another process" in result.stderr
    assert (result.requests, result.outside) == ([], [])


def test_strict_lets_a_run_it_sees_go(certbot: CertbotRunner) -> None:
    """A webroot certonly with --privacy-strict (cli.ini) issues; its coverage says strict."""
    certbot.user_cli_ini.parent.mkdir(parents=True, exist_ok=True)
    certbot.user_cli_ini.write_text("privacy-strict = true\n")
    cursor = LogCursor(_log(certbot))
    require_success(certbot.run(*certbot.certonly_args(certbot.domain())))
    coverage = [r for r in cursor.new_records() if r["event"] == "coverage"]
    assert [(r["phase"], r["strict"]) for r in coverage] == [("start", True), ("end", True)]
