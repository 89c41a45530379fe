"""Consent to send a contact email: texts, decisions, contact rules and the catalogs."""

# Chinese texts use full-width punctuation, and some answers are full-width on purpose.
# ruff: noqa: RUF001

import ast
import re
import struct
from pathlib import Path
from typing import Callable, Dict, List, Optional, Tuple

import pytest

from certbot_privacy._internal.errors import ConsentRequiredError, ContactError
from certbot_privacy._internal.rules import cas, consent, facts_file
from certbot_privacy._internal.rules.cas import CAInfo
from certbot_privacy._internal.rules.consent import ENGLISH, SIMPLIFIED_CHINESE
from certbot_privacy._internal.rules.layout import fill

PACKAGE = Path(consent.__file__).resolve().parent
CATALOG = PACKAGE / "locale" / "zh_CN" / "LC_MESSAGES"


def _known(url: str) -> CAInfo:
    info = facts_file.lookup(url)
    assert info is not None, url
    return info


LE = _known("https://acme-v02.api.letsencrypt.org/directory")
UNKNOWN = cas.generic("https://127.0.0.1:14000/dir", terms_of_service="https://ca.test/tos")


# --- language ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, ENGLISH),
        ({"LANG": "zh_CN.UTF-8"}, SIMPLIFIED_CHINESE),
        ({"LANG": "zh_CN.GB18030"}, SIMPLIFIED_CHINESE),
        ({"LANG": "zh_TW.UTF-8"}, ENGLISH),
        ({"LANG": "zh_HK.UTF-8"}, ENGLISH),
        ({"LANG": "de_DE.UTF-8"}, ENGLISH),
        ({"LANG": "C.UTF-8"}, ENGLISH),
        ({"LANG": "en_US.UTF-8", "LC_ALL": "zh_CN.UTF-8"}, SIMPLIFIED_CHINESE),
        ({"LANG": "zh_CN.UTF-8", "LC_ALL": "C"}, ENGLISH),
        ({"LANG": "zh_CN.UTF-8", "LC_MESSAGES": "en_GB.UTF-8"}, ENGLISH),
        ({"LANG": "en_US.UTF-8", "LANGUAGE": "zh_CN:en"}, SIMPLIFIED_CHINESE),
        ({"LANG": "en_US.UTF-8", "LANGUAGE": "fr:zh_CN"}, SIMPLIFIED_CHINESE),
        ({"LANG": "zh_CN.UTF-8", "LANGUAGE": "fr:de"}, ENGLISH),
        ({"LANG": "zh_CN.UTF-8", "LANGUAGE": ""}, SIMPLIFIED_CHINESE),
        ({"LANGUAGE": "zh_CN"}, ENGLISH),
        ({"LANG": "POSIX", "LANGUAGE": "zh_CN"}, ENGLISH),
    ],
)
def test_choose_language_follows_gnu_gettext(env: Dict[str, str], expected: str) -> None:
    """LC_ALL, LC_MESSAGES, LANG then LANGUAGE, as GNU gettext reads them; English if unsure."""
    assert consent.choose_language(env) == expected


def test_english_has_no_catalog_and_chinese_has_one() -> None:
    """English shows the source texts; Chinese comes from the compiled catalog."""
    assert consent.translations(ENGLISH).gettext("undated") == "undated"
    assert consent.translations(SIMPLIFIED_CHINESE).gettext("undated") == "未注明日期"


# --- decisions -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answer", "lang", "granted"),
    [
        ("y", ENGLISH, True),
        ("yes", ENGLISH, True),
        ("YES", ENGLISH, True),
        ("  Yes \n", ENGLISH, True),
        ("ｙｅｓ", ENGLISH, True),
        ("yes.", ENGLISH, True),
        ("n", ENGLISH, False),
        ("no", ENGLISH, False),
        ("", ENGLISH, False),
        ("   ", ENGLISH, False),
        ("asdf", ENGLISH, False),
        ("yes please", ENGLISH, False),
        ("ye", ENGLISH, False),
        ("是", ENGLISH, False),
        ("是", SIMPLIFIED_CHINESE, True),
        ("是的", SIMPLIFIED_CHINESE, True),
        ("好", SIMPLIFIED_CHINESE, True),
        ("同意", SIMPLIFIED_CHINESE, True),
        ("同意。", SIMPLIFIED_CHINESE, True),
        ("y", SIMPLIFIED_CHINESE, True),
        ("Yes", SIMPLIFIED_CHINESE, True),
        ("否", SIMPLIFIED_CHINESE, False),
        ("不", SIMPLIFIED_CHINESE, False),
        ("不同意", SIMPLIFIED_CHINESE, False),
        ("", SIMPLIFIED_CHINESE, False),
        ("随便", SIMPLIFIED_CHINESE, False),
    ],
)
def test_only_an_explicit_yes_is_consent(answer: str, lang: str, granted: bool) -> None:
    """y/yes (and 是/好/同意 in Chinese) consent; no, Enter and anything else decline."""
    decision = consent.decide_interactive(
        "TEXT", lambda _text: answer, ca=LE, email="admin@example.org", language=lang
    )
    assert decision.granted is granted
    assert decision.answer == answer


def test_interactive_decision_records_what_was_shown() -> None:
    """The decision carries the exact text shown, who receives the email and how it was given."""
    shown: List[str] = []

    def ask(text: str) -> str:
        shown.append(text)
        return "y"

    text = consent.consent_text(LE, "admin@example.org", ENGLISH)
    decision = consent.decide_interactive(
        text, ask, ca=LE, email="mailto:admin@example.org", language=ENGLISH
    )
    assert shown == [text]
    assert (
        decision.granted,
        decision.recipient,
        decision.email,
        decision.means,
        decision.recipient_name,
        decision.language,
        decision.answer,
        decision.text,
    ) == (
        True,
        LE.directory_url,
        "admin@example.org",
        "interactive",
        "Let's Encrypt",
        "en",
        "y",
        text,
    )


def test_end_of_input_is_not_consent() -> None:
    """When input ends before an answer, the email is not sent."""

    def closed(_text: str) -> str:
        raise EOFError

    decision = consent.decide_interactive("TEXT", closed, ca=LE, email=None, language=ENGLISH)
    assert (decision.granted, decision.answer, decision.email) == (False, None, None)


def test_a_refused_contact_never_reaches_the_question() -> None:
    """A second contact is refused before the admin is asked anything."""

    def never(_text: str) -> str:
        raise AssertionError("asked")

    with pytest.raises(ContactError, match="one contact"):
        consent.decide_interactive(
            "TEXT", never, ca=LE, email="a@example.org,b@example.org", language=ENGLISH
        )


def test_email_typed_after_consent_is_validated() -> None:
    """An address typed after a yes joins the decision only if it is a single address."""
    decision = consent.decide_interactive(
        "TEXT", lambda _t: "y", ca=LE, email=None, language=ENGLISH
    )
    assert decision.with_email(" admin@example.org ").email == "admin@example.org"
    with pytest.raises(ContactError):
        decision.with_email("mailto:admin@example.org?subject=hi")


def test_noninteractive_without_email_has_nothing_to_decide() -> None:
    """No --email: no decision, the account is registered without a contact."""
    assert consent.decide_noninteractive(None, False, ca=LE, language=ENGLISH) is None
    assert consent.decide_noninteractive("  ", True, ca=LE, language=ENGLISH) is None


@pytest.mark.parametrize("lang", [ENGLISH, SIMPLIFIED_CHINESE])
def test_noninteractive_email_without_flag_stops_with_one_sentence(lang: str) -> None:
    """--email alone is refused with one sentence naming --privacy-share-email and the way out."""
    with pytest.raises(ConsentRequiredError) as raised:
        consent.decide_noninteractive("admin@example.org", False, ca=LE, language=lang)
    message = str(raised.value)
    for needle in (
        "--privacy-share-email",
        "--email",
        "admin@example.org",
        "Let's Encrypt",
        LE.directory_url,
    ):
        assert needle in message
    assert "\n" not in message
    assert len(re.findall(r"[.。](?:\s|$)", message)) == 1
    assert message.endswith((".", "。"))


def test_noninteractive_email_with_flag_is_consent_by_flag() -> None:
    """With --privacy-share-email the email is sent, and the consent records the flag."""
    decision = consent.decide_noninteractive(
        "admin@example.org", True, ca=LE, language=SIMPLIFIED_CHINESE
    )
    assert decision is not None
    assert (decision.granted, decision.means, decision.email, decision.answer) == (
        True,
        "flag",
        "admin@example.org",
        None,
    )
    shown = consent.consent_text(LE, "admin@example.org", SIMPLIFIED_CHINESE)
    assert decision.text == fill(shown)


def test_noninteractive_refuses_a_second_contact_even_with_the_flag() -> None:
    """Consent to one address is not consent to two."""
    with pytest.raises(ContactError):
        consent.decide_noninteractive("a@example.org;b@example.org", True, ca=LE, language=ENGLISH)


# --- contact validation --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "address"),
    [
        ("admin@example.org", "admin@example.org"),
        ("  admin@example.org\n", "admin@example.org"),
        ("mailto:admin@example.org", "admin@example.org"),
        ("MAILTO:admin@example.org", "admin@example.org"),
        ("mailto:admin%2Bcerts@example.org", "admin+certs@example.org"),
    ],
)
def test_validate_contact_returns_the_single_address(given: str, address: str) -> None:
    """One address, bare or as a plain mailto: URL, is accepted."""
    assert consent.validate_contact(given) == address


@pytest.mark.parametrize(
    ("given", "pattern"),
    [
        ("a@example.org,b@example.org", "at most one contact"),
        ("a@example.org, b@example.org", "at most one contact"),
        ("a@example.org;b@example.org", "at most one contact"),
        ("a@example.org b@example.org", "at most one contact"),
        ("mailto:a@example.org,b@example.org", "RFC 8555 section 7.3"),
        ("mailto:a@example.org?subject=certs", r"\?subject=.*RFC 8555 section 7.3.*a@example.org"),
        ("mailto:a@example.org?cc=b@example.org", "extra fields"),
        ("tel:+4312345", "Only an email address"),
        ("https://example.org/contact", "Only an email address"),
        ("", "empty"),
        ("mailto:", "empty"),
        (" , ", "empty"),
    ],
)
def test_validate_contact_refuses_what_rfc_8555_and_privacy_mode_do_not_allow(
    given: str, pattern: str
) -> None:
    """Second contacts, mailto: extras, other schemes and empty values are refused clearly."""
    with pytest.raises(ContactError, match=pattern):
        consent.validate_contact(given)


def test_contact_errors_speak_the_admins_language() -> None:
    """The refusal is in Chinese for a Chinese locale."""
    with pytest.raises(ContactError, match="隐私模式最多只发送一个联系邮箱"):
        consent.validate_contact("a@example.org,b@example.org", SIMPLIFIED_CHINESE)


# --- the catalog ---------------------------------------------------------------------------


def _po_entries(path: Path) -> List[Tuple[str, str, List[str]]]:
    """Parse a .po file into (msgid, msgstr, flags) triples, the header included.

    Entries are separated by blank lines, as msgfmt, msgcat and msgmerge write them.
    """
    entries: List[Tuple[str, str, List[str]]] = []
    for block in re.split(r"\n\s*\n", path.read_text(encoding="utf-8")):
        flags: List[str] = []
        fields: Dict[str, str] = {}
        key: Optional[str] = None
        for line in block.splitlines():
            if line.startswith("#,"):
                flags += [flag.strip() for flag in line[2:].split(",")]
            elif line.startswith("#"):
                continue
            elif line.startswith(("msgid ", "msgstr ")):
                key, _, literal = line.partition(" ")
                fields[key] = ast.literal_eval(literal)
            elif line.startswith('"') and key is not None:
                fields[key] += ast.literal_eval(line)
            else:
                raise AssertionError(f"unexpected line in {path.name}: {line!r}")
        if "msgid" in fields:
            entries.append((fields["msgid"], fields.get("msgstr", ""), flags))
    return entries


def _mo_catalog(path: Path) -> Dict[str, str]:
    """Read a compiled GNU .mo file into a msgid -> msgstr mapping."""
    data = path.read_bytes()
    magic = struct.unpack("<I", data[:4])[0]
    order = "<" if magic == 0x950412DE else ">"
    _revision, count, originals, translated = struct.unpack(order + "4I", data[4:20])
    catalog: Dict[str, str] = {}
    for index in range(count):
        olen, ooff = struct.unpack(order + "2I", data[originals + 8 * index :][:8])
        tlen, toff = struct.unpack(order + "2I", data[translated + 8 * index :][:8])
        catalog[data[ooff : ooff + olen].decode("utf-8")] = data[toff : toff + tlen].decode("utf-8")
    return catalog


def _source_msgids() -> List[str]:
    """The message ids marked in the modules that show texts.

    ``_("...")`` and ``N_("...")`` in cas.py and consent.py; ``_(lang, "...")`` in
    consent_texts.py and withdrawal.py (the message is the last argument, as ``xgettext
    --keyword=_:2`` reads it).
    """
    found: List[str] = []
    for module in (
        "cas.py",
        "consent.py",
        "consent_texts.py",
        "withdrawal.py",
        "../audit/letters.py",
    ):
        tree = ast.parse((PACKAGE / module).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in ("_", "N_")
                and node.args
                and isinstance(node.args[-1], ast.Constant)
                and isinstance(node.args[-1].value, str)
            ):
                found.append(node.args[-1].value)
    return found


def test_compiled_catalog_matches_its_source() -> None:
    """The committed .mo holds exactly the .po's translations (recompile with msgfmt if not)."""
    entries = _po_entries(CATALOG / "certbot-privacy.po")
    from_po = {msgid: msgstr for msgid, msgstr, _flags in entries}
    assert _mo_catalog(CATALOG / "certbot-privacy.mo") == from_po


def test_catalog_translates_every_message_and_nothing_else() -> None:
    """Every text in the code has a Chinese translation; no stale or fuzzy entries remain."""
    entries = _po_entries(CATALOG / "certbot-privacy.po")
    translated = {msgid: msgstr for msgid, msgstr, _flags in entries if msgid}
    assert set(translated) == set(_source_msgids())
    assert all(translated.values())
    assert not [msgid for msgid, _s, flags in entries if "fuzzy" in flags]


def test_catalog_keeps_every_placeholder() -> None:
    """A translation uses the same {placeholders} as its message, and is flagged as such."""
    for msgid, msgstr, flags in _po_entries(CATALOG / "certbot-privacy.po"):
        names = set(re.findall(r"\{(\w+)\}", msgid))
        assert names == set(re.findall(r"\{(\w+)\}", msgstr)), msgid
        if names:
            assert "python-brace-format" in flags, msgid


def test_po_parser_reads_flags_and_continuations(tmp_path: Path) -> None:
    """The test's .po reader handles flags, multi-line strings and escapes."""
    po = tmp_path / "x.po"
    po.write_text(
        'msgid ""\nmsgstr "H\\n"\n\n#, python-brace-format\nmsgid ""\n"a {x} "\n'
        '"\\"b\\""\nmsgstr "c {x}"\n\nmsgid "d"\nmsgstr "e"\n',
        encoding="utf-8",
    )
    assert _po_entries(po) == [
        ("", "H\n", []),
        ('a {x} "b"', "c {x}", ["python-brace-format"]),
        ("d", "e", []),
    ]


# --- the EFF -------------------------------------------------------------------------------

EFF = facts_file.facts().other("eff")
EFF_RECIPIENT = "EFF (supporters.eff.org)"


def _contact(granted: bool, email: str = "admin@example.org") -> consent.ConsentDecision:
    return consent.ConsentDecision(
        granted=granted,
        email=email,
        recipient=LE.directory_url,
        recipient_name=LE.display_name,
        means="interactive",
        text="TEXT",
        language=ENGLISH,
    )


def _eff(
    contact: consent.ConsentDecision,
    *,
    share_email_flag: bool = False,
    interactive: bool = True,
    ask: Callable[[str], str] = lambda _text: "y",
) -> consent.ConsentDecision:
    return consent.eff_decision(
        eff=EFF,
        recipient=EFF_RECIPIENT,
        email="admin@example.org",
        contact=contact,
        share_email_flag=share_email_flag,
        interactive=interactive,
        ask=ask,
        language=ENGLISH,
    )


def test_a_no_to_the_ca_is_a_no_to_the_eff_without_asking() -> None:
    """The CA got no address: the EFF gets none either, and nobody is asked."""

    def never(_text: str) -> str:
        raise AssertionError("asked")

    decision = _eff(_contact(False), ask=never, share_email_flag=True)
    assert (decision.granted, decision.means, decision.recipient) == (
        False,
        "not_asked",
        EFF_RECIPIENT,
    )
    assert "not sent to the EFF" in decision.text


def test_consent_to_another_address_is_no_consent_for_this_one() -> None:
    """Consent covers one address: a yes for another one does not send this one."""
    assert not _eff(_contact(True, email="other@example.org")).granted


@pytest.mark.parametrize(("answer", "granted"), [("y", True), ("n", False), ("", False)])
def test_the_eff_has_its_own_question(answer: str, granted: bool) -> None:
    """Interactive: the EFF question is asked after a yes to the CA; only a yes consents."""
    shown: List[str] = []

    def ask(text: str) -> str:
        shown.append(text)
        return answer

    decision = _eff(_contact(True), ask=ask)
    assert decision.granted is granted and decision.means == "interactive"
    assert len(shown) == 1 and "EFF" in shown[0] and decision.text == shown[0]


@pytest.mark.parametrize("flag", [True, False])
def test_noninteractive_the_share_flag_covers_the_eff(flag: bool) -> None:
    """-n: --privacy-share-email is consent to both recipients; without it, no."""
    decision = _eff(_contact(True), interactive=False, share_email_flag=flag)
    assert (decision.granted, decision.means) == (flag, "flag")
    assert "https://certbot.eff.org/privacy/" in decision.text
