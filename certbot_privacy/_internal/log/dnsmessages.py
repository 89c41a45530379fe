"""Disclosure records of DNS messages (RFC 2136 UPDATE, and the queries sent beside it), pure.

A DNS plugin (certbot-dns-rfc2136) sends the DNS server messages that carry the zone, the
validation record's name, type and TTL and the DNS-01 value, signed with TSIG. Their
record names the server as recipient and holds what the message says in ``dns`` and
``body_redacted`` (the message's sections, not its bytes), and the TSIG key's name in
``tsig_key_name``: the TSIG secret and MAC are never taken from the message at all.
"""

from typing import Any, NamedTuple, Optional

from certbot_privacy._internal.log.classify import IMPLICIT_IP_ADDRESS, Record
from certbot_privacy._internal.log.schema import SCHEMA_VERSION, rfc3339

#: The label a DNS-01 validation record's name starts with (RFC 8555 section 8.4).
CHALLENGE_LABEL = "_acme-challenge."


class Change(NamedTuple):
    """One record set of an UPDATE's update section, or a query's question."""

    #: ``add``, ``delete`` (these records), ``delete-all`` (the record set), ``query``.
    op: str
    name: str
    type: str
    ttl: Optional[int]
    values: tuple[str, ...] = ()


class DnsMessage(NamedTuple):
    """What a DNS message about to be sent says, in plain values (no TSIG secret or MAC)."""

    server: str
    port: int
    #: ``tcp`` or ``udp``; ``https``, ``tls`` or ``quic`` for DNS over HTTPS, TLS, QUIC.
    transport: str
    #: The DNS opcode's name: ``UPDATE``, ``QUERY``.
    opcode: str
    #: The zone an UPDATE changes (its zone section); a query's name.
    zone: str
    changes: tuple[Change, ...]
    tsig_key_name: Optional[str] = None
    #: DNS over HTTPS: the URL the message is posted to.
    doh_url: Optional[str] = None


def recipient(server: str, port: int) -> str:
    """The recipient of a DNS message: ``DNS server <server>:<port>``."""
    host = f"[{server}]" if ":" in server else server
    return f"DNS server {host}:{port}"


#: The URL scheme of a DNS message by transport (DNS over HTTPS has its own URL).
SCHEMES = {"tcp": "dns", "udp": "dns", "tls": "dns+tls", "quic": "dns+quic"}


def url(message: DnsMessage) -> str:
    """``dns://<server>:<port>/<zone>`` (``dns+tls://``, ``dns+quic://`` when encrypted; the
    DoH URL over HTTPS)."""
    if message.doh_url is not None:
        return message.doh_url
    host = f"[{message.server}]" if ":" in message.server else message.server
    scheme = SCHEMES.get(message.transport, "dns")
    return f"{scheme}://{host}:{message.port}/{message.zone}"


def request_record(message: DnsMessage, when: float) -> Record:
    """Build the ``request`` record of a DNS message about to be sent."""
    names: list[str] = []
    challenges: list[str] = []
    for change in message.changes:
        name = change.name[len(CHALLENGE_LABEL) :] if _is_challenge(change.name) else change.name
        for each in (name, message.zone):
            if each and each not in names:
                names.append(each)
        if change.type == "TXT" and _is_challenge(change.name):
            challenges += [v for v in change.values if v not in challenges]
    personal: dict[str, list[Any]] = {"ip_address": [IMPLICIT_IP_ADDRESS]}
    if names:
        personal["domain"] = names
    if challenges:
        personal["dns_challenge"] = challenges
    first = message.changes[0] if message.changes else None
    record: Record = {
        "schema": SCHEMA_VERSION,
        "time": rfc3339(when),
        "event": "request",
        "recipient": recipient(message.server, message.port),
        "method": message.opcode,
        "url": url(message),
        "transport": message.transport,
        "stack": "dns",
        "headers": {},
        "dns": {
            "zone": message.zone,
            "name": first.name if first else message.zone,
            "type": first.type if first else None,
            "ttl": first.ttl if first else None,
        },
        "body_redacted": {
            "zone": message.zone,
            "changes": [
                {"op": c.op, "name": c.name, "type": c.type, "ttl": c.ttl, "values": list(c.values)}
                for c in message.changes
            ],
        },
        "personal_data": personal,
    }
    if message.tsig_key_name is not None:
        record["tsig_key_name"] = message.tsig_key_name
        record["redacted"] = ["body:tsig"]  # the MAC, and the secret it is made with
    return record


def response_record(
    *, request_seq: int, rcode: str, recipient: str, method: str, url: str, when: float
) -> Record:
    """Build the ``response`` record of a DNS answer: its response code (``NOERROR``)."""
    return {
        "schema": SCHEMA_VERSION,
        "time": rfc3339(when),
        "event": "response",
        "request": request_seq,
        "recipient": recipient,
        "method": method,
        "url": url,
        "rcode": rcode,
    }


def _is_challenge(name: str) -> bool:
    return name.lower().startswith(CHALLENGE_LABEL)
