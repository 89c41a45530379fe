"""The CA facts file: valid against its schema, every quote verbatim in a committed snapshot.

The facts (``certbot_privacy/_internal/rules/cas.json``) quote CA documents. Each ``policy_quote``
and ``announcement``, its excerpt and every localized quote must appear word for word in the
snapshot its source names, under ``tests/data/ca-sources/`` (see the README there for each
snapshot's URL and date), modulo whitespace and Markdown; "[…]" marks an omission and the parts must
appear in order. Snapshots under ``excerpts/`` have a header (URL, dates, how read) above a marker
line; only the text below it counts.
"""

import copy
import json
import re
import unicodedata
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Tuple

import jsonschema
import pytest

from certbot_privacy._internal.rules import cas, facts_file

SOURCES = Path(__file__).resolve().parents[1] / "data" / "ca-sources"
EXCERPT_MARK = "==== verbatim excerpt below ===="
OMISSION = "[…]"
_CJK = "\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef"

FACTS: Dict[str, Any] = facts_file.read_json(cas.FACTS_FILE)
SCHEMA: Dict[str, Any] = facts_file.read_json(cas.SCHEMA_FILE)
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)


def normalize(text: str) -> str:
    """Fold what the comparison ignores: Markdown, HTML tags, whitespace (none between CJK)."""
    folded = unicodedata.normalize("NFC", text)
    folded = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", folded)
    folded = re.sub(r"<[^>]+>", " ", folded)
    folded = re.sub(r"(?m)^[ \t]*(?:[-*+\u2022]|\d+\.|#{1,6}|>)[ \t]+", " ", folded)
    folded = folded.replace("**", "").replace("__", "").replace("`", "")
    folded = re.sub(r"\s+", " ", folded)
    folded = re.sub(rf" (?=[{_CJK}])|(?<=[{_CJK}]) ", "", folded)
    return folded.strip()


def quote_found(quote: str, haystack: str) -> bool:
    """Whether each part of *quote* between omission marks occurs in *haystack*, in order."""
    position = 0
    for part in quote.split(OMISSION):
        needle = normalize(part)
        if not needle:
            continue
        found = haystack.find(needle, position)
        if found < 0:
            return False
        position = found + len(needle)
    return True


def _snapshot(name: str) -> str:
    raw = (SOURCES / name).read_text(encoding="utf-8")
    return normalize(raw.split(EXCERPT_MARK, 1)[1] if EXCERPT_MARK in raw else raw)


def _entries() -> Iterator[Tuple[str, Dict[str, Any]]]:
    for entry in FACTS["cas"]:
        yield entry["key"], entry
    for other in FACTS["other_recipients"]:
        yield other["key"], other


def _quotes() -> Iterator[Tuple[str, str, Dict[str, Any]]]:
    """(label, quoted text, source) for every verbatim text the facts hold."""
    for key, entry in _entries():
        for statement in entry["statements"]:
            label = f"{key}/{statement['id']}"
            if statement["kind"] in cas.QUOTED_KINDS:
                yield f"{label} [{statement['lang']}]", statement["text"], statement["source"]
                if "excerpt" in statement:
                    yield f"{label} excerpt", statement["excerpt"], statement["source"]
            for item in statement.get("localized", []):
                yield f"{label} [{item['lang']}]", item["text"], item["source"]
                if "excerpt" in item:
                    yield f"{label} [{item['lang']}] excerpt", item["excerpt"], item["source"]


def _all_sources(node: Any) -> Iterator[Dict[str, Any]]:
    if isinstance(node, dict):
        if {"url", "checked", "document_date", "via"} <= node.keys():
            yield node
        for value in node.values():
            yield from _all_sources(value)
    elif isinstance(node, list):
        for value in node:
            yield from _all_sources(value)


QUOTES = list(_quotes())


def test_the_schema_is_a_valid_json_schema() -> None:
    """cas.schema.json is itself a valid draft 2020-12 schema."""
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


def test_the_facts_validate_against_the_schema() -> None:
    """The shipped facts file is valid against the shipped schema."""
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in VALIDATOR.iter_errors(FACTS)]
    assert not errors, errors[:5]


def _first_statement(facts: Dict[str, Any]) -> Dict[str, Any]:
    statement: Dict[str, Any] = facts["cas"][0]["statements"][0]
    return statement


MUTATIONS: Dict[str, Callable[[Dict[str, Any]], object]] = {
    "unknown property": lambda f: f["cas"][0].update(colour="red"),
    "unverified without reason": lambda f: _first_statement(f).update(verified=False),
    "quote without snapshot": lambda f: _first_statement(f)["source"].pop("snapshot"),
    "country that is no ISO code": lambda f: f["cas"][0]["operator"].update(country="USA"),
    "escape sequence in a text": lambda f: _first_statement(f).update(text="\x1b[2Jhello"),
    "bidi override in a gloss": lambda f: f["cas"][0]["statements"][3].update(
        gloss=[{"lang": "en", "text": "a\u202eb"}]
    ),
    "terms that are no http(s) URL": lambda f: f["cas"][0]["terms_of_service"].update(
        url="javascript:alert(1)"
    ),
    "verified secondary summary": lambda f: _first_statement(f).update(kind="secondary_summary"),
    "another format version": lambda f: f.update(schema_version=2),
}


@pytest.mark.parametrize("mutation", sorted(MUTATIONS))
def test_the_schema_refuses_broken_facts(mutation: str) -> None:
    """The schema is strict: each of these changes makes the file invalid."""
    broken = copy.deepcopy(FACTS)
    MUTATIONS[mutation](broken)
    assert not VALIDATOR.is_valid(broken)


@pytest.mark.parametrize(("label", "text", "source"), QUOTES, ids=[q[0] for q in QUOTES])
def test_every_quote_is_verbatim_in_its_snapshot(
    label: str, text: str, source: Dict[str, Any]
) -> None:
    """Each quote (and excerpt) appears word for word in the snapshot of its source."""
    assert "snapshot" in source, f"{label}: a quote needs a snapshot"
    assert quote_found(text, _snapshot(source["snapshot"])), f"{label}: {text[:80]!r}"


def test_quotes_are_checked_at_all() -> None:
    """The check covers the Let's Encrypt policy in both languages and the announcements."""
    snapshots = {source["snapshot"] for _label, _text, source in QUOTES}
    assert {
        "letsencrypt-2026/privacy-policy.en.md",
        "letsencrypt-2026/privacy-policy.zh-CN.md",
        "letsencrypt-2026/blog-2025-06-26-expiration-notification-service-has-ended.md",
        "certbot/privacy-policy.md",
    } <= snapshots
    assert len(QUOTES) >= 60


@pytest.mark.parametrize(
    "change",
    [
        lambda words: words.insert(len(words) // 2, "not"),
        lambda words: words.__setitem__(len(words) // 2, words[len(words) // 2] + "x"),
        lambda words: words.pop(len(words) // 2),
    ],
    ids=["word added", "word changed", "word dropped"],
)
def test_an_altered_quote_is_caught(change: Callable[[List[str]], object]) -> None:
    """The comparison is not vacuous: one word more, changed or less, and it fails."""
    for _label, text, source in QUOTES:
        words = text.split()
        if len(words) < 6:
            continue
        change(words)
        assert not quote_found(" ".join(words), _snapshot(source["snapshot"]))


def test_every_excerpt_is_part_of_its_text() -> None:
    """An excerpt shortens a quote; every one of its parts is in the full text."""
    for key, entry in _entries():
        for statement in entry["statements"]:
            for item in [statement, *statement.get("localized", [])]:
                if "excerpt" in item:
                    assert quote_found(item["excerpt"], normalize(item["text"])), key


def test_references_between_facts_hold() -> None:
    """Ids are unique; ended_statement and forwards_contact name statements that exist."""
    for key, entry in _entries():
        ids = [s["id"] for s in entry["statements"]]
        assert len(ids) == len(set(ids)), key
        assert not set(ids) & set(entry.get("unstated", [])), key
        ended = entry.get("ended_statement")
        assert ended is None or ended in ids, key
        for ref in (entry.get("forwards_contact") or {}).get("statements", []):
            assert ref in ids, (key, ref)


def test_dates_are_consistent() -> None:
    """No source was checked after the file's review date, no document dated after its check."""
    for source in _all_sources(FACTS):
        assert source["checked"] <= FACTS["checked"], source["url"]
        assert (source["document_date"] or "") <= source["checked"], source["url"]


def test_every_snapshot_is_used_and_documented() -> None:
    """Each snapshot is named by a fact and listed in the snapshots' README."""
    readme = (SOURCES / "README.md").read_text(encoding="utf-8")
    named = {s["snapshot"] for s in _all_sources(FACTS) if "snapshot" in s}
    for path in SOURCES.rglob("*"):
        relative = path.relative_to(SOURCES).as_posix()
        if path.is_file() and relative != "README.md":
            assert path.name in readme and relative in named, relative
    for name in named:
        assert (SOURCES / name).is_file(), name


def test_the_facts_point_at_nothing_outside_the_project() -> None:
    """No source says it was read from a path outside the repository."""
    text = json.dumps(FACTS)
    for needle in ("/work/", "shared/", "../"):
        assert needle not in text
