"""Translatable text from standards files: a plain English string or a map of locale to text."""

from __future__ import annotations

from collections.abc import Mapping

DEFAULT_LOCALE = "en"
LOCALES = ("en", "cy")

Text = Mapping[str, str]


def as_text(value: str | Mapping[str, str] | None) -> dict[str, str]:
    """Normalise a text field to a locale map; a plain string is English."""
    if value is None:
        return {}
    if isinstance(value, str):
        return {DEFAULT_LOCALE: value}
    return dict(value)


def localise(text: Mapping[str, str], locale: str) -> tuple[str, str]:
    """The text for a locale and the locale it is really in (English when the locale has none)."""
    language = locale.split("_")[0].split("-")[0]
    if text.get(language):
        return text[language], language
    return text.get(DEFAULT_LOCALE, ""), DEFAULT_LOCALE
