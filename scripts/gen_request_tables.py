"""Generate ``docs/_generated/requests.rst``: what certbot sends, with and without privacy mode.

    .venv/bin/python scripts/gen_request_tables.py            # rewrite the file
    .venv/bin/python scripts/gen_request_tables.py --check    # exit 1 if it is not current

The tables are not typed by hand: this script starts Pebble behind the test suite's
recording proxy (the ``harness`` package), runs real certbot commands against it, once
with privacy mode off and once with ``--privacy-minimal``, on both supported certbots
(the newest 5.x in ``.venv``, Debian's 2.1.0 in ``.venv-debian``), and renders what the
*server received*: request line, every header, the decoded JWS, the body, and the
personal data in it as the disclosure log classifies it
(:func:`certbot_privacy._internal.log.classify.classify`).

Values that change on every run are replaced by placeholders (``<ca>`` for the server's
address, ``<id>``, ``<nonce>``, key material, lengths), so that a second run renders the
same file. Versions stay in the file; :func:`normalise_versions` replaces them when
checking, so a new certbot or requests release alone does not make the file stale.

One thing is changed in certbot for these runs: its EFF subscription URL constant
(``certbot._internal.constants.EFF_SUBSCRIBE_URI``), pointed at the local recorder so that
the EFF request can be shown. The tables show the real URL and ``Host`` it replaces.
"""

import argparse
import difflib
import json
import re
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

import harness  # noqa: E402 (after the path is set)

OUTPUT = REPO / "docs" / "_generated" / "requests.rst"
DOMAIN = "www.example.com"
EMAIL = "admin@example.org"
NEW_EMAIL = "contact@example.org"
EFF_URL = "https://supporters.eff.org/subscribe/certbot"
EFF_PATH = "/subscribe/certbot"
EFF_ENV = "CERTBOT_PRIVACY_DOCS_EFF_URL"


def _rfc(number: str, section: str = "") -> str:
    if not section:
        return f":rfc:`{number}`"
    return f":rfc:`RFC {number} section {section} <{number}#section-{section}>`"


#: Request types, in the order of the tables: key, title, what it is, the spec.
REQUEST_TYPES: Tuple[Tuple[str, str, str, str], ...] = (
    (
        "directory",
        "Directory (GET)",
        "The first request of every ACME run: the list of the CA's URLs.",
        _rfc("8555", "7.1.1"),
    ),
    (
        "new-nonce",
        "newNonce (HEAD)",
        "A fresh anti-replay nonce for the next signed request.",
        _rfc("8555", "7.2"),
    ),
    (
        "new-account",
        "newAccount (POST)",
        "Registering the ACME account; the contact email, if any, goes here.",
        _rfc("8555", "7.3"),
    ),
    (
        "account-lookup",
        "Account lookup (POST newAccount, onlyReturnExisting)",
        "Finding the account URL for the stored key, before update_account, show_account "
        "and unregister.",
        _rfc("8555", "7.3.1"),
    ),
    (
        "account-update",
        "Account update (POST to the account URL)",
        "update_account: a new contact, or none.",
        _rfc("8555", "7.3.2"),
    ),
    (
        "new-order",
        "newOrder (POST)",
        "Asking for a certificate for the domain names.",
        _rfc("8555", "7.4"),
    ),
    (
        "authz",
        "Authorization (POST-as-GET)",
        "Fetching (and polling) an authorization.",
        _rfc("8555", "7.5"),
    ),
    (
        "challenge",
        "Challenge (POST)",
        "Telling the CA that the challenge is ready.",
        _rfc("8555", "7.5.1"),
    ),
    ("finalize", "Finalize (POST)", "Sending the CSR.", _rfc("8555", "7.4")),
    (
        "order-poll",
        "Order poll (POST-as-GET)",
        "Waiting for the order to be valid.",
        _rfc("8555", "7.4"),
    ),
    (
        "cert-download",
        "Certificate download (POST-as-GET)",
        "Fetching the certificate.",
        _rfc("8555", "7.4.2"),
    ),
    (
        "ari",
        "ACME Renewal Info (GET)",
        "Asking the CA when to renew (certbot 3.x and later, during renew).",
        _rfc("9773"),
    ),
    (
        "ocsp",
        "OCSP (POST)",
        "certbot certificates and renew asking the certificate's OCSP responder whether it "
        "is revoked.",
        _rfc("6960"),
    ),
    (
        "eff",
        "EFF subscription (POST)",
        "After the first certificate, to supporters.eff.org, only when the admin agreed to "
        "share the email with the EFF (--eff-email).",
        "",
    ),
    ("revoke", "Revocation (POST)", "certbot revoke.", _rfc("8555", "7.6")),
    (
        "deactivate",
        "Account deactivation (POST to the account URL)",
        "certbot unregister.",
        _rfc("8555", "7.3.6"),
    ),
)

#: Columns: key, heading.
COLUMNS: Tuple[Tuple[str, str], ...] = (
    ("off", "privacy mode off (certbot's default)"),
    ("on", "``--privacy-minimal``"),
    ("on-email", "``--privacy-minimal``, email shared with consent"),
    ("on-withdraw", "``--privacy-minimal --privacy-withdraw-email``"),
)
#: Columns shown only for some request types (the others are in every table).
COLUMN_TYPES = {"on-email": ("new-account", "eff"), "on-withdraw": ("account-update",)}
PRIVATE = "--privacy-minimal"
WEBROOT = "<webroot>"


@dataclass(frozen=True)
class Step:
    """One certbot command; the first request of each type it sends goes to *column*."""

    column: str
    args: Tuple[str, ...]
    server: bool = True


def _certonly(*extra: str) -> Tuple[str, ...]:
    return (
        "certonly",
        "--webroot",
        "-w",
        WEBROOT,
        "--agree-tos",
        "-d",
        DOMAIN,
        "--cert-name",
        DOMAIN,
        *extra,
    )


#: Each scenario runs in its own config directory (a fresh account), steps in order.
SCENARIOS: Tuple[Tuple[Step, ...], ...] = (
    (
        Step("off", _certonly("-m", EMAIL, "--eff-email")),
        Step("off", ("certificates",), server=False),
        Step("off", ("renew",), server=False),
        Step("off", ("update_account", "-m", NEW_EMAIL)),
        Step("off", ("revoke", "--cert-name", DOMAIN, "--no-delete-after-revoke")),
        Step("off", ("unregister",)),
    ),
    (
        Step("on", _certonly(PRIVATE)),
        Step("on", ("certificates", PRIVATE), server=False),
        Step("on", ("renew",), server=False),  # no flag: the lineage stays private
        Step("on", ("update_account", PRIVATE, "-m", NEW_EMAIL, "--privacy-share-email")),
        Step("on-withdraw", ("update_account", PRIVATE, "--privacy-withdraw-email")),
        Step("on", ("revoke", PRIVATE, "--cert-name", DOMAIN, "--no-delete-after-revoke")),
        Step("on", ("unregister", PRIVATE)),
    ),
    (Step("on-email", _certonly(PRIVATE, "-m", EMAIL, "--privacy-share-email", "--eff-email")),),
)

_LAUNCHER = """#!{python}
# certbot, with its EFF subscription URL pointed at the local recorder (docs generator).
import os, sys
from certbot._internal import constants
constants.EFF_SUBSCRIBE_URI = os.environ["{env}"]
from certbot.main import main
sys.exit(main())
"""


@dataclass
class Observation:
    """One request as the server received it, normalised, with the command that sent it."""

    command: str
    fields: List[Tuple[str, str]]  #: (row name, RST cell content)


@dataclass
class TargetRun:
    """Everything one certbot target sent, by request type and column."""

    target: harness.CertbotTarget
    observations: Dict[Tuple[str, str], Observation] = field(default_factory=dict)


# --- collecting ------------------------------------------------------------------------------


def collect(name: str, certbot: Path, workdir: Path) -> TargetRun:
    """Run every scenario with the certbot at *certbot* against a fresh Pebble stack."""
    tls = harness.make_test_ca(workdir / "tls")
    real = harness.load_target(name, certbot)
    launcher = workdir / "certbot"
    launcher.write_text(_LAUNCHER.format(python=real.python, env=EFF_ENV), encoding="utf-8")
    launcher.chmod(0o755)
    target = harness.load_target(name, launcher)
    run = TargetRun(real)
    with harness.AcmeStack.start(workdir / "pebble", tls) as stack:
        stack.proxy.ari = harness.AriSettings(window="future")  # ask, but do not renew
        normaliser = Normaliser(stack.proxy)
        env = {EFF_ENV: stack.proxy.ocsp_url.rsplit("/", 1)[0] + EFF_PATH}
        for number, scenario in enumerate(SCENARIOS):
            runner = harness.CertbotRunner(target, stack.proxy, tls, workdir / f"s{number}")
            for step in scenario:
                args = [str(runner.webroot) if a == WEBROOT else a for a in step.args]
                result = harness.require_success(
                    runner.run(*args, server="" if step.server else None, extra_env=env)
                )
                if result.outside:
                    raise AssertionError("a request left loopback:\n" + result.describe())
                command = "certbot " + " ".join(step.args)
                for request in result.requests:
                    kind = classify(request)
                    key = (kind, step.column)
                    if kind not in COLUMN_TYPES.get(step.column, (kind,)):
                        continue
                    if key not in run.observations:
                        run.observations[key] = Observation(
                            command, normaliser.fields(request, kind)
                        )
    return run


def classify(request: harness.RecordedRequest) -> str:
    """Name the request type of *request*, as in :data:`REQUEST_TYPES` (else ``other ...``)."""
    path = request.path.split("?", 1)[0]
    first = "/" + path.split("/")[1]
    if request.role == "ari":
        return "ari"
    if path == EFF_PATH:
        return "eff"
    if request.role == "ocsp":
        return "ocsp"
    jws = request.jws() or {}
    payload = jws.get("payload")
    simple = {
        ("GET", "/dir"): "directory",
        ("HEAD", "/nonce-plz"): "new-nonce",
        ("POST", "/order-plz"): "new-order",
        ("POST", "/authZ"): "authz",
        ("POST", "/chalZ"): "challenge",
        ("POST", "/finalize-order"): "finalize",
        ("POST", "/my-order"): "order-poll",
        ("POST", "/certZ"): "cert-download",
        ("POST", "/revoke-cert"): "revoke",
    }
    if (request.method, first) in simple:
        return simple[(request.method, first)]
    if request.method == "POST" and first == "/sign-me-up" and isinstance(payload, dict):
        return "account-lookup" if payload.get("onlyReturnExisting") else "new-account"
    if request.method == "POST" and first == "/my-account" and isinstance(payload, dict):
        return "deactivate" if payload.get("status") == "deactivated" else "account-update"
    return f"other {request.method} {first}"


# --- normalising -----------------------------------------------------------------------------

_ID_PATHS = re.compile(r"(/(?:authZ|chalZ|finalize-order|my-order|certZ|my-account))/[^/?\"\s]+")
_ARI_PATH = re.compile(r"(/renewal-info)/[^/?\"\s]+")
_KEY_MEMBERS = ("kty", "crv", "e", "alg", "use")


class Normaliser:
    """Turns what the proxy recorded into table rows without run-specific values."""

    def __init__(self, proxy: harness.RecordingProxy) -> None:
        self.acme = f"127.0.0.1:{proxy.acme_port}"
        self.ocsp = f"127.0.0.1:{proxy.ocsp_port}"

    def text(self, value: str) -> str:
        value = value.replace(f"http://{self.ocsp}{EFF_PATH}", EFF_URL)
        value = value.replace(f"https://{self.acme}", "https://<ca>")
        value = value.replace(f"http://{self.ocsp}", "http://<ocsp-responder>")
        value = _ID_PATHS.sub(r"\1/<id>", value)
        return _ARI_PATH.sub(r"\1/<cert-id>", value)

    def header(self, name: str, value: str, kind: str) -> str:
        if name.lower() == "content-length":
            return "<length>"
        if name.lower() == "host":
            return {"eff": "supporters.eff.org", "ocsp": "<ocsp-responder>"}.get(kind, "<ca>")
        return self.text(value)

    def fields(self, request: harness.RecordedRequest, kind: str) -> List[Tuple[str, str]]:
        path = request.path if kind != "eff" else EFF_URL
        rows = [("Request", _literal(f"{request.method} {self.text(path)}"))]
        rows += [
            (f"Header ``{name}``", _literal(self.header(name, value, kind)))
            for name, value in request.headers
        ]
        jws = request.jws()
        if jws is not None:
            rows.append(("JWS protected header", _json_block(self.protected(jws["protected"]))))
            rows.append(("JWS payload", _json_block(self.payload(jws["payload"]))))
        else:
            rows.append(("Body", self.body(request, kind)))
        rows.append(("Personal data (disclosure log categories)", self.personal(request, kind)))
        return rows

    def protected(self, header: Dict[str, Any]) -> Dict[str, Any]:
        result: Dict[str, Any] = {}
        for key, value in header.items():
            if key == "nonce":
                result[key] = "<nonce>"
            elif key == "jwk" and isinstance(value, dict):
                result[key] = {
                    k: (v if k in _KEY_MEMBERS else f"<{k}: public key>") for k, v in value.items()
                }
            elif isinstance(value, str):
                result[key] = self.text(value)
            else:
                result[key] = value
        return result

    def payload(self, payload: Any) -> Any:
        if not isinstance(payload, dict):
            return payload
        result: Dict[str, Any] = {}
        for key, value in payload.items():
            if key == "csr":
                result[key] = _describe_csr(value)
            elif key == "certificate":
                result[key] = "<the certificate, DER, base64url>"
            elif isinstance(value, str):
                result[key] = self.text(value)
            else:
                result[key] = value
        return result

    def body(self, request: harness.RecordedRequest, kind: str) -> str:
        if not request.body:
            return "(none)"
        if kind == "ocsp":
            return _describe_ocsp(request.body)
        return _literal(self.text(request.body.decode("utf-8", "replace")))

    def personal(self, request: harness.RecordedRequest, kind: str) -> str:
        from certbot_privacy._internal.log import classify

        url = EFF_URL if kind == "eff" else request.path
        recipient = classify.EFF_RECIPIENT if kind == "eff" else "the CA"
        found = classify.classify(
            request.method, url, dict(request.headers), request.body, request.jws(), recipient
        )
        parts = []
        for category, values in found.items():
            shown = [self.text(v) for v in values if isinstance(v, str)]
            if category in ("contact", "domain", "eff") and shown:
                parts.append(f"``{category}``: " + ", ".join(_literal(v) for v in shown))
            else:
                parts.append(f"``{category}``")
        return "; ".join(parts)


def _describe_csr(value: str) -> str:
    from cryptography import x509

    from certbot_privacy._internal.log import classify

    csr = x509.load_der_x509_csr(classify.b64url_decode(value))
    try:
        names = csr.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        sans = ", ".join(f"DNS:{n}" for n in names.get_values_for_type(x509.DNSName))
    except x509.ExtensionNotFound:
        sans = "none"
    key = classify.public_key_summary(csr.public_key())
    key_text = f"{key['key_type']} {key.get('curve') or key.get('key_size')}"
    subject = csr.subject.rfc4514_string() or "empty"
    return f"<CSR, DER, base64url: subject {subject}; subjectAltName {sans}; {key_text} key>"


def _describe_ocsp(body: bytes) -> str:
    from cryptography.x509 import ocsp

    request = ocsp.load_der_ocsp_request(body)
    return (
        f"DER OCSPRequest (``application/ocsp-request``): {request.hash_algorithm.name} "
        "hashes of the issuer's name and key, and the certificate's serial number"
    )


def _literal(text: str) -> str:
    return "``" + text.replace("``", "`\u200b`") + "``" if text else "(empty)"


def _json_block(value: Any) -> str:
    if value == "":
        return '``""`` (empty: POST-as-GET)'
    return ".. code-block:: json\n\n" + _indent(json.dumps(value, indent=2), 3)


def _indent(text: str, spaces: int) -> str:
    return "\n".join((" " * spaces + line) if line else "" for line in text.split("\n"))


# --- rendering -------------------------------------------------------------------------------

HEADER = """\
.. This file is generated by scripts/gen_request_tables.py from real certbot runs; do not
   edit it by hand. Regenerate: .venv/bin/python scripts/gen_request_tables.py

Generated from real runs against Pebble {pebble} (Debian's ``pebble``) behind the test
suite's recording proxy, which shows what the server received, with:

{versions}

Each column is one certbot command in a fresh configuration directory, run with ``-n``,
``--server`` and ``--config-dir``/``--work-dir``/``--logs-dir`` added; ``<webroot>`` is its
webroot. Values that differ on every run are replaced: ``<ca>`` is the CA's host (for Let's
Encrypt, ``acme-v02.api.letsencrypt.org``), ``<id>``, ``<nonce>``, ``<cert-id>``,
``<length>`` and public-key members stand for what was sent. The paths are Pebble's
(``/sign-me-up``, ``/order-plz``, ...); other CAs name them differently, the requests are
the same. For the EFF request, certbot's subscription URL was pointed at the local
recorder; the URL and ``Host`` shown are the real ones it replaces. The last row of each
table lists the personal data the request carries, as the disclosure log classifies it
(see :doc:`disclosure-log`); ``ip_address`` is implicit in every request.
"""


def render(runs: Sequence[TargetRun], pebble: str) -> str:
    """Return the whole RST file: tables for the first run, differences for the others."""
    versions = "\n".join(
        f"* certbot {r.target.certbot_version} ({_origin(r.target)}), requests "
        f"{r.target.requests_version}, Python {r.target.python_version}"
        for r in runs
    )
    out = [HEADER.format(pebble=pebble, versions=versions)]
    first, rest = runs[0], runs[1:]
    out.append(_title(f"certbot {first.target.certbot_version}", "~"))
    for key, title, what, spec in REQUEST_TYPES:
        out.append(_title(title, "^"))
        out.append(f"{what} {spec}".strip() + "\n")
        out.append(_table(first, key, None))
    for run in rest:
        out.append(_title(f"Differences on certbot {run.target.certbot_version}", "~"))
        out.append(
            f"What certbot {run.target.certbot_version} sends differently from "
            f"certbot {first.target.certbot_version}, request by request: the "
            "User-Agent always, and every other row that differs.\n"
        )
        for key, title, _what, _spec in REQUEST_TYPES:
            out.append(f".. rubric:: {title}\n")
            out.append(_table(run, key, first))
    others = sorted({k for r in runs for k, _ in r.observations if k.startswith("other ")})
    if others:
        out.append(_title("Other requests", "~"))
        out.append("Requests of a type not described above: " + ", ".join(others) + ".\n")
    return "\n".join(out).rstrip("\n") + "\n"


def _origin(target: harness.CertbotTarget) -> str:
    return "Debian's python3-certbot" if target.name == "debian" else "PyPI"


def _title(text: str, char: str) -> str:
    return f"{text}\n{char * len(text)}\n"


def _table(run: TargetRun, kind: str, reference: Optional[TargetRun]) -> str:
    columns = [
        (key, heading)
        for key, heading in COLUMNS
        if (kind, key) in run.observations
        or (reference is not None and (kind, key) in reference.observations)
        or key in ("off", "on")
    ]
    cells: Dict[str, Dict[str, str]] = {}
    rows: List[str] = ["Command"]
    for key, _heading in columns:
        observation = run.observations.get((kind, key))
        if observation is None:
            cells[key] = {}
            continue
        cells[key] = {"Command": _literal(observation.command)}
        for row, content in observation.fields:
            cells[key][row] = content
            if row not in rows:
                rows.append(row)
    if reference is not None:
        rows = [row for row in rows if _differs(row, kind, columns, run, reference)]
    if not any(cells.values()):
        return f"Not sent by certbot {run.target.certbot_version}.\n"
    lines = [
        ".. list-table::",
        "   :header-rows: 1",
        "   :stub-columns: 1",
        "",
        "   * -",
        *(f"     - {heading}" for _key, heading in columns),
    ]
    for row in rows:
        lines.append(f"   * - {row}")
        for key, _heading in columns:
            if not cells[key]:
                content = "(this request is not sent)"
            else:
                content = cells[key].get(row, "(not sent)")
            lines.append("     - " + _indent(content, 7).lstrip(" "))
    return "\n".join(lines) + "\n"


def _differs(
    row: str, kind: str, columns: Sequence[Tuple[str, str]], run: TargetRun, reference: TargetRun
) -> bool:
    if row == "Header ``User-Agent``":
        return True
    for key, _heading in columns:
        mine, theirs = run.observations.get((kind, key)), reference.observations.get((kind, key))
        if (mine is None) != (theirs is None):
            return True
        if mine is None or theirs is None:
            continue
        value = dict(mine.fields).get(row, "") if row != "Command" else mine.command
        other = dict(theirs.fields).get(row, "") if row != "Command" else theirs.command
        if normalise_versions(value) != normalise_versions(other):
            return True
    return False


_VERSION = re.compile(r"(?<![\w.])\d+\.\d+(?:\.\d+)*(?:(?:a|b|rc|\.dev|\.post)\d+)?(?![\w.])")


def normalise_versions(text: str) -> str:
    """Replace version numbers, the OS name in certbot's User-Agent and Pebble's version.

    So that a new release of certbot, requests or Python alone does not make the file
    stale, and so that two certbots' rows can be compared.
    """
    text = re.sub(r"\(certbot; .*?\) (?=Authenticator/)", "(certbot; <os>) ", text)
    text = re.sub(r"Pebble \S+ \(", "Pebble <version> (", text)
    return _VERSION.sub("<version>", text)


def pebble_version() -> str:
    """The version of Debian's pebble package, or ``"(unknown version)"``."""
    try:
        out = subprocess.run(
            ["dpkg-query", "-W", "-f", "${Version}", "pebble"],
            capture_output=True,
            text=True,
            check=True,
            timeout=30,
        )
    except (OSError, subprocess.SubprocessError):
        return "(unknown version)"
    return out.stdout.strip() or "(unknown version)"


def generate(targets: Dict[str, Path], workdir: Path) -> Tuple[str, List[TargetRun]]:
    """Collect from every target (in parallel, one Pebble each) and render the file."""
    names = [n for n in ("pypi", "debian") if n in targets] + [
        n for n in targets if n not in ("pypi", "debian")
    ]
    with ThreadPoolExecutor(max_workers=len(names)) as pool:
        futures = [pool.submit(collect, n, targets[n], workdir / n) for n in names]
        runs = [f.result() for f in futures]
    return render(runs, pebble_version()), runs


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--check",
        action="store_true",
        help="exit 1 if the checked-in file differs (versions aside)",
    )
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    targets = harness.target_specs()
    workdir = Path(tempfile.mkdtemp(prefix="certbot-privacy-docs-"))
    try:
        text, _runs = generate(targets, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    if not args.check:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(text, encoding="utf-8")
        print(f"wrote {args.output}")
        return 0
    current = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
    fresh, old = (normalise_versions(t) for t in (text, current))
    if fresh == old:
        print(f"{args.output} is current")
        return 0
    sys.stdout.writelines(
        difflib.unified_diff(
            old.splitlines(keepends=True),
            fresh.splitlines(keepends=True),
            str(args.output),
            "fresh run",
        )
    )
    print(f"\n{args.output} is out of date: run {Path(__file__).name} to regenerate it")
    return 1


if __name__ == "__main__":
    sys.exit(main())
