"""The one escaping function for text shown to people, and the URL forms rules compare by."""

import pytest

from certbot_privacy._internal.rules import urls
from certbot_privacy._internal.rules.escape import is_printable, printable


@pytest.mark.parametrize(
    ("hostile", "shown"),
    [
        ("\x1b]0;pwned\x07", "\\x1b]0;pwned\\x07"),  # C0: ESC, BEL
        ("a\x9bb", "a\\x9bb"),  # C1: CSI
        ("abc\u202edcba", "abc\\u202edcba"),  # bidi override
        ("x\u2066y\u2069", "x\\u2066y\\u2069"),  # bidi isolates
        ("\u200fmark", "\\u200fmark"),  # RLM
        ("hid\u200bden", "hid\\u200bden"),  # zero-width space
        ("\ufeffbom", "\\ufeffbom"),
        ("one\u2028two\u2029", "one\\u2028two\\u2029"),  # line/paragraph separators
        ("tab\there", "tab\\x09here"),
    ],
)
def test_printable_escapes_what_acts_on_a_terminal(hostile: str, shown: str) -> None:
    """Controls, bidi, zero-width and separators become visible escapes."""
    assert printable(hostile) == shown
    assert not is_printable(hostile)
    assert is_printable(printable(hostile))


def test_printable_keeps_letters_of_every_script() -> None:
    """Non-ASCII letters, including wide ones, are shown as they are."""
    text = "bücher.example 例子 שלום"
    assert printable(text) == text and is_printable(text)


def test_origin_and_host_header_drop_default_ports_and_user_info() -> None:
    """origin() is lower-cased scheme://host[:port], without user info or default port."""
    assert urls.origin("HTTPS://User:pw@Example.ORG:443/x?y") == "https://example.org"
    assert urls.host_header("http://[::1]:8080/") == "[::1]:8080"
    assert urls.host_header("http://example.org:80/") == "example.org"


def test_directory_urls_compare_without_trailing_slash_or_fragment() -> None:
    """Directory URLs keep their path's case, lose a trailing slash and a fragment."""
    assert urls.normalize_directory_url(" https://CA.example/Dir/#x ") == "https://ca.example/Dir"
    assert urls.normalize_directory_url("https://ca.example:bad/") == "https://ca.example:bad/"
