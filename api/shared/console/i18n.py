"""The console's languages: Simplified Chinese and English, from gettext catalogs (Babel's
``.po`` files under ``locale/``, read once at start). A person's language is their choice
(a cookie), else what their browser asks for, else Chinese."""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LOCALES = ("zh_CN", "en")
DEFAULT = "zh_CN"
HERE = Path(__file__).parent / "locale"


def catalog_path(locale: str) -> Path:
    return HERE / locale / "LC_MESSAGES" / "messages.po"


@cache
def translations(locale: str) -> Translations:
    """The compiled catalog of one of ``LOCALES``."""
    with catalog_path(locale).open("rb") as po:
        catalog = read_po(po, locale=locale)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(fp=compiled)


def negotiate(chosen: str | None, accept_language: str | None) -> str:
    """The locale to answer in: the person's choice, else their browser's, else Chinese."""
    if chosen in LOCALES:
        return str(chosen)
    # The browser lists its languages best first (q-values in that order, as they send them).
    for part in (accept_language or "").split(","):
        language = part.split(";")[0].strip().lower()[:2]
        for locale in LOCALES:
            if locale.lower().startswith(language) and language:
                return locale
    return DEFAULT
