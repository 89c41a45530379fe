"""What auditing a big disclosure log costs: ``report`` against jq, ``verify`` against sha256sum.

    .venv/bin/python benchmarks/bench_audit.py                  # a 1 GB log
    .venv/bin/python benchmarks/bench_audit.py --size-mb 50     # a quick run
    .venv/bin/python benchmarks/bench_audit.py --bombs          # and hostile inputs
    .venv/bin/python benchmarks/bench_audit.py --fleet-hosts 10000  # a fleet (only)

1. Generate (once; kept in ``--workdir`` and reused) a realistic log: a hosting server
   whose certbot manages ``--lineages`` certificates for accounts at several CAs, in
   privacy mode, for as many days as it takes to reach ``--size-mb``. Every day the
   distribution's timer runs ``certbot renew`` twice, which asks the CA's ARI endpoint
   about each lineage; a lineage renews every 60 days (directory, nonce, order, one
   authorization and challenge per name, finalize, polls, download), some POSTs meet a
   badNonce and are retried, a few sends fail, ``certbot certificates`` sends an OCSP
   request per lineage once a week, and new accounts register (some with a contact,
   after a recorded consent, and a few subscribe to the EFF). Records are built with
   :mod:`certbot_privacy._internal.log.records` from real ACME bodies (signed with josepy, as acme
   signs them); each new certificate gets its own key digest and serial in the records.
   They are serialised and chained exactly as :class:`~certbot_privacy._internal.log.writer.
   DisclosureLog` writes them (checked below against the real writer, byte for byte)
   but without its per-record lock and fsync, which would make 1 GB take hours.
2. Side by side, on the same file, page cache warm for both:
   * ``certbot-privacy report --format json`` vs :data:`JQ_PROGRAM`, a jq program that
     computes the same summary (per recipient, category and distinct value: count,
     first, last, privacy off); the two results are compared, and must agree;
   * ``certbot-privacy verify`` vs ``sha256sum``.
   * both against ``sha256sum`` of the same bytes (the cost of just reading and
     hashing them), and ``report`` over the same log cut into ``--hosts`` files of a
     fleet (``hosts/HOST/disclosure.jsonl``).
3. Print the wall and CPU times, the ratios and the peak memory of each command: the
   peak of the sum of the RSS of the command's whole process tree (``report`` and
   ``verify`` fork one worker per core), sampled every 20 ms from ``/proc``, beside GNU
   time's maximum RSS of the largest single process.
4. With ``--bombs``: inputs meant to exhaust memory, each through ``report`` and
   ``verify``: a 255 KB ``.gz`` that expands to one 256 MiB line, and a 2 GiB line
   (gzip-compressed too, to spare the disk); their peak memory and exit status.

5. With ``--fleet-hosts N`` (instead of the above): a fleet of N hosts, one log each, a
   year of renewals at 90-, 45- and 6-day certificate lifetimes (see ``_fleet.py``),
   generated once into ``--workdir``; ``report --by host`` (the table, and each format of
   ``--formats``) and ``export --art30`` over its directory against ``cat`` of every file
   into ``sha256sum``: wall and CPU time, the ratio, and the whole process tree's peak
   memory.

Targets (issue 11): report within 3x the time of sha256sum (and >= 3x faster than jq),
verify within 1.5x of sha256sum, and the peak memory of both under 150 MiB whatever the
input. Issue 20: report within 2x and verify within 1x of sha256sum on the 1 GB log; on a
fleet of 10,000 hosts, ``report --by host`` and ``export --art30`` under 150 MiB.
"""

import argparse
import gzip
import hashlib
import itertools
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

from acme import jws as acme_jws
from acme import messages
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from josepy.jwa import ES256, RS256
from josepy.jwk import JWK, JWKEC, JWKRSA
from josepy.jws import JWS

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from certbot_privacy._internal.log import chain, classify, records, schema  # noqa: E402
from certbot_privacy._internal.log.writer import DisclosureLog  # noqa: E402
from certbot_privacy._internal.rules import urls  # noqa: E402

GENERATOR_VERSION = 1
FLEET_GENERATOR_VERSION = 1
GNU_TIME = "/usr/bin/time"
DAY = 86400.0
START = 1704067200.0  # 2024-01-01T00:00:00Z

#: The same summary as ``certbot-privacy report --format json``, in jq: for every request
#: record, per recipient, category and distinct value (labelled as the report labels
#: values), the count, first and last time and how often privacy mode was off. One pass
#: over the input (``-n`` with ``inputs``), streaming. Of the ways to write the update
#: that were tried with jq 1.6 (``=`` with the old value, ``|=``, ``setpath``/``getpath``,
#: one flat object, one reduce over all paths), ``setpath``/``getpath`` was the fastest,
#: so that is the one measured.
JQ_PROGRAM = r"""
def value_label($category):
  if type == "string" then
    (if $category == "ip_address" and . == $implicit then $implicit_label else . end)
  elif type == "object" and $category == "account_key" and (.thumbprint | type) == "string"
  then ([.jwk.kty, .jwk.crv] | map(select(type == "string")) | join(" ")) as $kind
    | if $kind == "" then "thumbprint \(.thumbprint)"
      else "\($kind) key, thumbprint \(.thumbprint)" end
  elif type == "object" and $category == "csr_public_key" and (.spki_sha256 | type) == "string"
  then ([.key_type, .key_size, .curve] | map(select(. != null) | tostring) | join(" ")) as $k
    | "\($k) key, SPKI sha256 \(.spki_sha256)"
  elif type == "object" and $category == "certificate" and (.serial | type) == "string"
  then if (.issuer | type) == "string" then "serial \(.serial), issuer \(.issuer)"
    elif (.authority_key_id | type) == "string" then "serial \(.serial), AKI \(.authority_key_id)"
    elif (.issuer_key_hash | type) == "string"
    then "serial \(.serial), issuer key hash \(.issuer_key_hash)"
    else "serial \(.serial)" end
  else tojson end;

def count($t; $off):
  if . == null then {count: 1, first: $t, last: $t, privacy_off: $off}
  else {count: (.count + 1),
        first: (if $t < .first then $t else .first end),
        last: (if $t > .last then $t else .last end),
        privacy_off: (.privacy_off + $off)} end;

reduce (inputs | select(type == "object" and .event == "request")) as $r ({};
  $r.time as $t | $r.recipient as $to
  | (if $r.privacy_mode == false then 1 else 0 end) as $off
  | setpath([$to, "requests"]; getpath([$to, "requests"]) | count($t; $off))
  | reduce ($r.personal_data | to_entries[] | .key as $c | .value[]
            | [$to, "values", $c, value_label($c)]) as $p
      (.; setpath($p; getpath($p) | count($t; $off))))
"""

CAS = (  # (directory URL, share of the lineages)
    ("https://acme-v02.api.letsencrypt.org/directory", 0.80),
    ("https://acme.zerossl.com/v2/DV90", 0.10),
    ("https://api.buypass.com/acme/directory", 0.05),
    ("https://dv.acme-v02.api.pki.goog/directory", 0.05),
)
USER_AGENT = "CertbotACMEClient/5.8.0 python-requests/2.32.3"
CONSENT_TEXT = (
    "Account contact email: optional\n\nAn email address is optional: certificates are "
    "issued and renewed without one. If you answer no, no email address is sent and the "
    "account has no contact.\nIf you answer yes, {email} is sent to the certificate "
    "authority below as the account contact.\n\nRecipient: {host}\nACME directory: {url}\n"
    "What it says about contact emails: see its privacy policy.\n\nShare it? [y/N]"
)


def _base(url: str) -> str:
    return urls.origin(url)


def _sign(key: JWK, url: str, payload: bytes, kid: Optional[str] = None) -> bytes:
    alg = RS256 if isinstance(key, JWKRSA) else ES256
    nonce = os.urandom(16)
    signed: JWS = acme_jws.JWS.sign(payload, key=key, alg=alg, nonce=nonce, url=url, kid=kid)
    return signed.json_dumps(indent=2).encode()


def _headers(url: str, body: bytes, method: str) -> Dict[str, str]:
    headers = {
        "Host": urls.host_header(url),
        "User-Agent": USER_AGENT,
        "Accept-Encoding": "gzip, deflate",
        "Accept": "*/*",
        "Connection": "keep-alive",
    }
    if body:
        headers["Content-Type"] = "application/jose+json"
        headers["Content-Length"] = str(len(body))
    elif method in ("POST", "PUT"):
        headers["Content-Length"] = "0"
    return headers


def _request(method: str, url: str, body: bytes, directory: str) -> Dict[str, Any]:
    """A request record template (its time is set when it is written)."""
    return records.request_record(
        method=method,
        url=url,
        headers=_headers(url, body, method),
        body=body,
        recipient=classify.recipient_for(url, {}, [directory]),
        when=START,
        implicit_headers=["Host"],
    )


@dataclass
class Account:
    """An ACME account of the server at one CA."""

    directory: str
    key: JWK
    url: str
    email: Optional[str]
    eff: bool
    registered: bool = False


@dataclass
class Lineage:
    """One certificate lineage: its names, account, and the record templates of its flows."""

    names: Tuple[str, ...]
    account: Account
    offset: float
    due: int
    templates: Dict[str, Any] = field(default_factory=dict)
    cycle: int = 0


def _make_accounts(rng: random.Random, count: int) -> List[Account]:
    accounts = []
    for index in range(count):
        directory = rng.choices([url for url, _ in CAS], [w for _, w in CAS])[0]
        key: JWK = (
            JWKRSA(key=rsa.generate_private_key(65537, 2048))
            if index % 4 == 0
            else JWKEC(key=ec.generate_private_key(ec.SECP256R1()))
        )
        email = f"hostmaster+{index}@example-hosting.net" if rng.random() < 0.6 else None
        accounts.append(
            Account(
                directory,
                key,
                f"{_base(directory)}/acme/acct/{10**8 + index}",
                email,
                eff=email is not None and rng.random() < 0.1,
            )
        )
    return accounts


def _templates(lineage: Lineage) -> Dict[str, Any]:
    """Build, once, the records of one lineage's flows from real signed bodies."""
    account, names = lineage.account, lineage.names
    base, directory, kid = _base(account.directory), account.directory, account.url
    key = account.key
    t: Dict[str, Any] = {}
    t["directory"] = _request("GET", directory, b"", directory)
    t["nonce"] = _request("HEAD", f"{base}/acme/new-nonce", b"", directory)
    order = messages.NewOrder(
        identifiers=tuple(messages.Identifier(typ=messages.IDENTIFIER_FQDN, value=n) for n in names)
    )
    t["order"] = _request(
        "POST",
        f"{base}/acme/new-order",
        _sign(key, f"{base}/acme/new-order", order.json_dumps(indent=2).encode(), kid),
        directory,
    )
    t["authz"], t["challenge"] = [], []
    for i, _ in enumerate(names):
        authz = f"{base}/acme/authz-v3/{hashlib.sha256(f'{names}{i}'.encode()).hexdigest()[:12]}"
        t["authz"].append(_request("POST", authz, _sign(key, authz, b"", kid), directory))
        chall = authz.replace("authz-v3", "chall-v3") + "/Xo7dcQ"
        t["challenge"].append(_request("POST", chall, _sign(key, chall, b"{}", kid), directory))
    cert_key = ec.generate_private_key(ec.SECP256R1())
    csr = (
        x509.CertificateSigningRequestBuilder()
        .subject_name(x509.Name([]))
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName(n) for n in names]), critical=False
        )
        .sign(cert_key, hashes.SHA256())
    )
    finalize = f"{base}/acme/finalize/{kid.rsplit('/', 1)[1]}/2750{len(names)}"
    t["finalize"] = _request(
        "POST",
        finalize,
        _sign(
            key, finalize, messages.CertificateRequest(csr=csr).json_dumps(indent=2).encode(), kid
        ),
        directory,
    )
    poll = finalize.replace("finalize", "order")
    t["poll"] = _request("POST", poll, _sign(key, poll, b"", kid), directory)
    cert = f"{base}/acme/cert/04a1b2c3d4e5f60718293a4b5c6d7e8f9012"
    t["download"] = _request("POST", cert, _sign(key, cert, b"", kid), directory)
    ari = f"{base}/acme/renewal-info/kydGmAOpUWiOmNbEQkjbI79YlNI.BKGyw9Tl9gcYKTpLXG1-jxI"
    t["ari"] = _request("GET", ari, b"", directory)
    ocsp_url = "http://r11.o.lencr.org"
    ocsp_headers = {
        "Host": "r11.o.lencr.org",
        "User-Agent": USER_AGENT,
        "Content-Type": classify.OCSP_CONTENT_TYPE,
    }
    t["ocsp"] = records.request_record(
        method="POST",
        url=ocsp_url,
        headers=ocsp_headers,
        body=bytes(85),
        recipient=classify.recipient_for(ocsp_url, ocsp_headers),
        when=START,
    )
    t["ocsp"]["personal_data"]["certificate"] = [
        {
            "serial": "04a1b2c3",
            "issuer_name_hash": "a" * 40,
            "issuer_key_hash": "b" * 40,
            "hash_algorithm": "sha1",
        }
    ]
    if account.email is not None:
        registration = messages.NewRegistration.from_data(
            email=account.email, terms_of_service_agreed=True
        )
        body = _sign(key, f"{base}/acme/new-acct", registration.json_dumps(indent=2).encode())
    else:
        body = _sign(
            key,
            f"{base}/acme/new-acct",
            messages.NewRegistration.from_data(terms_of_service_agreed=True)
            .json_dumps(indent=2)
            .encode(),
        )
    t["new_account"] = _request("POST", f"{base}/acme/new-acct", body, directory)
    return t


class Chain:
    """Serialises and chains records exactly as DisclosureLog does, without lock or fsync."""

    def __init__(self, handle: Any) -> None:
        self.handle = handle
        self.seq = 0
        self.prev = chain.GENESIS
        self.size = 0

    def append(self, record: Dict[str, Any]) -> int:
        entry: Dict[str, Any] = {"schema": record.get("schema", 1), "seq": self.seq}
        entry.update(
            (k, v)
            for k, v in record.items()
            if k not in ("schema", "seq", "prev", "truncated_tail")
        )
        entry["prev"] = self.prev
        line = json.dumps(entry, separators=(",", ":"), ensure_ascii=True).encode("ascii")
        self.handle.write(line + b"\n")
        self.prev = chain.digest(line)
        self.size += len(line) + 1
        self.seq += 1
        return self.seq - 1


def _at(template: Dict[str, Any], when: float, **changes: Any) -> Dict[str, Any]:
    record = dict(template, time=schema.rfc3339(when))
    record.update(changes)
    return record


def _exchange(
    log: Chain,
    template: Dict[str, Any],
    when: float,
    rng: random.Random,
    status: int = 200,
    personal: Optional[Dict[str, Any]] = None,
) -> None:
    """One request and what came of it (rarely a failed send, sometimes a badNonce)."""
    changes = {"personal_data": personal} if personal is not None else {}
    seq = log.append(_at(template, when, **changes))
    common = {
        "recipient": template["recipient"],
        "method": template["method"],
        "url": template["url"],
    }
    if rng.random() < 0.001:
        log.append(
            records.error_record(
                request_seq=seq,
                error="Read timed out. (read timeout=45)",
                when=when + 45,
                **common,
                error_type="ReadTimeout",
            )
        )
        return
    if template["method"] == "POST" and rng.random() < 0.01:
        log.append(
            records.response_record(
                request_seq=seq,
                status=400,
                when=when + 0.05,
                reason="Bad Request",
                extra={"problem_type": "urn:ietf:params:acme:error:badNonce"},
                **common,
            )
        )
        seq = log.append(_at(template, when + 0.1, **changes))
    log.append(
        records.response_record(
            request_seq=seq,
            status=status,
            when=when + 0.08,
            reason="OK" if status == 200 else "Created",
            **common,
        )
    )


def _with_values(template: Dict[str, Any], **values: List[Any]) -> Dict[str, Any]:
    personal = dict(template["personal_data"])
    personal.update(values)
    return personal


def _renew(log: Chain, lineage: Lineage, when: float, rng: random.Random) -> None:
    t = lineage.templates
    lineage.cycle += 1
    digest = hashlib.sha256(f"{lineage.names}{lineage.cycle}".encode()).hexdigest()
    _exchange(log, t["directory"], when, rng)
    _exchange(log, t["nonce"], when + 0.2, rng)
    _exchange(log, t["order"], when + 0.4, rng, status=201)
    step = when + 0.6
    for authz, challenge in zip(t["authz"], t["challenge"]):
        _exchange(log, authz, step, rng)
        _exchange(log, challenge, step + 0.2, rng)
        _exchange(log, authz, step + 2.5, rng)
        step += 3
    key = dict(t["finalize"]["personal_data"]["csr_public_key"][0], spki_sha256=digest)
    _exchange(
        log, t["finalize"], step, rng, personal=_with_values(t["finalize"], csr_public_key=[key])
    )
    _exchange(log, t["poll"], step + 1, rng)
    _exchange(log, t["download"], step + 1.5, rng)


def _check(log: Chain, lineage: Lineage, when: float, rng: random.Random, kind: str) -> None:
    template = lineage.templates[kind]
    serial = hashlib.sha256(f"{lineage.names}{lineage.cycle}".encode()).hexdigest()[:36]
    certificate = [dict(template["personal_data"]["certificate"][0], serial=serial)]
    _exchange(log, template, when, rng, personal=_with_values(template, certificate=certificate))


def _register(
    log: Chain, account: Account, lineage: Lineage, when: float, rng: random.Random
) -> None:
    if account.email is not None:
        log.append(
            records.consent_record(
                purpose="share_email",
                granted=True,
                recipient=account.directory,
                when=when,
                values=[account.email],
                how="prompt",
                text=CONSENT_TEXT.format(
                    email=account.email, host=_base(account.directory), url=account.directory
                ),
            )
        )
    _exchange(log, lineage.templates["new_account"], when + 1, rng, status=201)
    if account.eff:
        body = (
            f"data_type=json&email={account.email}&form_id=eff_supporters_library_subscribe_form"
        ).encode()
        eff = records.request_record(
            method="POST",
            url="https://supporters.eff.org/subscribe/certbot",
            headers={"User-Agent": USER_AGENT, "Content-Type": "application/x-www-form-urlencoded"},
            body=body,
            recipient=classify.EFF_RECIPIENT,
            when=when + 2,
        )
        _exchange(log, eff, when + 2, rng)
    account.registered = True


def _fleet(rng: random.Random, lineages: int) -> List[Lineage]:
    accounts = _make_accounts(rng, max(4, lineages // 50))
    fleet = []
    for index in range(lineages):
        names = tuple(
            f"{prefix}site{index}.example-customer{index % 97}.com"
            for prefix in ("", "www.", "shop.")[: rng.choice((1, 2, 2, 3))]
        )
        lineage = Lineage(
            names, rng.choice(accounts), offset=rng.uniform(0, 3600), due=rng.randrange(0, 60)
        )
        lineage.templates = _templates(lineage)
        fleet.append(lineage)
    fleet.sort(key=lambda lineage: lineage.offset)
    return fleet


def generate(path: Path, size_mb: int, lineages: int, seed: int) -> Dict[str, Any]:
    """Write the log to *path*; return what it holds."""
    rng = random.Random(seed)
    fleet = _fleet(rng, lineages)
    target = size_mb * 1024 * 1024
    days = 0
    with path.open("wb", buffering=1024 * 1024) as handle:
        log = Chain(handle)
        for day in itertools.count():
            days = day + 1
            for run in (0, 1):  # the renew timer, twice a day
                for lineage in fleet:
                    when = START + day * DAY + run * DAY / 2 + lineage.offset
                    account = lineage.account
                    if not account.registered:
                        _register(log, account, lineage, when - 5, rng)
                    if run == 0 and day >= lineage.due:
                        _renew(log, lineage, when, rng)
                        lineage.due = day + 60
                    else:
                        _check(log, lineage, when, rng, "ari")
                    if run == 0 and day % 7 == lineage.due % 7:
                        _check(log, lineage, when + 30, rng, "ocsp")
                    if log.size >= target:
                        return {
                            "records": log.seq,
                            "bytes": log.size,
                            "days": days,
                            "lineages": lineages,
                        }
    raise AssertionError("not reached")


def check_against_writer(workdir: Path) -> None:
    """The generator's lines are byte for byte what the real writer writes."""
    rng = random.Random(7)
    lineage = _fleet(rng, 1)[0]
    sample = [
        _at(lineage.templates[k], START + i)
        for i, k in enumerate(("directory", "nonce", "order", "finalize", "ari", "ocsp"))
    ]
    ours, theirs = workdir / "sample-chain.jsonl", workdir / "sample-writer.jsonl"
    for path in (ours, theirs):
        if path.exists():
            path.unlink()
    with ours.open("wb") as handle:
        log = Chain(handle)
        for record in sample:
            log.append(record)
    writer = DisclosureLog(theirs)
    for record in sample:
        writer.append(record)
    if ours.read_bytes() != theirs.read_bytes():
        raise SystemExit("the generator does not write what DisclosureLog writes: fix Chain")
    ours.unlink()
    theirs.unlink()


# --- measuring ------------------------------------------------------------------------


@dataclass
class Run:
    seconds: float
    max_rss_mib: float
    code: int
    cpu_seconds: float = 0.0
    tree_rss_mib: float = 0.0
    stderr: str = ""


def _tree_rss_kib(root: int) -> int:
    """The summed RSS of process *root* and all its descendants, from /proc."""
    children: Dict[int, List[int]] = {}
    rss: Dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as handle:
                fields = handle.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        pid, ppid = int(entry), int(fields[1])
        children.setdefault(ppid, []).append(pid)
        rss[pid] = int(fields[21]) * (os.sysconf("SC_PAGE_SIZE") // 1024)
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        todo.extend(children.get(pid, ()))
    return total


def measure(argv: Sequence[str], stdout: Optional[Path] = None) -> Run:
    """Run *argv*: its wall and CPU time, GNU time's peak RSS (``%M``, the largest single
    process) and the peak of its process tree's summed RSS, sampled every 20 ms.

    (The rusage of a child forked from this Python process would count the parent's
    memory, copied at fork, as the child's; GNU time's own child starts from a small
    process. GNU time itself is a few hundred KiB of the tree's sum.)
    """
    with tempfile.NamedTemporaryFile("r", suffix=".time") as stats:
        out = stdout.open("wb") if stdout is not None else subprocess.DEVNULL
        peak = 0
        try:
            start = time.perf_counter()
            process = subprocess.Popen(
                [GNU_TIME, "-f", "%M %U %S", "-o", stats.name, *argv],
                stdout=out,
                stderr=subprocess.PIPE,
            )
            while process.poll() is None:
                peak = max(peak, _tree_rss_kib(process.pid))
                time.sleep(0.02)
            seconds = time.perf_counter() - start
            error = process.stderr.read() if process.stderr else b""
            if process.stderr:
                process.stderr.close()
        finally:
            if stdout is not None:
                out.close()  # type: ignore[union-attr]
        max_rss_kib, user, system = stats.read().strip().splitlines()[-1].split()
    return Run(
        seconds,
        int(max_rss_kib) / 1024,
        process.returncode,
        float(user) + float(system),
        peak / 1024,
        error.decode(errors="replace"),
    )


def _ours(*args: str) -> List[str]:
    return [
        sys.executable,
        "-c",
        "import sys; from certbot_privacy._internal.audit.cli import main; sys.exit(main())",
        *args,
    ]


def _normalised_ours(path: Path) -> Dict[str, Any]:
    document = json.loads(path.read_text(encoding="utf-8"))
    result: Dict[str, Any] = {}
    for r in document["recipients"]:
        result[r["recipient"]] = {
            "requests": [r["requests"], r["first"], r["last"], r["privacy_off"]],
            "values": {
                c["category"]: {
                    v["value"]: [v["count"], v["first"], v["last"], v["privacy_off"]]
                    for v in c["values"]
                }
                for c in r["categories"]
            },
        }
    return result


def _normalised_jq(path: Path) -> Dict[str, Any]:
    document = json.loads(path.read_text(encoding="utf-8"))

    def row(s: Dict[str, Any]) -> List[Any]:
        return [s["count"], s["first"], s["last"], s["privacy_off"]]

    return {
        name: {
            "requests": row(r["requests"]),
            "values": {
                c: {v: row(s) for v, s in values.items()} for c, values in r["values"].items()
            },
        }
        for name, r in document.items()
    }


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size-mb", type=int, default=1024, help="size of the log (1024)")
    parser.add_argument(
        "--lineages", type=int, default=1000, help="certificates the server manages (1000)"
    )
    parser.add_argument(
        "--rounds", type=int, default=1, help="timed runs of each command, interleaved (1; medians)"
    )
    parser.add_argument(
        "--workdir",
        type=Path,
        default=Path(tempfile.gettempdir()) / "certbot-privacy-bench",
        help="where the log is generated and kept for the next run",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--regenerate", action="store_true", help="generate the log anew")
    parser.add_argument(
        "--hosts", type=int, default=50, help="files of the fleet the log is cut into (50)"
    )
    parser.add_argument(
        "--bombs", action="store_true", help="also measure memory on hostile inputs"
    )
    parser.add_argument("--skip-jq", action="store_true", help="do not run jq (minutes on 1 GB)")
    parser.add_argument(
        "--fleet-hosts",
        type=int,
        default=0,
        metavar="N",
        help="measure only a fleet of N hosts, one log each, a year of renewals (10000 for "
        "issue 20's figures: about 5 GB, generated once in a few minutes)",
    )
    parser.add_argument(
        "--formats",
        default="json,csv,markdown,html",
        metavar="LIST",
        help="with --fleet-hosts: the formats of report --by host measured besides the "
        "table (json,csv,markdown,html; '' for none)",
    )
    args = parser.parse_args(argv)
    if args.fleet_hosts:
        return fleet_benchmark(
            args.workdir,
            args.fleet_hosts,
            args.seed,
            args.rounds,
            args.regenerate,
            [f for f in args.formats.split(",") if f],
        )
    for tool, package in (("jq", "jq"), ("sha256sum", "coreutils"), (GNU_TIME, "time")):
        if shutil.which(tool) is None:
            raise SystemExit(f"{tool} is needed: apt-get install {package}")
    args.workdir.mkdir(parents=True, exist_ok=True)
    log = args.workdir / f"disclosure-{args.size_mb}mb-{args.lineages}l-s{args.seed}.jsonl"
    meta_path = log.with_suffix(".meta.json")
    meta: Dict[str, Any] = {}
    if meta_path.exists() and log.exists() and not args.regenerate:
        meta = json.loads(meta_path.read_text())
    if meta.get("generator") != GENERATOR_VERSION:
        check_against_writer(args.workdir)
        print(f"generating {log} ({args.size_mb} MiB, {args.lineages} lineages) ...", flush=True)
        start = time.perf_counter()
        meta = generate(log, args.size_mb, args.lineages, args.seed)
        meta["generator"] = GENERATOR_VERSION
        meta_path.write_text(json.dumps(meta))
        print(f"  generated in {time.perf_counter() - start:.0f} s", flush=True)
    print(
        f"log: {log}\n  {meta['bytes'] / 2**20:.0f} MiB, {meta['records']:,} records, "
        f"{meta['days']} days of a server with {meta['lineages']} lineages\n",
        flush=True,
    )

    jq_file = args.workdir / "summary.jq"
    jq_file.write_text(JQ_PROGRAM)
    implicit = [
        "--arg",
        "implicit",
        classify.IMPLICIT_IP_ADDRESS,
        "--arg",
        "implicit_label",
        "this host's source address (implicit in every request)",
    ]
    ours_out, jq_out = args.workdir / "report-ours.json", args.workdir / "report-jq.json"
    fleet = _fleet_dir(log, args.workdir, args.hosts)
    commands = {
        "report": (_ours("report", "--format", "json", str(log)), ours_out),
        "jq": (["jq", "-n", "-c", *implicit, "-f", str(jq_file), str(log)], jq_out),
        "verify": (_ours("verify", str(log)), None),
        "sha256sum": (["sha256sum", str(log)], None),
        "report-fleet": (_ours("report", "--format", "json", str(fleet)), None),
        "sha256sum-fleet": (["sh", "-c", f"cat {fleet}/*/disclosure.jsonl | sha256sum"], None),
    }
    if args.skip_jq:
        del commands["jq"]
    subprocess.run(["cat", str(log)], stdout=subprocess.DEVNULL, check=True)  # warm the cache
    runs: Dict[str, List[Run]] = {name: [] for name in commands}
    for _ in range(args.rounds):
        for name, (command, out) in commands.items():
            print(f"running {name} ...", flush=True)
            run = measure(command, out)
            if run.code != 0:
                raise SystemExit(f"{name} failed with exit status {run.code}")
            runs[name].append(run)
    same = args.skip_jq or _normalised_ours(ours_out) == _normalised_jq(jq_out)

    def med(name: str) -> float:
        return statistics.median(r.seconds for r in runs[name])

    def cpu(name: str) -> float:
        return statistics.median(r.cpu_seconds for r in runs[name])

    def rss(name: str) -> float:
        return max(r.max_rss_mib for r in runs[name])

    def tree(name: str) -> float:
        return max(r.tree_rss_mib for r in runs[name])

    print(f"\ncores: {len(os.sched_getaffinity(0))}, load average: {os.getloadavg()}")
    print(f"{'command':<36}{'wall (s)':>9}{'CPU (s)':>9}{'tree RSS':>10}{'max RSS':>9}")
    for name, label in (
        ("report", "certbot-privacy report"),
        ("jq", "jq summary"),
        ("verify", "certbot-privacy verify"),
        ("sha256sum", "sha256sum"),
        ("report-fleet", f"report, {args.hosts} files of a fleet"),
        ("sha256sum-fleet", f"cat {args.hosts} files | sha256sum"),
    ):
        if name in runs:
            print(
                f"{label:<36}{med(name):>9.2f}{cpu(name):>9.2f}{tree(name):>9.0f}M"
                f"{rss(name):>8.0f}M"
            )
    print()
    if "jq" in runs:
        speedup = med("jq") / med("report")
        print(f"report vs jq:            {speedup:.1f}x faster (target >= 3x)  {_ok(speedup >= 3)}")
    for name, base, target in (
        ("report", "sha256sum", 3.0),
        ("verify", "sha256sum", 1.5),
        ("report-fleet", "sha256sum-fleet", 3.0),
    ):
        ratio = med(name) / med(base)
        print(
            f"{name + ' vs ' + base + ':':<25}{ratio:.2f}x the time (target <= {target}x)  "
            f"{_ok(ratio <= target)}"
        )
    cores = len(os.sched_getaffinity(0))
    for name, base in (("report", "sha256sum"), ("verify", "sha256sum")):
        # On a shared machine wall time drifts with the load; CPU time spread over the
        # cores the command uses (sha256sum uses one) is what an idle machine would take.
        ratio = cpu(name) / cores / cpu(base)
        print(f"{name + ' CPU per core:':<25}{ratio:.2f}x sha256sum's CPU time ({cores} cores)")
    for name in ("report", "verify", "report-fleet"):
        print(
            f"{name + ' peak memory:':<25}{tree(name):.0f} MiB, whole process tree "
            f"(target < 150 MiB)  {_ok(tree(name) < 150)}"
        )
    if not args.skip_jq:
        print(f"same summary from both: {'yes' if same else 'NO'}")
    if args.bombs:
        bombs(args.workdir)
    return 0 if same else 1


def fleet_benchmark(
    workdir: Path,
    hosts: int,
    seed: int,
    rounds: int,
    regenerate: bool,
    formats: Sequence[str] = (),
) -> int:
    """``report --by host`` (as a table, and in *formats*) and ``export --art30`` over a
    fleet of *hosts* hosts."""
    import _fleet

    root = workdir / f"fleet-{hosts}h-s{seed}"
    meta_path = root / "meta.json"
    meta: Dict[str, Any] = {}
    if meta_path.exists() and not regenerate:
        meta = json.loads(meta_path.read_text())
    if meta.get("generator") != FLEET_GENERATOR_VERSION:
        shutil.rmtree(root, ignore_errors=True)
        print(f"generating a fleet of {hosts} hosts in {root} ...", flush=True)
        start = time.perf_counter()
        meta = _fleet.generate(root, hosts, seed)
        meta["generator"] = FLEET_GENERATOR_VERSION
        meta_path.write_text(json.dumps(meta))
        print(f"  generated in {time.perf_counter() - start:.0f} s", flush=True)
    logs = root / "hosts"
    print(f"fleet: {logs}\n  {meta['hosts']:,} hosts, {meta['bytes'] / 2**20:,.0f} MiB\n")
    every_file = f"find {logs} -name disclosure.jsonl -print0 | sort -z | xargs -0 cat | sha256sum"
    commands = {
        "report --by host": _ours("report", "--by", "host", str(logs)),
        **{
            f"  --format {name}": _ours("report", "--by", "host", "--format", name, str(logs))
            for name in formats
        },
        "export --art30": _ours("export", "--art30", str(logs)),
        "cat | sha256sum": ["sh", "-c", every_file],
    }
    subprocess.run(["sh", "-c", every_file], stdout=subprocess.DEVNULL, check=True)  # warm
    runs: Dict[str, List[Run]] = {name: [] for name in commands}
    for _ in range(rounds):
        for name, command in commands.items():
            print(f"running {name} ...", flush=True)
            run = measure(command)
            if run.code != 0:
                raise SystemExit(f"{name} failed with exit status {run.code}: {run.stderr}")
            runs[name].append(run)
    base = statistics.median(r.seconds for r in runs["cat | sha256sum"])
    print(f"\ncores: {len(os.sched_getaffinity(0))}, load average: {os.getloadavg()}")
    print(f"{'command':<24}{'wall (s)':>9}{'CPU (s)':>9}{'vs sha256':>10}{'tree RSS':>10}")
    missed = False
    for name, done in runs.items():
        wall = statistics.median(r.seconds for r in done)
        tree = max(r.tree_rss_mib for r in done)
        cpu = statistics.median(r.cpu_seconds for r in done)
        verdict = "" if name.startswith("cat") else "  " + _ok(tree < 150)
        missed = missed or (verdict != "" and tree >= 150)
        print(f"{name:<24}{wall:>9.2f}{cpu:>9.2f}{wall / base:>9.2f}x{tree:>9.0f}M{verdict}")
    print("target: peak memory (whole process tree) < 150 MiB")
    return 1 if missed else 0


def _ok(good: bool) -> str:
    return "OK" if good else "MISSED"


def _fleet_dir(log: Path, workdir: Path, hosts: int) -> Path:
    """The log cut into *hosts* files, ``fleet/hostNN/disclosure.jsonl`` (made once)."""
    root = workdir / f"fleet-{log.stem}-{hosts}"
    if root.exists():
        return root
    size = log.stat().st_size
    with log.open("rb") as handle:
        for index in range(hosts):
            host = root / f"host{index:02d}"
            host.mkdir(parents=True)
            with (host / "disclosure.jsonl").open("wb") as out:
                written = 0
                while written < size // hosts or index == hosts - 1:
                    line = handle.readline()
                    if not line:
                        break
                    out.write(line)
                    written += len(line)
    return root


def _gzip_line(path: Path, size: int) -> Path:
    """A gzip file holding one line of *size* bytes (it starts like a record), made once."""
    if path.exists():
        return path
    head = b'{"schema":1,"seq":0,"x":"'
    chunk = b"A" * (1 << 20)
    with gzip.open(path, "wb", compresslevel=9) as out:
        out.write(head)
        left = size - len(head) - 1
        while left > 0:
            out.write(chunk[: min(left, len(chunk))])
            left -= len(chunk)
        out.write(b"\n")
    return path


def bombs(workdir: Path) -> None:
    """Peak memory of report and verify on inputs meant to exhaust it."""
    cases = (
        ("256 MiB line in a .gz", _gzip_line(workdir / "bomb-256mib.jsonl.gz", 256 << 20)),
        ("2 GiB line (gzip)", _gzip_line(workdir / "bomb-2gib.jsonl.gz", 2 << 30)),
    )
    print("\nhostile inputs:")
    print(f"{'input':<24}{'on disk':>10}  {'command':<8}{'wall (s)':>9}{'tree RSS':>10}  exit")
    for label, path in cases:
        for command in ("report", "verify"):
            run = measure(_ours(command, str(path)))
            print(
                f"{label:<24}{path.stat().st_size / 1024:>8.0f}KB  {command:<8}"
                f"{run.seconds:>9.1f}{run.tree_rss_mib:>9.0f}M  {run.code}  "
                f"{_ok(run.tree_rss_mib < 150 and run.code in (0, 1))}"
            )


if __name__ == "__main__":
    sys.exit(main())
