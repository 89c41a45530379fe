"""The hash chain that makes a disclosure log tamper-evident (pure).

Each record's ``prev`` field is ``sha256:`` and the hex SHA-256 digest of the previous
line's bytes, without its terminating newline; the first record's ``prev`` is the digest
of the empty string. Editing, removing, inserting or reordering a line breaks the chain
at the line after it. Writer and verifier both use this module, so they cannot disagree.
"""

from __future__ import annotations

import hashlib

PREFIX = "sha256:"


def digest(line: bytes) -> str:
    """Return the ``prev`` value that the record after *line* must carry.

    *line* is the previous line's bytes without the trailing ``\\n``.
    """
    return PREFIX + hashlib.sha256(line).hexdigest()


#: The ``prev`` of the first record in a file.
GENESIS = digest(b"")
