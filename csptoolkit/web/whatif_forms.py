"""The what-if's form: one domain's criteria at a time, each a select of no target or a level on its scale.

The framework has about a hundred criteria: a page of all of them is long to read and slow to build, so the form
shows one domain's (the others' targets travel with it as hidden inputs) and a choice of domain.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import g, render_template
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import HiddenField, SelectField, SubmitField
from wtforms.validators import Optional

from ..domain import scoring
from ..domain.standards import YESNO, Domain, Framework
from ..domain.text import localise
from ..domain.whatif import target_levels
from .forms import options
from .templating import kept
from .text import localised
from .widgets import GovSelect, GovSubmitInput


def plain(text: Any) -> str:
    """Standards text in the page's language as plain text (a select's options cannot hold markup)."""
    return localise(text or {}, g.locale)[0]


def _level_text(framework: Framework, criterion, level: int) -> str:
    if criterion.type == YESNO:
        return _("Yes") if level == framework.max_level else _("No")
    label = next((lv.label for lv in framework.scale if lv.value == level), None)
    return f"{level} – {plain(label)}" if label else str(level)


def _current_text(framework: Framework, criterion, answer: scoring.Answer | None, visible: bool) -> str:
    if not visible:
        return _("not asked now")
    if answer is None:
        return _("not answered")
    if answer == scoring.NA:
        return _("not applicable")
    return _level_text(framework, criterion, int(answer))


def domain_criteria(domain: Domain) -> list:
    return [c for standard in domain.standards for c in standard.criteria]


def build_targets_form(framework: Framework, domain: Domain, answers: Mapping[str, scoring.Answer],
                       visible: frozenset[str]) -> type[FlaskForm]:
    """A form with one select per criterion of the domain: no target, or any level its target may take, the
    current one marked; the choice of domain; and the buttons."""

    class TargetsForm(FlaskForm):
        revision = HiddenField()
        domain = SelectField(_l("Show the questions of"), widget=GovSelect(), choices=[], validate_choice=False)
        show = SubmitField(_l("Show these questions"), widget=GovSubmitInput())
        recalculate = SubmitField(_l("Recalculate"), widget=GovSubmitInput())
        commit = SubmitField(_l("Use these as the plan's targets"), widget=GovSubmitInput())

    now = _("(now)")
    for criterion in domain_criteria(domain):
        answer = answers.get(criterion.id)
        asked = criterion.id in visible
        choices = [("", _("No target (now: %(level)s)", level=_current_text(framework, criterion, answer, asked)))]
        for level in target_levels(framework, criterion.id):
            text = _level_text(framework, criterion, level)
            choices.append((str(level), f"{text} {now}" if asked and answer == level else text))
        label = Markup("{} {}").format(criterion.id, localised(criterion.text))
        setattr(TargetsForm, criterion.id, SelectField(label, widget=GovSelect(), choices=options(choices),
                                                        validators=[Optional()], validate_choice=False))
    return TargetsForm


def targets_form(framework: Framework, domain: Domain, answers: Mapping[str, scoring.Answer],
                 visible: frozenset[str]) -> type[FlaskForm]:
    """The form for these answers in the page's language, built once per process."""
    key = (framework.content_hash, g.locale, domain.id,
           tuple((c.id, answers.get(c.id), c.id in visible) for c in domain_criteria(domain)))
    form_class = _FORMS.get(key)
    if form_class is None:
        if len(_FORMS) >= 512:
            _FORMS.clear()
        form_class = _FORMS[key] = build_targets_form(framework, domain, answers, visible)
    return form_class


_FORMS: dict[tuple, type[FlaskForm]] = {}


def domain_choices(framework: Framework, targets: Mapping[str, Any]) -> list:
    """Each domain, with how many targets it has."""
    choices = []
    for domain in framework.domains:
        count = sum(1 for c in domain_criteria(domain) if targets.get(c.id) not in (None, ""))
        title = plain(domain.title)
        choices.append((domain.id, f"{title} ({ngettext('%(num)d target', '%(num)d targets', count)})"
                        if count else title))
    return options(choices)


def fieldsets(form: FlaskForm, framework: Framework, domain: Domain, answers: Mapping[str, scoring.Answer],
              visible: frozenset[str]) -> list[Markup]:
    """The domain's standards as fieldsets of selects, each kept under everything its HTML shows (its criteria's
    answers, visibility, choices and errors): choosing one target renders one fieldset again."""
    shown = []
    for standard in domain.standards:
        key = ("whatif-fieldset", framework.content_hash, g.locale, standard.id, tuple(
            (c.id, answers.get(c.id), c.id in visible, form[c.id].data, tuple(form[c.id].errors))
            for c in standard.criteria))
        shown.append(kept(key, lambda standard=standard: Markup(render_template(
            "plan/_whatif_fieldset.html", standard=standard, form=form))))
    return shown
