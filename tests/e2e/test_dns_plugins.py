"""Real DNS plugins in privacy mode: their credentials never reach the log nor syslog (issue 10).

The official plugins from PyPI that talk to their provider with ``requests`` run against a
fake of their provider's API: the recording proxy's trap accepts the CONNECT to the
provider's real host name (``api.nsone.net``, ...), serves TLS with a certificate from the
test CA and answers as the test says, recording what it received. So each test shows both
that the credential really left certbot and that the disclosure log and its syslog mirror
hold no trace of it, while the names and DNS-01 values the provider received are recorded.

Installed by ``scripts/bootstrap``: the 5.x plugins from PyPI into ``.venv``; for Debian's
certbot 2.1.0, nsone, ovh and digitalocean at 2.1.0 from PyPI (``pip --no-deps``) over
Debian's own libraries (``python3-lexicon``, ``python3-digitalocean``): bookworm has no
``python3-certbot-dns-nsone``, and installing its plugin packages would pull the
``certbot`` package (CLI, cron job, timer) onto every test machine. Cloudflare on 2.1.0 is
bookworm's own ``python3-certbot-dns-cloudflare`` (2.0.0, over its ``python3-cloudflare``
2.11, on requests), unpacked into ``.debian-plugins`` like route53, google and rfc2136.
"""

import datetime
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator, List, Tuple

import pytest

from harness import AcmeStack, CertbotRunner, CertbotTarget, RecordedRequest, TestCA

from .conftest import SyslogDaemon
from .log_checks import assert_log_sound, read_log

pytestmark = pytest.mark.e2e
#: Headers that name the host's platform (the cloudflare library on httpx sends them).
HOST_DETAILS = ("x-stainless-os", "x-stainless-arch", "x-stainless-runtime-version")

Answer = Tuple[int, Any]


@dataclass(frozen=True)
class Plugin:
    """One DNS plugin: how to run it, its credentials, and its provider's fake API."""

    name: str
    host: str
    credentials: dict[str, str]
    #: The credential values that go over the wire (a secret used only to sign does not).
    sent: Tuple[str, ...]
    respond: Callable[[str, str, bytes], Answer]
    #: Whether it reaches its provider with requests on this certbot (else: not seen at all).
    uses_requests: Callable[[CertbotTarget], bool] = lambda target: True
    #: Whether the fake API lets it finish, so that the certificate is issued.
    issues: bool = False
    extra: Tuple[str, ...] = field(default=())

    @property
    def secrets(self) -> List[str]:
        return [v for k, v in self.credentials.items() if k.endswith(("key", "secret", "token"))]


def _ns1(method: str, path: str, body: bytes) -> Answer:
    return 404, {"message": "zone not found"}


def _ovh(method: str, path: str, body: bytes) -> Answer:
    if path == "/1.0/auth/time":
        return 200, int(time.time())
    return 403, {"message": "This credential is not valid"}


def _digitalocean(method: str, path: str, body: bytes) -> Answer:
    route = path.split("?")[0].rstrip("/")
    if method == "GET" and route == "/v2/domains":
        domain = {"name": "example.com", "ttl": 1800, "zone_file": ""}
        return 200, {"domains": [domain], "links": {}, "meta": {"total": 1}}
    if method == "POST" and route == "/v2/domains/example.com/records":
        record = {"id": 7, **json.loads(body)}
        return 201, {"domain_record": record}
    if method == "GET" and route == "/v2/domains/example.com/records":
        return 200, {"domain_records": [], "links": {}, "meta": {"total": 0}}
    return 404, {"id": "not_found", "message": "not found"}


def _cloudflare(method: str, path: str, body: bytes) -> Answer:
    return 403, {"success": False, "errors": [{"code": 9109, "message": "Invalid token"}]}


PLUGINS = [
    Plugin(
        "nsone",
        "api.nsone.net",
        {"dns_nsone_api_key": "NS1-k3y-4f1c9e0b7a2d"},
        ("NS1-k3y-4f1c9e0b7a2d",),
        _ns1,
    ),
    Plugin(
        "ovh",
        "eu.api.ovh.com",
        {
            "dns_ovh_endpoint": "ovh-eu",
            "dns_ovh_application_key": "OVHapp6b1e2c",
            "dns_ovh_application_secret": "OVHs3cr3t9d0c7a1f",
            "dns_ovh_consumer_key": "OVHconsumer5e8f2a",
        },
        ("OVHapp6b1e2c", "OVHconsumer5e8f2a"),
        _ovh,
    ),
    Plugin(
        "digitalocean",
        "api.digitalocean.com",
        {"dns_digitalocean_token": "dop_v1_7c0ffee5ec12e7"},
        ("dop_v1_7c0ffee5ec12e7",),
        _digitalocean,
        issues=True,
    ),
    Plugin(
        "cloudflare",
        "api.cloudflare.com",
        {"dns_cloudflare_api_token": "CFt0k3n-0a9b8c7d6e5f"},
        ("CFt0k3n-0a9b8c7d6e5f",),
        _cloudflare,
    ),
]


def _assert_debians_own_cloudflare_plugin(target: CertbotTarget) -> None:
    """The 2.1.0 target's certbot-dns-cloudflare is bookworm's package, unpacked."""
    import subprocess

    code = (
        "import certbot_dns_cloudflare as p, importlib.metadata as m; "
        "print(p.__file__); print(m.version('certbot-dns-cloudflare'))"
    )
    done = subprocess.run(
        [str(target.python), "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    where, version = done.stdout.split()
    assert "/.debian-plugins/root/usr/lib/python3/dist-packages/" in where, done.stdout
    assert version == "2.0.0", "not bookworm's python3-certbot-dns-cloudflare: bootstrap"


@pytest.fixture
def provider(
    request: pytest.FixtureRequest, acme: AcmeStack, tls: TestCA, tmp_path: Path
) -> Iterator[Plugin]:
    plugin: Plugin = request.param
    cert, key = tls.issue(plugin.host, tmp_path / "provider-tls")
    acme.proxy.add_provider(plugin.host, str(cert), str(key), plugin.respond)
    yield plugin
    acme.proxy.providers.pop(plugin.host, None)


@pytest.mark.parametrize("provider", PLUGINS, indirect=True, ids=[p.name for p in PLUGINS])
def test_dns_plugin_credentials_stay_out_of_the_log_and_syslog(
    certbot: CertbotRunner,
    target: CertbotTarget,
    provider: Plugin,
    syslog_socket: SyslogDaemon,
    tmp_path: Path,
) -> None:
    """The credential reaches the provider; the log and the syslog mirror never see it."""
    if target.name == "debian" and provider.name == "cloudflare":
        _assert_debians_own_cloudflare_plugin(target)
    credentials = tmp_path / "credentials.ini"
    credentials.write_text("".join(f"{k} = {v}\n" for k, v in provider.credentials.items()))
    credentials.chmod(0o600)
    domain = certbot.domain()
    mark = certbot.proxy.mark()
    result = certbot.run(
        "certonly",
        "--authenticator",
        f"dns-{provider.name}",
        f"--dns-{provider.name}-credentials",
        str(credentials),
        f"--dns-{provider.name}-propagation-seconds",
        "0",
        "--register-unsafely-without-email",
        "--agree-tos",
        "--privacy-minimal",
        "--privacy-syslog",
        "-d",
        domain,
    )
    log = certbot.logs_dir / "disclosure.jsonl"
    text = log.read_text()
    mirrored = b"\n".join(syslog_socket.received()).decode("utf-8", "replace")
    for secret in provider.secrets:
        assert secret not in text, f"{secret} is in the disclosure log"
        assert secret not in mirrored, f"{secret} is in the syslog mirror"
    assert_log_sound(log)
    at_provider = [r for r in certbot.proxy.since(mark) if r.listener == "provider"]
    records = [r for r in read_log(log) if r.get("recipient") == f"https://{provider.host}"]
    if not provider.uses_requests(target):
        # Not seen by privacy mode at all (documented in the threat model).
        assert records == [], result.describe()
        return
    assert at_provider, result.describe()
    assert any(s in _raw(r) for r in at_provider for s in provider.sent), (
        "the plugin never sent its credential: the test proves nothing"
    )
    requests_ = [r for r in records if r["event"] == "request"]
    assert len(requests_) >= len(at_provider), result.describe()
    for hit in at_provider:  # requests (nsone, ovh, digitalocean) or httpx (cloudflare 5.x)
        assert hit.header_values("User-Agent") == [target.minimal_user_agent]
        # Nor anything else about the host (the cloudflare library's X-Stainless-OS, ...).
        assert not [k for k, _ in hit.headers if k.lower() in HOST_DETAILS], hit.headers
    for record, hit in zip(requests_, at_provider):  # each recorded before it arrived
        written = datetime.datetime.fromisoformat(record["time"].replace("Z", "+00:00"))
        assert written.timestamp() <= hit.time, (record["seq"], hit.path)
    for record in requests_:
        assert record["headers"]["User-Agent"] == target.minimal_user_agent
        for name, value in record["headers"].items():
            if name.lower() not in ("host", "user-agent", "content-type", "content-length"):
                assert name.lower() in ("accept", "accept-encoding", "connection") or value == {
                    "redacted": True,
                    "bytes": value.get("bytes"),
                }, (name, value)
    if provider.issues:
        assert result.returncode == 0, result.describe()
        (created,) = [r for r in requests_ if r["method"] == "POST"]
        assert created["body_redacted"]["data"] == created["personal_data"]["dns_challenge"][0]
        assert (
            created["body_redacted"]["name"] == "_acme-challenge." + domain[: -len(".example.com")]
        )
        assert any(domain.endswith(d) for d in created["personal_data"]["domain"])
    else:
        assert result.returncode != 0


def _raw(request: RecordedRequest) -> str:
    return request.raw_text()
