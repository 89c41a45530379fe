"""The languages of the texts shown to people, and their gettext catalogues (pure).

Texts exist in English (the source language) and Simplified Chinese, through gettext
(domain ``certbot-privacy``, catalogues in ``locale/``). :func:`choose_language` picks one
from the environment the way GNU gettext does, and English whenever unsure.
"""

import gettext
import re
from functools import cache
from pathlib import Path
from typing import Mapping, Optional

ENGLISH = "en"
SIMPLIFIED_CHINESE = "zh_CN"
#: The languages there are texts for; English is the source language.
LANGUAGES = (ENGLISH, SIMPLIFIED_CHINESE)

#: The gettext domain and where its catalogs are.
DOMAIN = "certbot-privacy"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"


# --- language ----------------------------------------------------------------------------


def choose_language(env: Mapping[str, str]) -> str:
    """Return the language of the texts for a process with environment *env*.

    As GNU gettext does: the locale is the first set of ``LC_ALL``, ``LC_MESSAGES``,
    ``LANG``; in the ``C``/``POSIX`` locale (or none) the texts are English and
    ``LANGUAGE`` is ignored; otherwise ``LANGUAGE`` (a ``:``-separated list of
    preferences) wins over the locale, and the first language there is a text for is
    used. Only ``zh_CN`` selects Chinese (``zh_TW``, ``zh_HK``, a bare ``zh`` do not:
    Simplified Chinese is not what those readers asked for); anything else is English.
    """
    locale = next((env[name] for name in ("LC_ALL", "LC_MESSAGES", "LANG") if env.get(name)), "")
    if _language_part(locale) in ("", "C", "POSIX"):
        return ENGLISH
    preferences = env.get("LANGUAGE", "").split(":") if env.get("LANGUAGE") else [locale]
    for preference in preferences:
        language = _supported(preference)
        if language is not None:
            return language
    return ENGLISH


def _language_part(locale: str) -> str:
    """``zh_CN.UTF-8@x`` -> ``zh_CN``: the locale without encoding and modifier."""
    return re.split(r"[.@]", locale.strip(), maxsplit=1)[0]


def _supported(preference: str) -> Optional[str]:
    name = _language_part(preference).replace("-", "_").lower()
    if name == "zh_cn":
        return SIMPLIFIED_CHINESE
    if name == "en" or name.startswith("en_"):
        return ENGLISH
    return None


@cache
def translations(language: str) -> gettext.NullTranslations:
    """Return the gettext catalog for *language* (English: no catalog, the source text)."""
    return gettext.translation(
        DOMAIN, localedir=str(LOCALE_DIR), languages=[language], fallback=True
    )
