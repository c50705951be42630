"""How standards text, levels, cycle names and dates read on pages, in the page's language (en or cy)."""

from __future__ import annotations

import re
from datetime import date, datetime
from functools import lru_cache

from flask import g, has_request_context
from flask_babel import format_date, format_datetime, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape

from ..domain import roles, states
from ..domain.standards import YESNO, Criterion, Framework
from ..domain.text import localise
from ..reports import formatting

# What an assessment's state is called and the colour of its tag: every page, list and export words it from here.
STATE_LABELS = {
    states.DRAFT: _l("Draft"), states.SUBMITTED: _l("Submitted"), states.IN_REVIEW: _l("In review"),
    states.MODERATED: _l("Moderated"), states.PUBLISHED: _l("Published"), states.RETURNED: _l("Returned for changes"),
}
STATE_TAG_CLASSES = {
    states.DRAFT: "govuk-tag--grey", states.SUBMITTED: "govuk-tag--blue", states.IN_REVIEW: "govuk-tag--purple",
    states.MODERATED: "govuk-tag--turquoise", states.PUBLISHED: "govuk-tag--green",
    states.RETURNED: "govuk-tag--orange",
}


def state_tag(state: str) -> dict[str, str]:
    """The GOV.UK tag of an assessment's state (the parameters of govukTag)."""
    return {"text": str(STATE_LABELS[state]), "classes": STATE_TAG_CLASSES[state]}


def assessment_scores_table(framework: Framework, result, caption: str) -> dict:
    """The overall and domain scores of an assessment, as the parameters of govukTable (reports/answers.py)."""
    from ..reports import answers

    return answers.scores_table(framework, result, caption, text=localised, score_text=score)


# Roles and states as values for templates (`roles.ADMIN`, `states.DRAFT`): no template writes them as strings.
TEMPLATE_GLOBALS = {"roles": roles, "states": states, "state_labels": STATE_LABELS, "state_tag_params": state_tag,
                    "assessment_scores_table": assessment_scores_table}


# One pattern for every date people read (en-GB order, Welsh month names in Welsh): "23 March 2027".
DATE_FORMAT = "d MMMM yyyy"
DATETIME_FORMAT = "d MMMM yyyy, HH:mm"

# Cycle names are data ("2011 self-assessment", typed in English). Names of this shape are shown through a
# translated pattern; any other name is shown as it was typed.
_CYCLE_NAME = re.compile(r"(?P<year>\S+) self-assessment")


def _language(locale: str | None) -> str:
    if locale is None:
        # The page's language, chosen once per request (web.select_locale); asking Babel costs more each time,
        # and a page asks for every text it shows.
        locale = g.get("locale") if has_request_context() else None
        locale = locale or str(get_locale())
    return locale.split("_")[0].split("-")[0]


def score(value, locale: str | None = None) -> str:
    """A score as people read it (reports/formatting.py), in the page's language unless told."""
    return formatting.score(value, _language(locale))


def percent(value, locale: str | None = None) -> str:
    return formatting.percent(value, _language(locale))


def localised(text, locale: str | None = None) -> Markup:
    """Standards text in the page's language, marked lang="en" (or whatever it is in) when it has no translation.

    The one place that decides it: the `t` template filter and the questionnaire's labels and hints both use it.
    """
    language = _language(locale)
    # Standards text lives in the parsed framework, which the process keeps: each text is worded once per
    # language. The entry holds the text itself, so its id cannot be another's while the entry exists.
    entry = _LOCALISED.get((id(text), language))
    if entry is not None and entry[0] is text:
        return entry[1]
    value, actual = localise(text or {}, language)
    if actual != language:
        html = Markup('<span lang="{}">{}</span>').format(actual, value)
    else:
        html = Markup("{}").format(value)
    if isinstance(text, dict):
        if len(_LOCALISED) > 50_000:
            _LOCALISED.clear()
        _LOCALISED[(id(text), language)] = (text, html)
    return html


_LOCALISED: dict[tuple[int, str], tuple[object, Markup]] = {}


def level_name(framework: Framework, value: int, locale: str | None = None) -> Markup:
    """A level as people read it everywhere: its number with its label ("2 – Developing")."""
    level = next((lv for lv in framework.scale if lv.value == value), None)
    if level is None:
        return Markup("{}").format(value)
    return Markup("{} – {}").format(value, localised(level.label, locale))


def answer_text(framework: Framework, criterion: Criterion, row) -> Markup:
    """A criterion's answer as the pages read it back: the level with its label, yes or no, not applicable, or
    not answered; and whether it was carried over from last cycle and not yet confirmed."""
    if row is None or (row.level is None and not row.not_applicable):
        text = escape(_("Not answered"))
    elif row.not_applicable:
        text = escape(_("Not applicable"))
    elif criterion.type == YESNO:
        text = escape(_("Yes") if row.level == framework.max_level else _("No"))
    else:
        text = level_name(framework, row.level)
    if row is not None and row.carried_over:
        text += Markup(" ({})").format(_("carried over from last cycle, not yet confirmed"))
    return text


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
    return "" if value is None else _long_date(value, _language(None))


@lru_cache(maxsize=4096)  # a list of 178 assessments shows a handful of distinct dates, each costly to format
def _long_date(value: date | datetime, language: str) -> str:
    return format_date(value, DATE_FORMAT)


def long_datetime(value: datetime | None) -> str:
    return "" if value is None else format_datetime(value, DATETIME_FORMAT)


def evidence_refusal(error, quota) -> str:
    """Why an evidence file was not kept (services/evidence.EvidenceRejected), as a GOV.UK error message."""
    name = error.filename
    if error.reason == "empty":
        return _("The selected file %(name)s is empty", name=name)
    if error.reason == "too_large":
        return _("The selected file %(name)s must be smaller than %(mb)d MB", name=name,
                 mb=quota.max_bytes // (1024 * 1024))
    if error.reason == "answer_full":
        return _("%(name)s was not added: each question can have up to %(n)d files. Remove a file to add another",
                 name=name, n=quota.files_per_answer)
    if error.reason == "assessment_full":
        return _("%(name)s was not added: an assessment can have up to %(n)d files. Remove a file to add another",
                 name=name, n=quota.files_per_assessment)
    if error.reason == "assessment_too_large":
        return _("%(name)s was not added: an assessment's files can add up to %(mb)d MB at most. Remove a file "
                 "to add another", name=name, mb=quota.bytes_per_assessment // (1024 * 1024))
    return _("The selected file %(name)s must be a PDF, Word, Excel, PNG or JPEG file", name=error.filename)
