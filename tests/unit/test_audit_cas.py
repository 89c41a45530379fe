"""certbot-privacy cas: what is known about each CA, as text for people and JSON for tools."""

import copy
import json
from typing import Any, Dict

import jsonschema
import pytest

from certbot_privacy._internal.audit import cli
from certbot_privacy._internal.audit.formats import text
from certbot_privacy._internal.rules import cas, facts_file


def test_text_lists_every_ca_with_its_sources_and_dates(capsys: pytest.CaptureFixture[str]) -> None:
    """Every CA, its directory URL, operator, statements with kind, source, dates, verification."""
    assert cli.main(["cas"]) == 0
    out = capsys.readouterr().out
    for ca in facts_file.known_cas():
        assert ca.display_name in out and ca.directory_url in out
    for part in (
        "checked on 2026-12-03",
        "Internet Security Research Group (ISRG)",
        "privacy policy: https://letsencrypt.org/privacy/ (2026-07-06; verified)",
        "forwards the contact address to: ISRG's mailing-list system",
        "(observed practice, verified)",
        "NOT VERIFIED:",
        "Electronic Frontier Foundation",
        "https://certbot.eff.org/privacy/",
    ):
        assert part in " ".join(out.split()), part


def test_json_is_the_facts_file_valid_against_its_schema(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """--format json: the facts as shipped, valid against cas.schema.json, with its format."""
    assert cli.main(["cas", "--format", "json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["format"] == "certbot-privacy-cas/1"
    jsonschema.validate(document["facts"], facts_file.read_json(cas.SCHEMA_FILE))
    assert document["facts"] == facts_file.read_json(cas.FACTS_FILE)


def test_other_formats_are_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    """Only text and json: another format is a usage error, exit 2."""
    assert cli.main(["cas", "--format", "csv"]) == 2
    assert "invalid choice" in capsys.readouterr().err


def test_every_string_is_escaped_for_the_terminal() -> None:
    """A facts file with escapes in it (it never has: the schema forbids them) prints none."""
    data: Dict[str, Any] = copy.deepcopy(facts_file.read_json(cas.FACTS_FILE))
    entry = data["cas"][0]
    entry["display_name"] = "Evil\x1b[2J CA"
    entry["statements"][0]["text"] = "we keep \u202eforever\x07"
    entry["directory_urls"][0]["url"] = "https://ca.test/\x1b]0;x\x07dir"
    out = text.render_cas(facts_file.parse(data))
    assert not set(out) & {"\x1b", "\x07", "\u202e"}
    assert "Evil\\x1b[2J CA" in out and "\\u202eforever" in out
