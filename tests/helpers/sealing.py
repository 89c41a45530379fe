"""What an attacker who took the host does to a sealed log, for the sealing tests.

Each function edits a log file as root could: rewriting lines and recomputing the hash
chain, and making seals with the key the host holds now (from its ``seal.json``), with the
package's own MAC code (an attacker has the code).
"""

import json
import re
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional

from certbot_privacy._internal.log import chain, schema, seal

KEY_RE = re.compile(r"cpseal1-[0-9a-f]+-[0-9a-f]+")


def verify_key(output: str) -> str:
    """The verification key in ``seal setup``'s output."""
    found = KEY_RE.search(output)
    assert found is not None, output
    return found.group(0)


def records(path: Path) -> List[Dict[str, Any]]:
    """The records of a log file, parsed."""
    return [json.loads(line) for line in path.read_bytes().splitlines()]


def rewrite(path: Path, change: Callable[[List[Dict[str, Any]]], List[Dict[str, Any]]]) -> None:
    """Replace the records of *path* with ``change(records)``, recomputing every ``prev``
    and ``seq`` (what root does to hide an edit from the hash chain)."""
    entries = change(records(path))
    prev, lines = chain.GENESIS, []
    for seq, entry in enumerate(entries):
        entry = {k: v for k, v in entry.items() if k not in ("seq", "prev")}
        entry = {"schema": entry.pop("schema", 1), "seq": seq, **entry}
        if entry.get("event") == "seal" and "_key" in entry:
            key = entry.pop("_key")
            entry.pop("mac", None)
            entry["mac"] = seal.mac(key, {**entry, "prev": prev})
        entry["prev"] = prev
        line = schema.serialise(entry)
        lines.append(line)
        prev = chain.digest(line.encode("ascii"))
    path.write_bytes("".join(line + "\n" for line in lines).encode("ascii"))


def forged_seal(
    key: bytes,
    epoch: int,
    time: str,
    previous: Optional[str],
    first: int = 0,
    last: int = 0,
) -> Dict[str, Any]:
    """A seal record to be made (by :func:`rewrite`) under *key*, claiming *epoch*."""
    return {
        "schema": 1,
        "time": time,
        "event": "seal",
        "recipient": "local",
        "epoch": epoch,
        "first": first,
        "last": last,
        "previous_seal": previous,
        "_key": key,
    }


def host_key(config_dir: Path) -> tuple[int, bytes]:
    """The epoch and key the host holds now (what a thief of the host learns)."""
    state = json.loads((config_dir / "certbot-privacy" / "seal.json").read_text())
    return int(state["epoch"]), bytes.fromhex(state["key"])
