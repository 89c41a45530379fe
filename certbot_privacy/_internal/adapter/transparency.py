"""The Certificate Transparency text before the first order for a new name (interactive).

Which names this machine issued before is read from certbot's own lineages: the names in
the certificates under ``<config-dir>/live/`` (certbot keeps each lineage's current
certificate there). A name that only appears in a deleted or expired-and-removed lineage
counts as new again; the disclosure log is not used for this, because machines set up
before privacy mode have lineages but no log.
"""

import logging
import os
from typing import Iterable, Set

logger = logging.getLogger(__name__)


def issued_names(config_dir: str) -> Set[str]:
    """The DNS names and IP addresses in the certificates of certbot's lineages."""
    from cryptography import x509

    names: Set[str] = set()
    live = os.path.join(config_dir, "live")
    try:
        entries = os.listdir(live)
    except OSError:
        return names
    for entry in entries:
        try:
            with open(os.path.join(live, entry, "cert.pem"), "rb") as handle:
                cert = x509.load_pem_x509_certificate(handle.read())
            sans = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        except (OSError, ValueError, x509.ExtensionNotFound):
            continue
        names.update(str(n.value).lower() for n in sans if hasattr(n, "value"))
    return names


class Notice:
    """Shows the text once per run, before the first order with a name not issued before."""

    def __init__(self, config_dir: str) -> None:
        self.config_dir = config_dir
        self.shown = False

    def __call__(self, names: Iterable[str]) -> None:
        """Called with an order's names before the order is sent."""
        if self.shown:
            return
        from certbot.display import util

        from certbot_privacy._internal.rules import transparency
        from certbot_privacy._internal.rules.escape import printable

        new = transparency.new_names(names, issued_names(self.config_dir))
        if new:
            self.shown = True
            util.notify(transparency.public_log_text(printable(name) for name in new))
