"""A fleet for ``bench_audit.py --fleet-hosts N``: one disclosure log per host, a year each.

Each host runs certbot in privacy mode for a year (from 2024-01-01) with one ACME account
at one CA (Let's Encrypt for most, ZeroSSL, Buypass, Google Trust Services), registered on
its first day (with a contact and a recorded consent on 30% of the hosts, an EFF
subscription on 2%), and one to three certificate lineages of one to three names each.
A lineage's certificates live 90 days (65% of them: today's Let's Encrypt, renewed every 60
days), 45 days (30%: the coming default, renewed every 30) or 6 days (5%: short-lived
certificates, renewed every 4). Each renewal is the full flow of ``bench_audit._renew``
(directory, nonce, order, an authorization and challenge per name, finalize, polls,
download, with badNonce retries and a few failed sends), preceded by the ARI request that
triggered it; each renewal has its own CSR key and certificate serial, so the distinct
values grow with the renewals, as on real hosts.

The records are built from a small pool of real signed flows (``bench_audit._templates``)
with each host's own values put into what the audit reads (``personal_data``: names,
account URL, account key, contact); the bodies stay the pool's (their size is what
matters here). certbot renew's twice-daily ARI checks repeat values already sent (they
add lines, not distinct values) and are thinned to the one before each renewal, to keep
the fleet a few GB. Hosts are written on every core, one file each:
``ROOT/hosts/HOST/disclosure.jsonl``.
"""

import random
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import bench_audit as bench

DAY = 86400.0
YEAR_DAYS = 365
#: (certificate lifetime in days, renewed every N days, share of the lineages).
LIFETIMES = ((90, 60, 0.65), (45, 30, 0.30), (6, 4, 0.05))
#: (lineages on a host, share of the hosts).
LINEAGES = ((1, 0.5), (2, 0.3), (3, 0.2))


def host_name(index: int) -> str:
    """The name of host *index* (also its directory's)."""
    return f"web{index:05d}.dc{index % 7}.example-hosting.net"


def _pool(seed: int) -> Dict[Tuple[str, int], bench.Lineage]:
    """Signed flows for each CA and number of names (made once per process)."""
    from cryptography.hazmat.primitives.asymmetric import ec
    from josepy.jwk import JWKEC

    pool: Dict[Tuple[str, int], bench.Lineage] = {}
    for number, (directory, _) in enumerate(bench.CAS):
        key = JWKEC(key=ec.generate_private_key(ec.SECP256R1()))
        account = bench.Account(
            directory, key, f"{bench._base(directory)}/acme/acct/{10**8 + number}", None, False
        )
        for count in (1, 2, 3):
            names = tuple(f"{p}pool{seed}.example" for p in ("", "www.", "shop.")[:count])
            lineage = bench.Lineage(names, account, offset=0.0, due=0)
            lineage.templates = bench._templates(lineage)
            pool[(directory, count)] = lineage
    return pool


def _personal(record: Dict[str, Any], values: Dict[str, List[Any]]) -> Dict[str, Any]:
    personal = dict(record["personal_data"])
    for category, replacement in values.items():
        if category in personal:
            personal[category] = replacement
    return dict(record, personal_data=personal)


def _host_templates(
    flows: bench.Lineage, names: Tuple[str, ...], account_url: str, thumbprint: str,
    contact: Optional[str],
) -> Dict[str, Any]:  # fmt: skip
    """The pool's flow with this host's values in ``personal_data``."""
    values: Dict[str, List[Any]] = {"domain": list(names), "account_url": [account_url]}
    templates: Dict[str, Any] = {}
    for kind, template in flows.templates.items():
        if isinstance(template, list):
            templates[kind] = [_personal(t, values) for t in template]
        else:
            templates[kind] = _personal(template, values)
    account = templates["new_account"]
    personal = dict(account["personal_data"])
    personal["account_key"] = [dict(personal["account_key"][0], thumbprint=thumbprint)]
    if contact is None:
        personal.pop("contact", None)
    else:
        personal["contact"] = [f"mailto:{contact}"]
    templates["new_account"] = dict(account, personal_data=personal)
    return templates


def _choose(rng: random.Random, table: Tuple[Tuple[Any, ...], ...]) -> Tuple[Any, ...]:
    return rng.choices(table, [row[-1] for row in table])[0]


def write_host(root: Path, index: int, pool: Dict[Tuple[str, int], bench.Lineage]) -> int:
    """Write host *index*'s log under *root*; return its size in bytes."""
    rng = random.Random(index)
    directory = rng.choices([url for url, _ in bench.CAS], [w for _, w in bench.CAS])[0]
    contact = f"hostmaster@{host_name(index)}" if rng.random() < 0.3 else None
    account = bench.Account(
        directory,
        pool[(directory, 1)].account.key,
        f"{bench._base(directory)}/acme/acct/{2 * 10**8 + index}",
        contact,
        eff=contact is not None and rng.random() < 0.07,
    )
    thumbprint = f"host{index:05d}-account-key-thumbprint-" + "x" * 8
    (count, _) = _choose(rng, LINEAGES)
    lineages: List[Tuple[bench.Lineage, int]] = []
    for n in range(count):
        names = tuple(
            f"{prefix}site{n}.customer{index:05d}.example"
            for prefix in ("", "www.", "shop.")[: rng.choice((1, 1, 2, 3))]
        )
        flows = pool[(directory, len(names))]
        _, every, _ = _choose(rng, LIFETIMES)
        lineage = bench.Lineage(names, account, offset=rng.uniform(0, 3600), due=0)
        lineage.templates = _host_templates(flows, names, account.url, thumbprint, contact)
        lineages.append((lineage, every))
    events: List[Tuple[float, int, bench.Lineage]] = []
    for lineage, every in lineages:
        day = rng.randrange(0, every)
        while day < YEAR_DAYS:
            events.append((bench.START + day * DAY + lineage.offset, id(lineage), lineage))
            day += every
    events.sort(key=lambda event: event[:2])
    path = root / "hosts" / host_name(index) / "disclosure.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb", buffering=1 << 20) as handle:
        log = bench.Chain(handle)
        first = lineages[0][0]
        bench._register(log, account, first, bench.START - 60, rng)
        for when, _, lineage in events:
            if lineage.cycle:
                bench._check(log, lineage, when - 1, rng, "ari")
            bench._renew(log, lineage, when, rng)
    return log.size


def _write_range(task: Tuple[Path, int, int, int]) -> Tuple[int, int]:
    root, start, stop, seed = task
    pool = _pool(seed)
    size = 0
    for index in range(start, stop):
        size += write_host(root, index, pool)
    return stop - start, size


def generate(root: Path, hosts: int, seed: int = 1, workers: int = 2) -> Dict[str, Any]:
    """Write the logs of *hosts* hosts under *root* on *workers* processes."""
    step = max(1, -(-hosts // (workers * 8)))
    tasks = [(root, start, min(start + step, hosts), seed) for start in range(0, hosts, step)]
    with ProcessPoolExecutor(workers) as pool:
        done = list(pool.map(_write_range, tasks))
    return {"hosts": sum(n for n, _ in done), "bytes": sum(s for _, s in done)}
