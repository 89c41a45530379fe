"""The minimal User-Agent policy."""

import pytest

from certbot_privacy._internal.errors import UserAgentError
from certbot_privacy._internal.rules import useragent


def test_minimal_names_only_the_acme_software_and_http_client() -> None:
    """The minimal User-Agent is the ACME client and the HTTP client, nothing else."""
    assert useragent.minimal_user_agent("5.8.0", "2.34.2") == (
        "CertbotACMEClient/5.8.0 python-requests/2.34.2"
    )


@pytest.mark.parametrize("bad", ["", "5.8 (Debian)", "5/8", "a;b"])
def test_minimal_refuses_versions_that_would_add_words(bad: str) -> None:
    """A version with spaces, slashes or comments cannot smuggle text into the header."""
    with pytest.raises(ValueError, match="version"):
        useragent.minimal_user_agent(bad, "2.28.1")


def test_choose_defaults_to_minimal() -> None:
    """Without --user-agent, privacy mode sends the minimal User-Agent."""
    assert useragent.choose_user_agent(None, "2.1.0", "2.28.1") == (
        "CertbotACMEClient/2.1.0 python-requests/2.28.1"
    )


def test_choose_lets_the_admins_own_user_agent_win() -> None:
    """A User-Agent the admin chose is sent as given."""
    assert useragent.choose_user_agent("acme-fleet/3", "2.1.0", "2.28.1") == "acme-fleet/3"


@pytest.mark.parametrize("bad", ["", "   ", "a\r\nX-Evil: 1", "nul\0"])
def test_choose_refuses_empty_or_multiline_user_agents(bad: str) -> None:
    """The header is never empty and never spans lines."""
    with pytest.raises(UserAgentError, match="--user-agent"):
        useragent.choose_user_agent(bad, "2.1.0", "2.28.1")
