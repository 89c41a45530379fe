"""Letters per data subject: one address and its accounts, no internal host names, the EFF,
when recording began, what the log cannot know (issue 20 item 3)."""

from pathlib import Path
from typing import List

from certbot_privacy._internal.audit import letters, parallel
from certbot_privacy._internal.audit.filters import Filters
from certbot_privacy._internal.audit.formats import letters_renderer
from tests.helpers.audit import LE, T0, eff_request, read_items, write_log
from tests.helpers.logs import new_order_body
from tests.unit.test_audit_figures import _two_accounts


def _written(items: List[letters.Identifiers], kind: str = letters.ERASURE) -> str:
    return letters_renderer("text")(letters.letters(items, kind))


def test_each_address_gets_its_own_letter_with_its_accounts(tmp_path: Path) -> None:
    """Two accounts with two people's addresses: two letters, never both addresses in one;
    the domain the first account ordered (linked through its Location) is in its letter."""
    found = letters.collect(read_items(_two_accounts(tmp_path / "a.jsonl")))
    by_subject = {i.subject: i for i in found}
    assert set(by_subject) == {"dpo@example.com", "other@example.com"}
    dpo, other = by_subject["dpo@example.com"], by_subject["other@example.com"]
    assert [d.value for d in dpo.domains] == ["example.org"]
    assert [u.value for u in dpo.account_urls] == ["https://ca.example/acct/17"]
    assert other.domains == () and [u.value for u in other.account_urls] == [
        "https://ca.example/acct/99"
    ]
    for letter in letters.letters(found, letters.ACCESS):
        text = letters_renderer("text")((letter,))
        mine = letter.subject_address
        assert mine is not None and mine in text
        assert ({"dpo@example.com", "other@example.com"} - {mine}).pop() not in text


def test_letters_name_no_internal_host(tmp_path: Path) -> None:
    """A fleet's host names stay home: the CA is not told web1, web2."""
    for n, host in enumerate(("web1.internal", "web2.internal")):
        (tmp_path / "hosts" / host).mkdir(parents=True)
        body = new_order_body(f"site{n}.example.org")
        from tests.helpers.audit import request

        write_log(tmp_path / "hosts" / host / "disclosure.jsonl", [request(T0 + n, body)])
    from certbot_privacy._internal.audit import source

    found = letters.collect(source.read([str(tmp_path / "hosts")]))
    text = _written(list(found))
    assert "site0.example.org" in text and "site1.example.org" in text
    assert "web1" not in text and "web2" not in text and "internal" not in text


def test_the_eff_gets_a_letter_when_it_received_an_address(tmp_path: Path) -> None:
    """An EFF subscription: a letter to the EFF about that address, named from the facts."""
    found = letters.collect(read_items(write_log(tmp_path / "e.jsonl", [eff_request(T0)])))
    (eff,) = found
    assert eff.service == letters.MAILING_LIST and eff.subject == "admin@example.org"
    text = " ".join(_written([eff], letters.ACCESS).split())
    assert "Dear Electronic Frontier Foundation (EFF) privacy team," in text
    assert "my systems sent the email address admin@example.org to your mailing-list" in text
    assert "answering an email you send to it" in text
    assert "account key" not in text


def test_a_letter_says_when_recording_began_and_what_the_log_cannot_know(
    tmp_path: Path,
) -> None:
    """The log's start bounds what it can list; the servers' public IPs are a placeholder."""
    found = letters.collect(read_items(_two_accounts(tmp_path / "a.jsonl")))
    text = " ".join(_written(list(found)).split())
    assert "My disclosure log began recording on 2024-05-01" in text
    assert "anything my systems sent before then is not in it" in text
    assert "[the public IP addresses of your servers: the log does not record them]" in text


def test_hosts_that_began_recording_apart_give_the_span(tmp_path: Path) -> None:
    """Two hosts switched over on different days: the letter gives both days."""
    for n, host in enumerate(("a", "b")):
        (tmp_path / "hosts" / host).mkdir(parents=True)
        from tests.helpers.audit import request

        write_log(
            tmp_path / "hosts" / host / "disclosure.jsonl",
            [request(T0 + n * 10 * 86400, new_order_body("x.example.org"), recipient=LE)],
        )
    from certbot_privacy._internal.audit import source

    found = letters.collect(source.read([str(tmp_path / "hosts")]))
    text = " ".join(_written(list(found)).split())
    assert "began recording between 2024-05-01 and 2024-05-11" in text
    assert parallel.summarise([str(tmp_path / "hosts")], Filters(), workers=1).began
