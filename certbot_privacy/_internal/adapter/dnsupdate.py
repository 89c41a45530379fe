"""DNS messages sent with dnspython (certbot-dns-rfc2136) as ``request`` records.

``dns.query.tcp`` and ``dns.query.udp`` are wrapped while privacy mode is on: each
message gets its record (:mod:`certbot_privacy._internal.log.dnsmessages`) on disk before it is
sent, then its answer's response code or the error. What is recorded is read from the
message's sections (zone, record names, types, TTLs, TXT values) and the TSIG key's name;
the TSIG secret and MAC are never read.

Over HTTPS, TLS and QUIC (``dns.query.https``, ``tls``, ``quic``) an UPDATE is recorded
the same way (``transport`` ``https``, ``tls``, ``quic``); any other message passes
through, to be seen below: DNS over HTTPS as the HTTP library's request (httpx or
requests), DNS over TLS and QUIC as a connection only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Optional

from certbot_privacy._internal.adapter import stacks
from certbot_privacy._internal.adapter.patching import Patch
from certbot_privacy._internal.errors import DisclosureLogError
from certbot_privacy._internal.log import dnsmessages

if TYPE_CHECKING:
    from types import ModuleType


def _doh(where: str, port: Any, path: Any) -> tuple[str, int, str]:
    """The server, port and URL of a DNS-over-HTTPS message to *where* (a URL or a host)."""
    from urllib.parse import urlsplit

    if where.startswith(("https://", "http://")):
        parts = urlsplit(where)
        default = 443 if parts.scheme == "https" else 80
        return parts.hostname or where, parts.port or default, where
    host = f"[{where}]" if ":" in where else where
    return where, int(port), f"https://{host}:{port}{path or '/dns-query'}"


def describe(
    q: Any, where: str, port: int, transport: str, url: Optional[str] = None
) -> dnsmessages.DnsMessage:
    """The plain values of the dnspython message *q* to *where*:*port* (*url*: DoH's)."""
    import dns.opcode
    import dns.rdataclass
    import dns.rdatatype

    opcode = dns.opcode.to_text(q.opcode())
    question = list(q.question)  # an UpdateMessage's zone section
    zone_name = question[0].name if question else None
    changes: list[dnsmessages.Change] = []
    if opcode == "UPDATE":
        for rrset in q.sections[2] if len(q.sections) > 2 else ():
            name = rrset.name.derelativize(zone_name) if zone_name is not None else rrset.name
            deleting = getattr(rrset, "deleting", None)
            op = (
                "add"
                if deleting is None
                else "delete"
                if deleting == dns.rdataclass.NONE
                else "delete-all"
            )
            changes.append(
                dnsmessages.Change(
                    op,
                    name.to_text(omit_final_dot=True),
                    dns.rdatatype.to_text(rrset.rdtype),
                    int(rrset.ttl),
                    tuple(_value(rd) for rd in rrset),
                )
            )
    else:
        for rrset in question:
            changes.append(
                dnsmessages.Change(
                    "query",
                    rrset.name.to_text(omit_final_dot=True),
                    dns.rdatatype.to_text(rrset.rdtype),
                    None,
                )
            )
    zone = zone_name.to_text(omit_final_dot=True) if zone_name is not None else ""
    keyname = getattr(q, "keyname", None)
    return dnsmessages.DnsMessage(
        server=str(where),
        port=int(port),
        transport=transport,
        opcode=opcode,
        zone=zone,
        changes=tuple(changes),
        tsig_key_name=keyname.to_text(omit_final_dot=True) if keyname is not None else None,
        doh_url=url,
    )


def _value(rdata: Any) -> str:
    strings = getattr(rdata, "strings", None)
    if strings is not None:  # TXT: the value as the resolver returns it
        return b"".join(strings).decode("utf-8", "replace")
    return str(rdata.to_text())


def _sender(transport: str) -> Callable[..., Any]:
    def send(original: Callable[..., Any], q: Any, where: str, *args: Any, **kwargs: Any) -> Any:
        recorder = stacks.current_recorder()
        if recorder is None:
            return original(q, where, *args, **kwargs)
        port = args[1] if len(args) > 1 else kwargs.get("port", _ENCRYPTED.get(transport, 53))
        server, url = where, None
        if transport == "https":
            server, port, url = _doh(where, port, args[7] if len(args) > 7 else kwargs.get("path"))
        message = describe(q, server, port, transport, url)
        record = dnsmessages.request_record(message, recorder.clock())
        try:
            sent = recorder.append_request(record)
        except DisclosureLogError as error:
            raise DisclosureLogError(f"{error} Nothing was sent.") from None
        answer = stacks.send_as_recorded(
            recorder, sent, lambda: original(q, where, *args, **kwargs)
        )
        import dns.rcode

        recorder.append_outcome(
            dnsmessages.response_record(
                request_seq=sent.seq,
                rcode=dns.rcode.to_text(answer.rcode()),
                recipient=sent.recipient,
                method=sent.method,
                url=sent.url,
                when=recorder.clock(),
            )
        )
        return answer

    return send


#: The encrypted senders of ``dns.query``: default port, and the index of ``port`` in the
#: arguments after ``q`` and ``where``.
_ENCRYPTED = {"https": 443, "tls": 853, "quic": 853}


def _encrypted_sender(transport: str) -> Callable[..., Any]:
    """DNS over HTTPS, TLS or QUIC: an UPDATE is recorded first; anything else passes."""
    plain = _sender(transport)

    def send(original: Callable[..., Any], q: Any, where: str, *args: Any, **kwargs: Any) -> Any:
        import dns.opcode

        if q.opcode() != dns.opcode.UPDATE:
            return original(q, where, *args, **kwargs)  # seen below (HTTP library, socket)
        return plain(original, q, where, *args, **kwargs)

    return send


def patches(module: ModuleType) -> list[Patch]:
    """The patches of ``dns.query`` (*module*): its TCP and UDP senders, and the UPDATEs of
    its HTTPS, TLS and QUIC senders."""
    found = [
        Patch(module, "tcp", _sender("tcp"), when=stacks.mode_on),
        Patch(module, "udp", _sender("udp"), when=stacks.mode_on),
    ]
    for name in _ENCRYPTED:
        if hasattr(module, name):
            found.append(Patch(module, name, _encrypted_sender(name), when=stacks.mode_on))
    return found
