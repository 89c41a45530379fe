"""Sphinx directives that render the docs from the code, so that the two cannot drift apart.

* ``schema-fields`` / ``schema-events`` / ``schema-categories``: the disclosure record
  format, from the JSON Schema that ships in the package (``certbot_privacy/schema/``), with
  the category descriptions of :mod:`certbot_privacy._internal.log.records`.
* ``consent-text`` / ``withdrawal-text``: the texts an admin reads, from
  :mod:`certbot_privacy._internal.rules.consent`, in a given language, for a given CA.
* ``known-cas``: the CAs :mod:`certbot_privacy._internal.rules.cas` knows.
* ``plugin-options``: the certbot options the plugin adds, from its own parser code.
* ``cli-help``: ``certbot-privacy [COMMAND] --help``, from the real parser.
* ``manpage``: a man page (the roff subset ``docs/make_manpage.py`` writes) as docs.
* ``docstring``: a module docstring; ``docstring-literal``: one literal block of it.
* ``log-example``: one record of a real disclosure log, pretty-printed.

Every directive fails the build (``-W``) rather than render something it does not
understand: an unknown roff macro, a schema category nobody described.
"""

import argparse
import importlib
import json
import re
import textwrap
from pathlib import Path
from typing import Any, ClassVar, Dict, Iterable, List, Optional, Tuple

from docutils import nodes
from docutils.parsers.rst import directives
from docutils.statemachine import StringList
from sphinx.application import Sphinx
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

logger = logging.getLogger(__name__)

_ROLE = re.compile(r":(?:py:)?(?:mod|func|class|meth|data|attr|exc|obj):`~?([^`]+)`")


class _RstDirective(SphinxDirective):
    """A directive that renders by writing reStructuredText and parsing it in place."""

    def parse_rst(self, text: str) -> List[nodes.Node]:
        container = nodes.container()
        lines = StringList(text.splitlines(), source=f"<{self.name}>")
        self.state.nested_parse(lines, self.content_offset, container)
        return list(container.children)


def _cell(text: str) -> str:
    return text.replace("\n", " ").strip() or "\u2014"


def _list_table(
    header: Iterable[str], rows: Iterable[Iterable[str]], widths: Optional[str] = None
) -> str:
    lines = [".. list-table::", "   :header-rows: 1"]
    if widths:
        lines.append(f"   :widths: {widths}")
    lines.append("")
    for row in (list(header), *rows):
        cells = list(row)
        lines.append(f"   * - {_cell(cells[0])}")
        lines += [f"     - {_cell(cell)}" for cell in cells[1:]]
    return "\n".join(lines) + "\n"


def _literal(text: str) -> str:
    return f"``{text}``" if text else ""


# --- the record schema --------------------------------------------------------------------


def _schema() -> Dict[str, Any]:
    from certbot_privacy._internal.log import schema

    return schema.json_schema()


def _type_of(spec: Dict[str, Any], defs: Dict[str, Any]) -> str:
    if "const" in spec:
        return f"always {json.dumps(spec['const'])}"
    if "enum" in spec:
        return "one of " + ", ".join(_literal(json.dumps(v)) for v in spec["enum"])
    if "$ref" in spec:
        name = spec["$ref"].rsplit("/", 1)[-1]
        target = defs.get(name, {})
        kind = target.get("type", "object")
        return {"digest": "string ``sha256:<64 hex>``"}.get(name, f"{kind} ({name})")
    kind = spec.get("type", "any")
    kinds = kind if isinstance(kind, list) else [kind]
    text = " or ".join(kinds)
    if "pattern" in spec and kind == "string" and "time" not in json.dumps(spec):
        text += f" matching ``{spec['pattern']}``"
    if "minimum" in spec and "maximum" in spec:
        text += f" {spec['minimum']}\u2013{spec['maximum']}"
    elif "minimum" in spec:
        text += f" \u2265 {spec['minimum']}"
    if kind == "array" and isinstance(spec.get("items"), dict) and "type" in spec["items"]:
        text += f" of {spec['items']['type']}"
    return text


def _required_by_event(schema: Dict[str, Any]) -> Dict[str, List[str]]:
    """Map each event to the fields a record of that event must have."""
    base = list(schema.get("required", []))
    result: Dict[str, List[str]] = {e: list(base) for e in schema["properties"]["event"]["enum"]}
    for rule in schema.get("allOf", []):
        event = rule.get("if", {}).get("properties", {}).get("event", {}).get("const")
        then = rule.get("then", {})
        if event is None:
            continue
        result[event] += then.get("required", [])
        for alternative in then.get("oneOf", []):
            result[event].append(" or ".join(alternative.get("required", [])))
    return result


class SchemaFields(_RstDirective):
    """A table of every top-level field of a record, from the schema."""

    def run(self) -> List[nodes.Node]:
        schema = _schema()
        defs = schema.get("$defs", {})
        by_event = _required_by_event(schema)
        rows = []
        for name, spec in schema["properties"].items():
            required = []
            for event, fields in by_event.items():
                for group in (f.split(" or ") for f in fields):
                    if name in group:
                        others = ", ".join(_literal(o) for o in group if o != name)
                        required.append(_literal(event) + (f" (or {others})" if others else ""))
            if len(required) == len(by_event) and " (or " not in "".join(required):
                where = "every record"
            else:
                where = ", ".join(required) or "optional"
            description = spec.get("description") or defs.get(
                spec.get("$ref", "").rsplit("/", 1)[-1], {}
            ).get("description", "")
            rows.append((_literal(name), _type_of(spec, defs), where, description))
        return self.parse_rst(
            _list_table(
                ("Field", "Type", "Required in", "Meaning (from the schema)"),
                rows,
                widths="15 25 20 40",
            )
        )


class SchemaEvents(_RstDirective):
    """A table of the event types and the fields each requires."""

    def run(self) -> List[nodes.Node]:
        schema = _schema()
        rows = []
        for event, fields in _required_by_event(schema).items():
            shown = [" or ".join(_literal(part) for part in f.split(" or ")) for f in fields]
            rows.append((_literal(event), ", ".join(shown)))
        return self.parse_rst(_list_table(("``event``", "Required fields"), rows, widths="20 80"))


class SchemaCategories(_RstDirective):
    """A table of the personal-data categories: the registry's, with the schema's shapes."""

    def run(self) -> List[nodes.Node]:
        from certbot_privacy._internal.log.schema import CATEGORIES

        schema = _schema()
        categories = schema["$defs"]["personal_data"]["properties"]
        if set(categories) != {c.name for c in CATEGORIES}:
            logger.warning(
                "the schema's personal-data categories differ from "
                "certbot_privacy._internal.log.schema.CATEGORIES",
                location=self.get_location(),
            )
        rows = []
        for category in CATEGORIES:
            name, spec = category.name, categories.get(category.name, {})
            shape = spec.get("$ref", "").rsplit("/", 1)[-1]
            if shape == "string_list":
                kind = "list of strings"
            else:
                item = spec.get("items", {})
                keys = ", ".join(_literal(k) for k in item.get("properties", {}))
                kind = f"list of objects ({keys})"
            rows.append((_literal(name), kind, _ROLE.sub(r"``\1``", category.values)))
        return self.parse_rst(
            _list_table(("Category", "Values", "What it is"), rows, widths="18 27 55")
        )


# --- consent --------------------------------------------------------------------------------


class ConsentText(SphinxDirective):
    """The consent text for the CA at the directory URL given, in ``:language:``.

    Rendered as an 80-column terminal shows it (``rules.layout.fill``). ``:eff:`` shows
    the EFF question instead, ``:withdrawal:`` the text after a withdrawal;
    ``:announced-terms:`` makes the directory announce other terms than the facts expect
    (the notice then says so, with the dates).
    """

    required_arguments = 1
    option_spec: ClassVar[Dict[str, Any]] = {
        "language": directives.unchanged,
        "email": directives.unchanged,
        "terms-of-service": directives.unchanged,
        "announced-terms": directives.unchanged,
        "withdrawal": directives.flag,
        "eff": directives.flag,
    }

    def run(self) -> List[nodes.Node]:
        import datetime

        from certbot_privacy._internal.rules import (
            consent,
            consent_texts,
            facts_file,
            layout,
            withdrawal,
        )
        from certbot_privacy._internal.rules import drift as drift_module

        facts = facts_file.facts()
        known = facts_file.lookup(self.arguments[0])
        terms = self.options.get("terms-of-service") or (
            known.terms.url if known is not None and known.terms is not None else None
        )
        ca = facts_file.for_directory(
            self.arguments[0], terms_of_service=self.options.get("announced-terms", terms)
        )
        language = self.options.get("language", consent.ENGLISH)
        if language not in consent.LANGUAGES:
            raise self.error(f"no texts in {language!r}; there are {consent.LANGUAGES}")
        email = self.options.get("email")
        if "withdrawal" in self.options:
            text = withdrawal.withdrawal_text(ca, language)
        elif "eff" in self.options:
            text = consent_texts.eff_text(
                facts.other("eff"), email or "admin@example.org", language
            )
        else:
            checked = datetime.date.fromisoformat(facts.checked)
            drift = drift_module.drift(
                ca, checked, checked=facts.checked, max_age_months=facts.max_age_months
            )
            text = consent_texts.consent_text(ca, email, language, drift=drift)
        text = layout.fill(text, 80)
        block = nodes.literal_block(text, text)
        block["language"] = "text"
        return [block]


class KnownCAs(_RstDirective):
    """A table of the CAs the facts (certbot_privacy/_internal/rules/cas.json) know."""

    def run(self) -> List[nodes.Node]:
        from certbot_privacy._internal.rules import facts_file

        rows = []
        for ca in facts_file.known_cas():
            operator = ca.legal_entity or "not stated"
            if ca.country:
                operator += f" ({ca.country})"
            if ca.operator is not None and not ca.operator.verified:
                operator += ", not confirmed"
            policy = ca.privacy_policy_url or (
                f"none found; documents: {ca.documents_url}" if ca.documents_url else "none found"
            )
            verified = sum(s.verified for s in ca.statements)
            statements = f"{len(ca.statements)} ({verified} verified)"
            rows.append((ca.display_name, _literal(ca.directory_url), operator, policy, statements))
        return self.parse_rst(
            _list_table(
                ("CA", "ACME directory", "Operated by", "Privacy policy", "Statements"), rows
            )
        )


# --- command-line interfaces ----------------------------------------------------------------


class PluginOptions(_RstDirective):
    """The options the plugin adds to certbot, from ``PrivacyPlugin.add_parser_arguments``."""

    def run(self) -> List[nodes.Node]:
        from certbot_privacy._internal.adapter.plugin import PrivacyPlugin

        added: List[Tuple[str, Dict[str, Any]]] = []
        PrivacyPlugin.add_parser_arguments(lambda name, **kw: added.append((name, kw)))
        rows = []
        for name, options in added:
            flag = "--privacy-" + name.replace("_", "-")
            metavar = options.get("metavar")
            boolean = options.get("action") == "store_true"
            value = "true" if boolean else metavar or "VALUE"
            ini = f"privacy-{name.replace('_', '-')} = {value}"
            shown = f"{flag} {metavar}" if metavar else flag
            rows.append((_literal(shown), _literal(ini), options.get("help", "")))
        return self.parse_rst(
            _list_table(("Option", "In cli.ini", "What it does"), rows, widths="25 25 50")
        )


def _subparser(parser: argparse.ArgumentParser, name: str) -> argparse.ArgumentParser:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction) and name in action.choices:
            sub: argparse.ArgumentParser = action.choices[name]
            return sub
    raise KeyError(name)


class CliHelp(SphinxDirective):
    """``certbot-privacy [COMMAND] --help``, as the command prints it."""

    optional_arguments = 1

    def run(self) -> List[nodes.Node]:
        from certbot_privacy._internal.audit import cli

        parser = cli.build_parser()
        if self.arguments:
            try:
                parser = _subparser(parser, self.arguments[0])
            except KeyError:
                raise self.error(f"certbot-privacy has no command {self.arguments[0]!r}") from None
        text = parser.format_help().rstrip()
        block = nodes.literal_block(text, text)
        block["language"] = "text"
        return [block]


# --- the man page -----------------------------------------------------------------------------

_ESCAPES = {
    "-": "-",
    "e": "\\",
    "&": "",
    " ": " ",
    "\\": "\\",
    "(em": "\u2014",
    "(en": "\u2013",
    "(bu": "\u2022",
    "(aq": "'",
    "(dq": '"',
    "|": "",
    "^": "",
}
_FONT = re.compile(r"\\f(\(..|\[[^]]*\]|.)")
_ESCAPE = re.compile(r"\\(\(..|.)")


class _Roff:
    """Turns the roff subset of a man page into docutils nodes (see :class:`Manpage`)."""

    def __init__(self, directive: "Manpage") -> None:
        self.directive = directive
        self.out: List[nodes.Node] = []
        self.target: Optional[nodes.Element] = None  # where paragraphs go; None: out
        self.pending: List[nodes.Node] = []
        self.dlist: Optional[nodes.definition_list] = None
        self.expect_term = False

    def warn(self, message: str) -> None:
        logger.warning(message, location=self.directive.get_location())

    def inline(self, text: str, font: str = "R") -> List[nodes.Node]:
        result: List[nodes.Node] = []
        position = 0
        for match in [*_FONT.finditer(text), None]:
            chunk = text[position : match.start() if match else len(text)]
            if chunk:
                chunk = _ESCAPE.sub(self._escape, chunk)
                node_type = {
                    "B": nodes.strong,
                    "I": nodes.emphasis,
                    "(CW": nodes.literal,
                    "[CW]": nodes.literal,
                }.get(font)
                result.append(node_type(chunk, chunk) if node_type else nodes.Text(chunk))
            if match is None:
                break
            code = match.group(1)
            font = "R" if code in ("R", "P") else code
            position = match.end()
        return result

    def _escape(self, match: "re.Match[str]") -> str:
        code = match.group(1)
        if code not in _ESCAPES:
            self.warn(f"unknown roff escape \\{code}")
            return ""
        return _ESCAPES[code]

    def add_text(self, inline: List[nodes.Node]) -> None:
        if self.expect_term:
            assert self.dlist is not None
            item = nodes.definition_list_item()
            item += nodes.term("", "", *inline)
            definition = nodes.definition()
            item += definition
            self.dlist += item
            self.target = definition
            self.expect_term = False
            return
        if self.pending:
            self.pending.append(nodes.Text(" "))
        self.pending += inline

    def flush(self) -> None:
        if not self.pending:
            return
        paragraph = nodes.paragraph("", "", *self.pending)
        self.pending = []
        (self.target if self.target is not None else self).append(paragraph)

    def append(self, node: nodes.Node) -> None:
        self.out.append(node)

    def end_block(self) -> None:
        self.flush()
        self.dlist = None
        self.target = None

    def macro(self, name: str, args: str) -> None:
        if name in ('\\"', "TH"):
            return
        if name in ("SH", "SS"):
            self.end_block()
            title = args.strip().strip('"')
            self.out.append(nodes.rubric(title, "", *self.inline(title)))
        elif name == "PP":
            self.end_block()
        elif name == "TP":
            self.flush()
            if self.dlist is None:
                self.end_block()
                self.dlist = nodes.definition_list()
                self.out.append(self.dlist)
            self.expect_term = True
        elif name == "IP":
            self.end_block()
            quote = nodes.block_quote()
            self.out.append(quote)
            self.target = quote
        elif name == "br":
            self.flush()
        elif name in ("B", "I"):
            self.add_text(self.inline(args, name))
        else:
            self.warn(f"unknown roff macro .{name}")

    def render(self, text: str) -> List[nodes.Node]:
        for line in text.splitlines():
            if line.startswith(".") or line.startswith("'"):
                name, _space, args = line[1:].partition(" ")
                self.macro(name.strip(), args)
            elif line.strip():
                self.add_text(self.inline(line))
        self.end_block()
        return self.out


class Manpage(SphinxDirective):
    """A man page file (path relative to this document), rendered as sections and lists."""

    required_arguments = 1

    def run(self) -> List[nodes.Node]:
        _relative, absolute = self.env.relfn2path(self.arguments[0], self.env.docname)
        self.env.note_dependency(absolute)
        text = Path(absolute).read_text(encoding="utf-8")
        return _Roff(self).render(text)


# --- docstrings and logs ------------------------------------------------------------------------


def _module_doc(name: str) -> str:
    return textwrap.dedent(importlib.import_module(name).__doc__ or "").strip()


class Docstring(_RstDirective):
    """A module's docstring, with Python cross-references shown as literals."""

    required_arguments = 1
    option_spec: ClassVar[Dict[str, Any]] = {"skip-summary": directives.flag}

    def run(self) -> List[nodes.Node]:
        text = _module_doc(self.arguments[0])
        if "skip-summary" in self.options:
            text = text.split("\n\n", 1)[1] if "\n\n" in text else ""
        return self.parse_rst(_ROLE.sub(r"``\1``", text))


class DocstringLiteral(SphinxDirective):
    """The indented literal block of a module docstring that starts with ``:startswith:``."""

    required_arguments = 1
    option_spec: ClassVar[Dict[str, Any]] = {
        "startswith": directives.unchanged_required,
        "language": directives.unchanged,
    }

    def run(self) -> List[nodes.Node]:
        lines = (importlib.import_module(self.arguments[0]).__doc__ or "").splitlines()
        start = self.options["startswith"]
        for number, line in enumerate(lines):
            if line.strip().startswith(start) and line.startswith(" "):
                indent = len(line) - len(line.lstrip())
                block = [line]
                for following in lines[number + 1 :]:
                    if following.strip() and len(following) - len(following.lstrip()) < indent:
                        break
                    block.append(following)
                text = textwrap.dedent("\n".join(block)).strip("\n")
                literal = nodes.literal_block(text, text)
                literal["language"] = self.options.get("language", "text")
                return [literal]
        raise self.error(
            f"no literal block starting with {start!r} in the docstring of {self.arguments[0]}"
        )


class LogExample(SphinxDirective):
    """Record number ``:line:`` (from 1) of a disclosure log file, pretty-printed."""

    required_arguments = 1
    option_spec: ClassVar[Dict[str, Any]] = {"line": directives.positive_int}

    def run(self) -> List[nodes.Node]:
        _relative, absolute = self.env.relfn2path(self.arguments[0], self.env.docname)
        self.env.note_dependency(absolute)
        lines = Path(absolute).read_text(encoding="utf-8").splitlines()
        number = self.options.get("line", 1)
        if not 1 <= number <= len(lines):
            raise self.error(f"{self.arguments[0]} has no line {number}")
        text = json.dumps(json.loads(lines[number - 1]), indent=2, ensure_ascii=False)
        block = nodes.literal_block(text, text)
        block["language"] = "json"
        return [block]


def setup(app: Sphinx) -> Dict[str, Any]:
    for name, directive in (
        ("schema-fields", SchemaFields),
        ("schema-events", SchemaEvents),
        ("schema-categories", SchemaCategories),
        ("consent-text", ConsentText),
        ("known-cas", KnownCAs),
        ("plugin-options", PluginOptions),
        ("cli-help", CliHelp),
        ("manpage", Manpage),
        ("docstring", Docstring),
        ("docstring-literal", DocstringLiteral),
        ("log-example", LogExample),
    ):
        app.add_directive(name, directive)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
