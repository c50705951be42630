"""Print documents: a print template (reports/templates/print/) rendered with plain values through the
application's Jinja environment, in one language, then made a PDF by reports/pdf.

Needs an application context (the Jinja environment, its filters and Flask-Babel's translations), never a request
context: the command line and the batch worker call it as the download routes do.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from markupsafe import Markup

from . import pdf

LANGUAGES = ("en", "cy")
# The language tag each PDF names (PDF/UA): British English, or Welsh.
LANGUAGE_TAGS = {"en": "en-GB", "cy": "cy"}


def language_of(locale: str | None) -> str:
    """"en" or "cy" from a user's stored choice (anything else reads as English)."""
    return locale if locale in LANGUAGES else "en"


@contextmanager
def in_language(locale: str) -> Iterator[str]:
    """Everything worded inside (rows, charts, the template) is in this language."""
    language = language_of(locale)
    with force_locale(language):
        yield language


def page_words() -> tuple[str, str, str]:
    """The words before, between and after the page number and the page count ("Page ", " of ", "")."""
    text = _("Page %(page)s of %(pages)s", page="\x00", pages="\x01")
    before, rest = text.split("\x00", 1)
    between, after = rest.split("\x01", 1)
    return before, between, after


def service_name() -> str:
    """The service's name as every page's header says it (web.SERVICE_NAME: the same words)."""
    return _("Commissioning self-assessment toolkit")


def filter_text(name: str, value) -> str:
    """A value worded by one of the pages' template filters (cycle names, dates): one wording everywhere."""
    return str(current_app.jinja_env.filters[name](value))


def made_on(today: date | None = None) -> str:
    return _("Made on %(date)s", date=filter_text("date", today or date.today()))


def renamed(chart: Markup, old: str, new: str) -> Markup:
    """A chart with its element ids renamed, so that several charts drawn with one id can share a document."""
    return Markup(str(chart).replace(f'"{old}-', f'"{new}-').replace(f" {old}-desc", f" {new}-desc"))


def html(template: str, language: str, **context) -> str:
    """The print HTML of a template (under reports/print/), in the language already in force."""
    page = current_app.jinja_env.get_template(f"reports/print/{template}")
    return page.render(html_lang=LANGUAGE_TAGS[language], language=language, service_name=service_name(), **context)


def document(template: str, language: str, **context) -> bytes:
    """The PDF of a print template, in the language already in force (see in_language)."""
    return pdf.render(html(template, language, **context), page_words())
