"""The plan page's tables: the actions by priority (one page of them, filtered by status) and what closed between
cycles, as govukTable parameters of three columns, so that they fit a 375 px screen in Welsh as in English (the
priority is the number before each action's words)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from flask_babel import gettext as _
from markupsafe import Markup, escape

from ..domain import planning
from ..domain.text import localise
from ..reports import plans as shown
from .text import long_date

PER_PAGE = 25
# What the list of actions can show: every action, those not done, those past their due date, those done.
ALL, OPEN, OVERDUE, DONE = "all", "open", "overdue", "done"
VIEWS = (ALL, OPEN, OVERDUE, DONE)
SHORT = 140  # characters of an action's words or notes in the table; the action's own page shows them all


def chosen(actions: Sequence[shown.ActionRow], view: str) -> list[shown.ActionRow]:
    """The actions a view shows, in priority order."""
    if view == OPEN:
        return [a for a in actions if a.status != planning.DONE]
    if view == OVERDUE:
        return [a for a in actions if a.overdue]
    if view == DONE:
        return [a for a in actions if a.status == planning.DONE]
    return list(actions)


def counts(report: shown.PlanReport) -> dict[str, int]:
    progress = report.progress
    return {ALL: len(report.actions), OPEN: progress.in_progress + progress.not_started,
            OVERDUE: progress.overdue, DONE: progress.done}


def page_of(actions: Sequence[shown.ActionRow], action_id: int) -> int:
    """The page of the whole list (every action) that shows an action; the last page for one not in it yet."""
    index = next((n for n, a in enumerate(actions) if a.id == action_id), len(actions))
    return index // PER_PAGE + 1


def short(text: str, limit: int = SHORT) -> str:
    """The first `limit` characters of a text on one line, cut at a word, with an ellipsis when cut."""
    flat = " ".join((text or "").split())
    if len(flat) <= limit:
        return flat
    cut = flat[:limit].rsplit(" ", 1)[0] or flat[:limit]
    return cut.rstrip(",;:.") + "…"


def _in(language: str, text: Mapping[str, str] | None, fallback: str = "") -> Markup:
    """Standards text in a language, shortened; marked with the language it is in when it has no translation."""
    value, actual = localise(text, language) if text else (fallback, language)
    if actual != language:
        return Markup('<span lang="{}">{}</span>').format(actual, short(value))
    return escape(short(value))


def _action_words(action: shown.ActionRow, language: str) -> Markup:
    if action.own_text is None and action.file_text:
        return _in(language, action.file_text)
    return escape(short(action.text(language)))


def _where(action: shown.ActionRow, language: str) -> Markup:
    """Where the action belongs: its criterion and standard, or the standard an own action names."""
    if action.criterion_id:
        return Markup("{} · {} {}").format(action.criterion_id, action.standard_id,
                                           _in(language, action.standard_title))
    if action.standard_id:
        return Markup("{} {}").format(_("Your own action on %(id)s", id=action.standard_id),
                                      _in(language, action.standard_title))
    return escape(_("Your own action"))


def _status(action: shown.ActionRow, labels: Mapping[str, str]) -> Markup:
    html = Markup('<strong class="govuk-tag {}">{}</strong>').format(shown.STATUS_TAG_CLASSES[action.status],
                                                                      labels[action.status])
    if action.overdue:
        html += Markup(' <strong class="govuk-tag govuk-tag--red">{}</strong>').format(_("Overdue"))
    if action.done_on:
        html += Markup('<br><span class="govuk-body-s">{}</span>').format(
            _("done on %(date)s", date=long_date(action.done_on)))
    return html


def actions_table(rows: Sequence[shown.ActionRow], first: int, total: int, language: str,
                  action_url: Callable[[int], str]) -> dict:
    """The action (its priority, its words linked to its own page, where it belongs, a mandatory gate, its progress
    notes), owner and due date, status: one row per action of `rows`, the `first`th of `total` first."""
    labels = {k: str(v) for k, v in shown.STATUS_LABELS.items()}
    gate = Markup('<br><strong class="govuk-tag govuk-tag--red">{}</strong>').format(
        _("Mandatory: below its minimum level"))
    not_given = _("Not given")
    body = []
    for action in rows:
        cell = Markup('{}. <a class="govuk-link" href="{}">{}</a><br><span class="govuk-body-s">{}</span>').format(
            action.priority, action_url(action.id), _action_words(action, language), _where(action, language))
        if action.gate:
            cell += gate
        if action.notes:
            cell += Markup('<br><span class="govuk-body-s">{}</span>').format(
                _("Progress notes: %(notes)s", notes=short(action.notes)))
        due = _("Due %(date)s", date=long_date(action.due_on)) if action.due_on else _("No due date")
        body.append([
            {"html": cell, "attributes": {"id": f"action-{action.id}"}},
            {"html": Markup("{}<br>{}").format(action.owner or not_given, due)},
            {"html": _status(action, labels)}])
    caption = _("Actions %(first)d to %(last)d of %(total)d", first=first, last=first + len(rows) - 1, total=total)
    return {"caption": caption, "captionClasses": "govuk-visually-hidden",
            "head": [{"text": _("Action, by priority")}, {"text": _("Owner and due date")}, {"text": _("Status")}],
            "rows": body}


def closed_table(rows: Sequence[shown.ClosedRow], language: str) -> dict:
    """Criterion, last cycle's action, why it closed (and what it became, and who owned it)."""
    body = []
    for row in rows:
        words = _in(language, row.file_text) if row.own_text is None else escape(short(row.own_text))
        why = Markup("{}").format(row.reason_label)
        if row.becomes:
            why += Markup(": {}").format(_("now %(ids)s", ids=", ".join(row.becomes)))
        if row.owner:
            why += Markup('<br><span class="govuk-body-s">{}</span>').format(_("Owner: %(owner)s", owner=row.owner))
        body.append([{"text": row.criterion_id or _("Your own action")}, {"html": words}, {"html": why}])
    return {"caption": _("Actions of last cycle's plan that closed"), "captionClasses": "govuk-visually-hidden",
            "firstCellIsHeader": True,
            "head": [{"text": _("Criterion")}, {"text": _("Action")}, {"text": _("Why it closed")}], "rows": body}
