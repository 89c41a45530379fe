"""How a personal-data value is named in a report: one short, stable label per value (pure).

``personal_data`` values are strings (a contact URI, a domain, a User-Agent) or, for keys and
certificates, objects (see :mod:`certbot_privacy._internal.log.records`). A report counts *distinct*
values, so each needs a label that is the same whenever the thing is the same:

* an account key is named by its RFC 7638 thumbprint (the same key is ``signer`` in one
  request and ``old`` in a key change: still one key);
* a CSR's public key by the SHA-256 of its SubjectPublicKeyInfo, with type and size;
* a certificate by its serial number (and issuer or AKI where the record gives one);
* the implicit source address by a short phrase;
* anything else by its canonical JSON.
"""

import json
from typing import Any, Callable, Dict

from certbot_privacy._internal.log import classify

IMPLICIT_IP_LABEL = "this host's source address (implicit in every request)"


def _account_key(value: Dict[str, Any]) -> str:
    thumbprint = value.get("thumbprint")
    if not isinstance(thumbprint, str):
        return _canonical(value)
    jwk = value.get("jwk")
    kty = jwk.get("kty") if isinstance(jwk, dict) else None
    curve = jwk.get("crv") if isinstance(jwk, dict) else None
    kind = " ".join(str(part) for part in (kty, curve) if isinstance(part, str))
    return f"{kind} key, thumbprint {thumbprint}" if kind else f"thumbprint {thumbprint}"


def _public_key(value: Dict[str, Any]) -> str:
    spki = value.get("spki_sha256")
    if not isinstance(spki, str):
        return _canonical(value)
    parts = [str(value[name]) for name in ("key_type", "key_size", "curve") if name in value]
    return f"{' '.join(parts)} key, SPKI sha256 {spki}".lstrip()


def _certificate(value: Dict[str, Any]) -> str:
    serial = value.get("serial")
    if not isinstance(serial, str):
        return _canonical(value)
    if isinstance(value.get("issuer"), str):
        return f"serial {serial}, issuer {value['issuer']}"
    if isinstance(value.get("authority_key_id"), str):
        return f"serial {serial}, AKI {value['authority_key_id']}"
    if isinstance(value.get("issuer_key_hash"), str):
        return f"serial {serial}, issuer key hash {value['issuer_key_hash']}"
    return f"serial {serial}"


_OBJECT_LABELS: Dict[str, Callable[[Dict[str, Any]], str]] = {
    "account_key": _account_key,
    "csr_public_key": _public_key,
    "certificate": _certificate,
}


def _canonical(value: object) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def label(category: str, value: object) -> str:
    """Return the label of *value*, a value of personal-data *category*."""
    if isinstance(value, str):
        if category == "ip_address" and value == classify.IMPLICIT_IP_ADDRESS:
            return IMPLICIT_IP_LABEL
        return value
    if isinstance(value, dict):
        labeller = _OBJECT_LABELS.get(category)
        if labeller is not None:
            return labeller(value)
    return _canonical(value)
