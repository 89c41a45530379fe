"""The text values of an XML request body, read without DTDs or entities (pure, bounded).

A DNS provider's XML API (Route 53's ``ChangeResourceRecordSets``, botocore's rest-xml)
carries the validation record's name and its DNS-01 value as element text. The recorder
redacts such a body whole; :func:`text_values` gives the classifier those texts so that
the known disclosures among them are listed as personal data. The parser is expat with
every DTD refused (so no entity, internal or external, is ever declared or fetched:
no XXE, no entity expansion), on at most :data:`MAX_BYTES` bytes, :data:`MAX_DEPTH`
levels and :data:`MAX_VALUES` values; anything else gives no values at all.
"""

from __future__ import annotations

from typing import List, NoReturn

#: Larger bodies are not parsed (a provider's change batch is a few KiB).
MAX_BYTES = 1 << 20
#: Deeper nesting is refused (Route 53's change batch is 8 levels deep).
MAX_DEPTH = 64
#: At most this many text values are returned.
MAX_VALUES = 10_000


class _Refused(Exception):
    """A DTD, an entity, or a bound crossed: the body is not read."""


def looks_like_xml(body: bytes) -> bool:
    """Whether *body* starts like an XML document (``<`` after any white space)."""
    return body.lstrip()[:1] == b"<"


def text_values(body: bytes) -> List[str]:
    """The text of each element of *body* that holds text and no element (stripped).

    Returns ``[]`` for a body that is not well-formed XML, declares a DTD or an entity,
    or crosses a bound.
    """
    if len(body) > MAX_BYTES:
        return []
    import xml.parsers.expat

    parser = xml.parsers.expat.ParserCreate()
    parser.SetParamEntityParsing(xml.parsers.expat.XML_PARAM_ENTITY_PARSING_NEVER)
    found: List[str] = []
    text: List[str] = []
    depth = [0]
    leaf = [False]

    def refuse(*_: object) -> NoReturn:
        raise _Refused

    def start(name: str, attributes: object) -> None:
        depth[0] += 1
        if depth[0] > MAX_DEPTH:
            raise _Refused
        text.clear()
        leaf[0] = True

    def end(name: str) -> None:
        depth[0] -= 1
        if leaf[0]:
            value = "".join(text).strip()
            if value:
                if len(found) >= MAX_VALUES:
                    raise _Refused
                found.append(value)
        leaf[0] = False
        text.clear()

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.UnparsedEntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text.append
    try:
        parser.Parse(body, True)
    except (_Refused, xml.parsers.expat.ExpatError, ValueError):
        return []
    return found
