"""Rotated files of one log, checked as a sequence: none missing, doubled or out of place (pure).

Each file of a log is a chain of its own (``seq`` from 0), so that it verifies alone. When
the writer starts a new file next to a rotated one, the new file's first record names the
rotated file's head (the digest of its last line) in ``predecessor``
(:mod:`certbot_privacy._internal.log.writer`). :func:`link` takes the verdicts of
:func:`certbot_privacy._internal.audit.verify.verify`, groups the files of each log (directory and
live file name: ``disclosure.jsonl``, ``disclosure.jsonl.1``, ``...2.gz``), oldest
first as they are read, and gives a file a failure when:

* ``duplicated-file``: it holds the same records as an earlier file (a copy);
* ``reordered-file``: its predecessor is a file read after it, or not the one before it;
* ``missing-file``: its predecessor is none of the files read: a rotated file between
  the two was deleted.

The oldest file's predecessor being absent is not a failure: logrotate deletes the
oldest rotations by design (``rotate N``), and a log older than this check names none.
What stays undetectable is in ``docs/rotation.rst``.
"""

import dataclasses
from typing import Dict, List, Sequence, Tuple

from certbot_privacy._internal.audit.chaincheck import FileVerdict, Finding, Kind
from certbot_privacy._internal.log import reader


def link(verdicts: Sequence[FileVerdict]) -> Tuple[FileVerdict, ...]:
    """Return *verdicts* with a failure for each file out of its log's sequence."""
    result = list(verdicts)
    groups: Dict[Tuple[str, str], List[int]] = {}
    seen = set()
    for index, verdict in enumerate(result):
        key = reader.series(verdict.source)
        if key is not None and verdict.source not in seen:  # a file named twice: once
            seen.add(verdict.source)
            groups.setdefault(key, []).append(index)
    for indexes in groups.values():
        if len(indexes) > 1:
            _check_series(result, indexes)
    return tuple(result)


def _check_series(result: List[FileVerdict], indexes: List[int]) -> None:
    files = [result[i] for i in indexes]
    earlier: Dict[Tuple[str, int], FileVerdict] = {}
    kept: List[FileVerdict] = []  # the files that are not copies, in order
    for position, verdict in enumerate(files):
        key = (verdict.head, verdict.records)
        if verdict.records and key in earlier:
            _fail(
                result,
                indexes[position],
                Kind.DUPLICATED_FILE,
                f"{verdict.source} is a copy of {earlier[key].source} (same records, same head)",
            )
            continue
        earlier.setdefault(key, verdict)
        kept.append(verdict)
    heads = {v.head: n for n, v in enumerate(kept) if v.records}
    for n, verdict in enumerate(kept):
        named = verdict.predecessor
        if n == 0 or named is None or verdict.failure is not None:
            continue
        before = kept[n - 1]
        if named == before.head:
            continue
        index = indexes[files.index(verdict)]
        found = heads.get(named)
        if found is None:
            _fail(
                result,
                index,
                Kind.MISSING_FILE,
                f"a rotated file is missing before {verdict.source}: its first record "
                f"follows a file whose head is {named}, and {before.source}, read before "
                f"it, ends with {before.head}",
            )
        else:
            _fail(
                result,
                index,
                Kind.REORDERED_FILE,
                f"{verdict.source} follows {kept[found].source} (its first record says "
                f"so), not {before.source}: the rotated files were renamed out of order",
            )


def _fail(result: List[FileVerdict], index: int, kind: Kind, message: str) -> None:
    verdict = result[index]
    if verdict.failure is None:
        finding = Finding(verdict.source, 1, kind, message)
        result[index] = dataclasses.replace(verdict, failure=finding)
