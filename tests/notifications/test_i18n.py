"""Mail and page texts: every catalog has the English keys and placeholders."""

from __future__ import annotations

import pytest

from service.kernel.i18n import available_locales, catalog, pick_locale, placeholders, translate


@pytest.mark.parametrize("locale", available_locales())
def test_every_catalog_has_the_english_keys_and_placeholders(locale: str) -> None:
    english, other = catalog("en"), catalog(locale)
    assert set(other) == set(english)
    for key, text in english.items():
        assert placeholders(other[key]) == placeholders(text), key


def test_there_are_at_least_two_languages() -> None:
    assert {"en", "de"} <= set(available_locales())


def test_locales_fall_back_to_their_language_then_to_english() -> None:
    assert pick_locale("de-AT") == "de"
    assert pick_locale("xx", None, "de") == "de"
    assert pick_locale("xx") == "en"


def test_placeholders_are_filled_as_text() -> None:
    assert translate("en", "mail.wrote", name="{thread} <b>") == "{thread} <b> wrote:"
