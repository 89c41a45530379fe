"""The record format's single owner agrees with the shipped JSON Schema and the writer."""

import json
import re
from pathlib import Path

from certbot_privacy._internal.log import schema
from certbot_privacy._internal.log.writer import DisclosureLog


def test_schema_lists_exactly_the_registry_categories() -> None:
    """record-1.json's personal_data members are the CATEGORIES registry, no more, no less."""
    properties = schema.json_schema()["$defs"]["personal_data"]["properties"]
    assert set(properties) == {category.name for category in schema.CATEGORIES}


def test_schema_lists_exactly_the_events() -> None:
    """record-1.json's event enum is schema.EVENTS."""
    document = schema.json_schema()
    assert set(document["properties"]["event"]["enum"]) == set(schema.EVENTS)


def test_category_key_orders_registry_first_then_unknown_by_name() -> None:
    """Reports show registry categories in registry order, unknown ones after, by name."""
    names = ["zeta", "ip_address", "contact", "alpha", "domain"]
    assert sorted(names, key=schema.category_key) == [
        "contact",
        "domain",
        "ip_address",
        "alpha",
        "zeta",
    ]


def test_written_lines_start_as_the_schema_says(tmp_path: Path) -> None:
    """Lines the writer writes begin with written_head(seq) and match WRITTEN_REST."""
    path = tmp_path / "d.jsonl"
    log = DisclosureLog(path)
    for _ in range(3):
        log.append(
            {
                "schema": schema.SCHEMA_VERSION,
                "time": schema.rfc3339(0),
                "event": "consent",
                "recipient": "https://ca.example/dir",
            }
        )
    for seq, line in enumerate(path.read_bytes().splitlines()):
        head = schema.written_head(seq)
        assert line.startswith(head) and line.startswith(schema.LINE_START)
        assert re.compile(schema.WRITTEN_REST).match(line, len(head))
        assert schema.serialise(json.loads(line)).encode() == line


def test_notice_lines_are_written_and_verified_like_any_record(tmp_path: Path) -> None:
    """A notice record (schema 1) starts as the schema says, and verify finds the log intact."""
    from certbot_privacy._internal.audit.source import read
    from certbot_privacy._internal.audit.verify import verify
    from certbot_privacy._internal.log import records

    path = tmp_path / "d.jsonl"
    log = DisclosureLog(path)
    log.append(
        records.notice_record(
            kind="terms_changed",
            recipient="https://ca.example/dir",
            when=0,
            **{"expected": "https://ca.example/tos/1", "announced": "https://ca.example/2"},
        )
    )
    (line,) = path.read_bytes().splitlines()
    assert re.compile(schema.WRITTEN_REST).match(line, len(schema.written_head(0)))
    report = verify(read([str(path)]), thorough=True)
    assert report.intact
