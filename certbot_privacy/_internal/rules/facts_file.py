"""The CA facts file, read on first use and turned into :mod:`.cas`'s frozen objects.

:func:`facts` loads it (once, on first use: certbot imports the plugin on every run and the facts
are needed only when a contact email is in play); :func:`lookup` and :func:`for_directory` find the
CA behind a directory URL. ``cas.json`` ships in the package beside ``cas.schema.json``; the schema
is the unit tests' business (``tests/unit/test_cas_facts.py``), so :func:`parse` trusts the shape
and only refuses a format version it does not know. :func:`read_json` is the one place the package
reads these files.
"""

import json
from dataclasses import replace
from functools import cache
from typing import Any, Dict, Mapping, Optional, Tuple

from certbot_privacy._internal.rules import cas
from certbot_privacy._internal.rules.cas import (
    FACTS_FILE,
    CAInfo,
    Facts,
    Forwarding,
    Localized,
    Operator,
    PrivacyContact,
    PrivacyPolicy,
    Recipient,
    Source,
    Statement,
    Terms,
)
from certbot_privacy._internal.rules.urls import normalize_directory_url

__all__ = ["facts", "for_directory", "known_cas", "lookup", "parse", "read_json"]


def _source(data: Mapping[str, Any]) -> Source:
    return Source(
        url=data["url"],
        title=data["title"],
        document_date=data["document_date"],
        checked=data["checked"],
        via=data["via"],
        secondary=bool(data.get("secondary", False)),
        snapshot=data.get("snapshot"),
        evidence=data.get("evidence"),
    )


def _our_texts(items: Any) -> Tuple[Tuple[str, str], ...]:
    return tuple((item["lang"], item["text"]) for item in items or ())


def _statement(data: Mapping[str, Any]) -> Statement:
    return Statement(
        id=data["id"],
        kind=data["kind"],
        text=data["text"],
        lang=data["lang"],
        source=_source(data["source"]),
        verified=bool(data["verified"]),
        unverified_reason=data.get("unverified_reason"),
        effective_date=data.get("effective_date"),
        localized=tuple(
            Localized(item["lang"], item["text"], _source(item["source"]), item.get("excerpt"))
            for item in data.get("localized", ())
        ),
        note=data.get("note"),
        excerpt=data.get("excerpt"),
        gloss=_our_texts(data.get("gloss")),
    )


def _operator(data: Mapping[str, Any]) -> Operator:
    return Operator(
        legal_entity=data["legal_entity"],
        details=data["details"],
        country=data["country"],
        source=_source(data["source"]),
        verified=bool(data["verified"]),
        short_name=data.get("short_name"),
        unverified_reason=data.get("unverified_reason"),
        note=data.get("note"),
    )


def _policy(data: Optional[Mapping[str, Any]]) -> Optional[PrivacyPolicy]:
    if data is None:
        return None
    return PrivacyPolicy(
        url=data["url"],
        document_date=data["document_date"],
        localized=tuple(
            (item["lang"], item["url"], item["document_date"]) for item in data["localized"]
        ),
        canonical_lang=data["canonical_lang"],
        source=_source(data["source"]),
        verified=bool(data["verified"]),
        unverified_reason=data.get("unverified_reason"),
    )


def _ca(data: Mapping[str, Any]) -> CAInfo:
    urls = tuple(item["url"] for item in data["directory_urls"])
    terms = data["terms_of_service"]
    contact = data["privacy_contact"]
    forwards = data["forwards_contact"]
    return CAInfo(
        key=data["key"],
        display_name=data["display_name"],
        directory_url=urls[0],
        known=True,
        staging=data["environment"] == "staging",
        directory_urls=urls,
        operator=_operator(data["operator"]),
        privacy_policy=_policy(data["privacy_policy"]),
        documents_url=data["documents_url"],
        terms=None
        if terms is None
        else Terms(
            url=terms["url"],
            document_date=terms["document_date"],
            source=_source(terms["source"]),
            verified=bool(terms["verified"]),
            unverified_reason=terms.get("unverified_reason"),
        ),
        privacy_contact=None
        if contact is None
        else PrivacyContact(
            email=contact["email"],
            postal=contact["postal"],
            web_form=contact["web_form"],
            source=_source(contact["source"]),
            verified=bool(contact["verified"]),
            unverified_reason=contact.get("unverified_reason"),
            note=contact.get("note"),
        ),
        forwards=None
        if forwards is None
        else Forwarding(
            to=forwards["to"],
            statements=tuple(forwards["statements"]),
            localized=_our_texts(forwards.get("localized")),
        ),
        ended_statement=data["ended_statement"],
        statements=tuple(_statement(item) for item in data["statements"]),
        unstated=tuple(data["unstated"]),
        notes=tuple(data["notes"]),
    )


def parse(data: Mapping[str, Any]) -> Facts:
    """Turn the parsed facts file into :class:`Facts` (pure; the schema is the test's job).

    Raises ``ValueError`` for a format version this code does not know.
    """
    if data.get("schema_version") != 1:
        raise ValueError(f"CA facts of schema {data.get('schema_version')!r}: this reads 1")
    return Facts(
        checked=data["checked"],
        max_age_months=int(data["max_age_months"]),
        cas=tuple(_ca(item) for item in data["cas"]),
        others=tuple(
            Recipient(
                key=item["key"],
                display_name=item["display_name"],
                operator=_operator(item["operator"]),
                privacy_policy=_policy(item["privacy_policy"]),
                statements=tuple(_statement(s) for s in item["statements"]),
                notes=tuple(item["notes"]),
            )
            for item in data["other_recipients"]
        ),
        document=data,
    )


def read_json(name: str) -> Any:
    """Read the JSON file *name* shipped beside this module (the facts or their schema)."""
    from importlib import resources

    text = (
        resources.files(__package__ or "certbot_privacy._internal.rules")
        .joinpath(name)
        .read_text(encoding="utf-8")
    )
    return json.loads(text)


# --- the shipped facts ------------------------------------------------------------------------


@cache
def facts() -> Facts:
    """The facts shipped in the package, read on first use."""
    return parse(read_json(FACTS_FILE))


@cache
def _by_url() -> Dict[str, CAInfo]:
    found: Dict[str, CAInfo] = {}
    for ca in facts().cas:
        for url in ca.directory_urls:
            found[normalize_directory_url(url)] = replace(ca, directory_url=url)
    return found


def known_cas() -> Tuple[CAInfo, ...]:
    """Every CA the facts know, in the file's order."""
    return facts().cas


def lookup(directory_url: str) -> Optional[CAInfo]:
    """Return what is known about the CA at *directory_url*, or ``None`` if nothing is."""
    return _by_url().get(normalize_directory_url(directory_url))


def for_directory(
    directory_url: str, terms_of_service: Optional[str] = None, website: Optional[str] = None
) -> CAInfo:
    """Return :func:`lookup`'s answer, or :func:`generic`; with what the directory announced."""
    known = lookup(directory_url)
    if known is None:
        return cas.generic(directory_url, terms_of_service, website)
    return replace(known, terms_of_service=terms_of_service, website=website)
