"""Forward-secure sealing (pure): evolving keys, seal MACs and the verification key's text.

A host's sealing key for epoch *i* is ``k_i``; after sealing with it the writer keeps only
``k_{i+1} = evolve(k_i)``, a one-way step, so whoever takes the host later cannot compute
an earlier epoch's key nor forge its seal. The verification key is ``k_0``: from it the
data-protection officer recomputes every epoch's key. Each seal's MAC binds its epoch, its
time, the records it covers (by the chain head: the digest of the line before it) and the
previous seal's MAC, so that a seal cannot be moved, dropped or redone under a later key
without showing. ``docs/sealing.rst`` has the design, threat model and limits.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any, Mapping, Optional

from certbot_privacy._internal.errors import InputError

#: The bytes of a sealing key.
KEY_BYTES = 32
#: How a seal's ``mac`` value begins.
MAC_PREFIX = "hmac-sha256:"
#: How the verification key's text begins (its format version).
VERIFY_KEY_PREFIX = "cpseal1-"
#: The fields of a ``seal`` record its MAC covers (``prev``: the chain head it seals;
#: ``predecessor``: the rotated file's head, when the seal is a file's first record).
MAC_FIELDS = ("epoch", "time", "first", "last", "previous_seal", "predecessor", "prev")

_EVOLVE = b"certbot-privacy seal evolve\0"


def evolve(key: bytes) -> bytes:
    """The next epoch's key: a one-way step (SHA-256 with a label), the old key not derivable."""
    return hashlib.sha256(_EVOLVE + key).digest()


def epoch_key(initial: bytes, epoch: int) -> bytes:
    """The key of *epoch*, from the initial key ``k_0`` (the verification key)."""
    key = initial
    for _ in range(epoch):
        key = evolve(key)
    return key


def mac_message(seal: Mapping[str, Any]) -> bytes:
    """The bytes a seal's MAC covers: its :data:`MAC_FIELDS`, as canonical JSON."""
    covered = {name: seal.get(name) for name in MAC_FIELDS}
    return json.dumps(covered, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def mac(key: bytes, seal: Mapping[str, Any]) -> str:
    """The ``mac`` value of *seal* under *key*."""
    return MAC_PREFIX + hmac.new(key, mac_message(seal), hashlib.sha256).hexdigest()


def mac_matches(key: bytes, seal: Mapping[str, Any]) -> bool:
    """Whether *seal*'s ``mac`` is its MAC under *key* (compared in constant time)."""
    given = seal.get("mac")
    return isinstance(given, str) and hmac.compare_digest(given, mac(key, seal))


def _checksum(key: bytes) -> str:
    return hashlib.sha256(b"certbot-privacy verify key\0" + key).hexdigest()[:8]


def encode_verify_key(initial: bytes) -> str:
    """The verification key as text to write down: prefix, hex key, a typo checksum."""
    return f"{VERIFY_KEY_PREFIX}{initial.hex()}-{_checksum(initial)}"


def decode_verify_key(text: str) -> bytes:
    """The initial key from its text; raises :class:`InputError` (one sentence) if it is not one."""
    value = text.strip()
    problem: Optional[str] = None
    key = b""
    if not value.startswith(VERIFY_KEY_PREFIX):
        problem = f"it does not begin with {VERIFY_KEY_PREFIX}"
    else:
        body, _, check = value[len(VERIFY_KEY_PREFIX) :].partition("-")
        try:
            key = bytes.fromhex(body)
        except ValueError:
            problem = "its key part is not hexadecimal"
        else:
            if len(key) != KEY_BYTES:
                problem = f"its key part is not {KEY_BYTES} bytes"
            elif check != _checksum(key):
                problem = "its checksum does not match (a typo?)"
    if problem is not None:
        raise InputError(
            f"--verify-key: this is not a verification key as seal setup printed it: "
            f"{problem}; copy it again exactly."
        )
    return key
