"""What removing the plugin does to a private lineage: what the Debian prerm tells the admin.

``packaging/debian/python3-certbot-privacy.prerm`` says, on removal, that the lineages
set to renew privately will renew with certbot's full User-Agent and write nothing to the
disclosure log. This is that sentence checked against real runs: a lineage obtained in
privacy mode, then renewed by the same certbot with this package hidden from its plugin
discovery (as after ``apt-get remove``), on both targets.
"""

import pytest

from harness import CertbotRunner, CertbotTarget, require_success

from .log_checks import read_lines
from .wire_checks import full_user_agent_pattern, ordered_names

pytestmark = pytest.mark.e2e


def test_a_private_lineage_renews_in_the_open_once_the_plugin_is_gone(
    certbot: CertbotRunner, target: CertbotTarget
) -> None:
    """Plugin hidden: renew succeeds, sends the full User-Agent, and logs nothing."""
    domain = certbot.domain()
    require_success(certbot.run(*certbot.certonly_args(domain), "--cert-name", domain))
    log = certbot.logs_dir / "disclosure.jsonl"
    before = read_lines(log)
    if not target.ari:
        certbot.renew_before_expiry(domain)
    renewed = require_success(certbot.run("renew", server=None, without_plugin=True))
    assert ordered_names(renewed.requests) == [[domain]], renewed.describe()
    # The renewal check before the authenticator is known (ARI) says Authenticator/None.
    patterns = [full_user_agent_pattern(target, "renew", a) for a in ("webroot", "None")]
    to_the_ca = [r for r in renewed.requests if r.listener == "acme"]
    assert to_the_ca, renewed.describe()
    assert all(any(p.fullmatch(r.user_agent or "") for p in patterns) for r in to_the_ca), (
        renewed.describe()
    )
    assert all(r.user_agent != target.minimal_user_agent for r in renewed.requests)
    assert read_lines(log) == before
