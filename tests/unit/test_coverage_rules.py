"""rules.coverage and redaction.redact_command_args: what a run cannot see, and strictness."""

from certbot_privacy._internal.rules import coverage, redaction


def test_a_hook_command_is_split_into_its_program_and_words() -> None:
    """The first word is the executable, found on PATH; the rest are its arguments."""
    found = coverage.hook_command("curl -s https://x.example/a", {"curl": "/usr/bin/curl"}.get)
    assert found == ("/usr/bin/curl", ["-s", "https://x.example/a"])
    assert coverage.hook_command("/opt/hook.sh 'open", None) == ("/opt/hook.sh 'open", [])


def test_hook_arguments_keep_no_credential() -> None:
    """A bearer token, user:password and a query secret are redacted; options and paths kept."""
    args = [
        "-s",
        "-H",
        "Authorization: Bearer s3cr3t-token",
        "-u",
        "admin:hunter2",
        "https://user:pw@dns.example/api?key=abc&zone=example.org",
        "/etc/hook.conf",
        "example.org",
    ]
    recorded = redaction.redact_command_args(args, {"example.org"}.__contains__)
    text = repr(recorded)
    for secret in ("s3cr3t-token", "hunter2", "abc", "user:pw"):
        assert secret not in text
    assert recorded[0:2] == ["-s", "-H"]
    assert recorded[2] == {"redacted": True, "bytes": len(args[2])}
    assert recorded[5] == "https://dns.example/api?key=[redacted]&zone=example.org"
    assert recorded[6:] == ["/etc/hook.conf", "example.org"]


def test_hook_env_is_what_certbot_hands_over_classified() -> None:
    """CERTBOT_* values are recorded as personal data; the auth hook's output is redacted."""
    env = {
        "CERTBOT_DOMAIN": "a.example.org",
        "CERTBOT_VALIDATION": "val-123",
        "CERTBOT_AUTH_OUTPUT": "token=xyz",
        "RENEWED_DOMAINS": "a.example.org b.example.org",
        "PATH": "/usr/bin",
        "SECRET": "never",
    }
    recorded, personal = coverage.hook_env(env)
    assert set(recorded) == {
        "CERTBOT_DOMAIN",
        "CERTBOT_VALIDATION",
        "CERTBOT_AUTH_OUTPUT",
        "RENEWED_DOMAINS",
    }
    assert recorded["CERTBOT_AUTH_OUTPUT"] == {"redacted": True, "bytes": 9}
    assert personal == {"domain": ["a.example.org", "b.example.org"], "dns_challenge": ["val-123"]}


def test_the_hook_options_are_unseen_processes() -> None:
    """Each configured hook is listed once with its kind and executable."""
    options = {"manual_auth_hook": "/a.sh x", "pre_hook": "", "deploy_hook": "/d.sh"}
    assert coverage.unseen_hooks(options) == [
        {"what": "hook", "kind": "manual-auth", "executable": "/a.sh"},
        {"what": "hook", "kind": "deploy", "executable": "/d.sh"},
    ]


def test_strict_refuses_hooks_native_code_and_unknown_authenticators() -> None:
    """Each reason for refusing gets its own sentence; a seen run is let through."""
    hook = [{"what": "hook", "kind": "pre", "executable": "/p.sh"}]
    native = [{"what": "native", "library": "lego_bridge.so", "plugin": "certbot-dns-multi"}]
    everything = coverage.AUTHENTICATOR_STACKS["dns-rfc2136"] + ("requests",)
    assert "pre hook /p.sh runs as another process" in str(
        coverage.strict_refusal("webroot", hook, everything)
    )
    assert "certbot-dns-multi, the authenticator, runs native code" in str(
        coverage.strict_refusal("dns-multi", native, everything)
    )
    installer = [native[0] | {"role": "installer"}]
    assert "certbot-dns-multi, the installer, runs native code" in str(
        coverage.strict_refusal("webroot", installer, everything)
    )
    # Loaded by certbot's plugin discovery, but neither authenticator nor installer: said in
    # the coverage record and a notice, not refused.
    loaded = [native[0] | {"role": "loaded"}]
    assert coverage.strict_refusal("webroot", loaded, everything) is None
    assert "dns-other is not one whose requests" in str(
        coverage.strict_refusal("dns-other", [], everything)
    )
    rfc2136 = coverage.strict_refusal("dns-rfc2136", [], ["requests"])
    assert "sends through dns-update" in str(rfc2136)
    assert coverage.strict_refusal("webroot", [], ["requests"]) is None
    assert coverage.strict_refusal("dns-digitalocean", [], ["requests"]) is None
