"""How standards text, levels, cycle names and dates read on pages, in the page's language (en or cy)."""

from __future__ import annotations

import re
from datetime import date, datetime

from flask_babel import format_date, format_datetime, get_locale
from flask_babel import gettext as _
from markupsafe import Markup, escape

from ..domain.standards import YESNO, Criterion, Framework
from ..domain.text import localise

# One pattern for every date people read (en-GB order, Welsh month names in Welsh): "23 March 2027".
DATE_FORMAT = "d MMMM yyyy"
DATETIME_FORMAT = "d MMMM yyyy, HH:mm"

# Cycle names are data ("2011 self-assessment", typed in English). Names of this shape are shown through a
# translated pattern; any other name is shown as it was typed.
_CYCLE_NAME = re.compile(r"(?P<year>\S+) self-assessment")


def _language(locale: str | None) -> str:
    return (locale or str(get_locale())).split("_")[0].split("-")[0]


def localised(text, locale: str | None = None) -> Markup:
    """Standards text in the page's language, marked lang="en" (or whatever it is in) when it has no translation.

    The one place that decides it: the `t` template filter and the questionnaire's labels and hints both use it.
    """
    language = _language(locale)
    value, actual = localise(text or {}, language)
    if actual != language:
        return Markup('<span lang="{}">{}</span>').format(actual, value)
    return Markup("{}").format(value)


def level_name(framework: Framework, value: int, locale: str | None = None) -> Markup:
    """A level as people read it everywhere: its number with its label ("2 – Developing")."""
    level = next((lv for lv in framework.scale if lv.value == value), None)
    if level is None:
        return Markup("{}").format(value)
    return Markup("{} – {}").format(value, localised(level.label, locale))


def evidence_rule(criterion: Criterion, framework: Framework, locale: str | None = None) -> Markup | None:
    """What a criterion's scale says about evidence: from which level (or answer) it is needed to submit."""
    start = criterion.evidence_from
    if start is None or start > framework.max_level:
        return None
    if criterion.type == YESNO:
        # "yes" counts as the top of the scale and "no" as 0 (DESIGN §4), so "no" needs evidence only from 0.
        return Markup("{}").format(_("Evidence needed whatever you answer") if start <= 0
                                   else _("Evidence needed if you answer yes"))
    if start <= min(level.value for level in framework.scale):
        return Markup("{}").format(_("Evidence needed whatever level you choose"))
    level = level_name(framework, start, locale)
    if start == framework.max_level:
        return escape(_("Evidence needed if you choose %(level)s")) % {"level": level}
    return escape(_("Evidence needed if you choose %(level)s or above")) % {"level": level}


def cycle_name(cycle) -> str:
    """A cycle's name in the page's language."""
    match = _CYCLE_NAME.fullmatch(cycle.name or "")
    if match is None:
        return cycle.name
    return _("%(year)s self-assessment", year=match.group("year"))


def long_date(value: date | datetime | None) -> str:
    return "" if value is None else format_date(value, DATE_FORMAT)


def long_datetime(value: datetime | None) -> str:
    return "" if value is None else format_datetime(value, DATETIME_FORMAT)
