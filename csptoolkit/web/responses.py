"""The authority's side of peer review: every challenge and request for evidence, its answers, the moderated levels."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from wtforms import HiddenField, RadioField, SubmitField, TextAreaField
from wtforms.validators import Length

from .. import services
from ..domain import moderation as rules
from ..domain import standards as standards_rules
from ..domain.roles import CHAMPION, EDITOR
from ..domain.states import MODERATED_STATES
from ..reports.moderation import outcome_label, response_label
from ..services import assessments as service
from ..services import moderation
from .forms import options
from .text import STATE_LABELS, level_name
from .widgets import GovRadioInput, GovSubmitInput, GovTextArea

bp = Blueprint("responses", __name__)


@dataclass(frozen=True)
class Question:
    """One challenge or request for evidence as the page shows it, with the names of its form fields."""

    criterion: standards_rules.Criterion
    finding: moderation.FindingView
    token: str  # the criterion's place in the (immutable) version: its fields keep their names across requests

    @property
    def response_field(self) -> str:
        return f"{self.token}_response"

    @property
    def keep_field(self) -> str:
        return f"{self.token}_keep"

    @property
    def evidence_field(self) -> str:
        return f"{self.token}_evidence"


@dataclass(frozen=True)
class StandardGroup:
    standard: standards_rules.Standard
    comment: str | None
    questions: list[Question]


def _groups(framework: standards_rules.Framework, review: moderation.Review) -> list[StandardGroup]:
    """The standards with a challenge, a request or a comment, in framework order, each with its questions."""
    groups = []
    place = {c.id: index for index, c in enumerate(framework.criteria)}
    for standard in framework.standards:
        questions = [Question(c, review.findings[c.id], f"c{place[c.id]}") for c in standard.criteria
                     if c.id in review.findings and review.findings[c.id].questioned]
        comment = review.comments.get(standard.id)
        if questions or comment:
            groups.append(StandardGroup(standard, comment, questions))
    return groups


def level_text(framework: standards_rules.Framework, criterion: standards_rules.Criterion, level: int) -> Markup:
    """A level a champion proposed or set, read as the authority's answers are: yes or no, or the level's name."""
    if criterion.type == standards_rules.YESNO:
        return escape(_("Yes") if level == framework.max_level else _("No"))
    return level_name(framework, level)


def _form_class(questions: list[Question]) -> type[FlaskForm]:
    """A form with, for each question, how the authority answers it and the note that answer needs."""

    class ResponseForm(FlaskForm):
        revision = HiddenField()  # the findings the page showed: answering a changed one is refused
        save = SubmitField(_l("Save your answers"), widget=GovSubmitInput())

    for question in questions:
        choices = [(rules.ACCEPT, _("Accept the proposed level"))] if question.finding.outcome == rules.CHALLENGE \
            else []
        choices += [(rules.KEEP, _("Keep our rating")), (rules.EVIDENCE_ADDED, _("We have added evidence"))]
        # Any value is passed on: the moderation rules refuse one that is not an answer, worded below.
        setattr(ResponseForm, question.response_field, RadioField(
            _("How do you answer the finding on %(id)s?", id=question.criterion.id), choices=options(choices),
            validate_choice=False, widget=GovRadioInput()))
        setattr(ResponseForm, question.keep_field, TextAreaField(
            _("Why does your rating stand?"), widget=GovTextArea(), validators=[Length(
                max=rules.REASON_MAX, message=_l("The note must be %(max)d characters or fewer",
                                                 max=rules.REASON_MAX))]))
        setattr(ResponseForm, question.evidence_field, TextAreaField(
            _("Describe the evidence you have added"), widget=GovTextArea(), validators=[Length(
                max=rules.REASON_MAX, message=_l("The note must be %(max)d characters or fewer",
                                                 max=rules.REASON_MAX))]))
    return ResponseForm


def _fill(form: FlaskForm, questions: list[Question]) -> None:
    """The answers already given, as the form's starting values."""
    for question in questions:
        finding = question.finding
        form[question.response_field].data = finding.response
        if finding.response == rules.KEEP:
            form[question.keep_field].data = finding.response_note
        elif finding.response == rules.EVIDENCE_ADDED:
            form[question.evidence_field].data = finding.response_note


def _posted(form: FlaskForm, questions: list[Question]) -> dict[str, tuple[str | None, str | None]]:
    answers = {}
    for question in questions:
        response = form[question.response_field].data or None
        note = (form[question.keep_field].data if response == rules.KEEP else
                form[question.evidence_field].data if response == rules.EVIDENCE_ADDED else None)
        answers[question.criterion.id] = (response, note)
    return answers


def _field_error(error: rules.FindingError, response: str | None) -> str:
    """What the rules refused, in the reader's language (they name the field and the rule, never the words)."""
    if error.field == "response_note":
        if error.code == "too_long":
            return _("The note must be %(max)d characters or fewer", max=rules.REASON_MAX)
        return _("Enter why your rating stands") if response == rules.KEEP else _(
            "Describe the evidence you have added")
    if error.code == "not_challenge":
        return _("Only a challenge's proposed level can be accepted: choose another answer")
    if error.code == "not_questioned":
        return _("This finding no longer needs an answer: the champion has changed it")
    return _("Select how you answer this finding")


def _refusal(refused: moderation.ModerationRefused, assessment) -> str:
    if refused.reason == "not_allowed":
        return _("Only the authority's editors answer the peer review.")
    return _("Your answers were not saved: the assessment is %(state)s, and answers are given only while it is "
             "in review.", state=STATE_LABELS[assessment.state])


@bp.route("/assessments/<int:assessment_id>/review", methods=["GET", "POST"])
@login_required
def review(assessment_id: int):
    if current_user.role == CHAMPION:  # champions review on their own pages
        abort(404)
    session = services.session()
    try:
        assessment = service.viewable(session, current_user, assessment_id)
    except service.NotAllowed:
        abort(404)
    if request.method == "POST" and not (current_user.role == EDITOR and
                                         current_user.organisation_id == assessment.organisation_id):
        abort(403)  # viewers and the programme read the answers; only the authority's editors give them
    framework = assessment.cycle.framework_version.rules()
    views = service.answer_views(session, assessment)
    found = moderation.review_of(session, assessment, views)
    groups = _groups(framework, found)
    questions = [q for group in groups for q in group.questions]
    form = _form_class(questions)()
    errors: list[dict] = []
    if request.method == "POST":
        if form.validate_on_submit():
            saved = _save(session, assessment, form, questions, errors)
            if saved is not None:
                return saved
        elif form.errors.get("csrf_token"):
            abort(400)
    else:
        _fill(form, questions)
    if request.method == "GET":
        form.revision.data = moderation.responses_revision(found)
    elif getattr(form, "conflict", False):  # what is stored now (the other save may have committed since)
        form.revision.data = moderation.responses_revision(moderation.review_of(session, assessment, views))
    errors += [{"text": form[name].errors[0], "href": f"#{form[name].id}"} for question in questions
               for name in (question.response_field, question.keep_field, question.evidence_field)
               if form[name].errors]
    # Refused because the assessment left review meanwhile: the editor's words stay on the page all the same.
    may_answer = moderation.may_respond(current_user, assessment) or (bool(errors) and current_user.role == EDITOR)
    return render_template(
        "responses/review.html", assessment=assessment, framework=framework, review=found, groups=groups,
        rows=service.answers_by_key(views), level_text=level_text, response_form=form, may_answer=may_answer,
        errors=errors, awaiting=len(found.outstanding.awaiting_response),
        counts=found.counts,
        moderated=assessment.state in MODERATED_STATES, outcome_label=outcome_label, response_label=response_label,
        challenge=rules.CHALLENGE), 400 if errors else 200


def _save(session, assessment, form: FlaskForm, questions: list[Question], errors: list[dict]):
    """Record the answers posted: a redirect when saved; None when refused, with the refusal on the fields (or in
    `errors` when the assessment is no longer in review)."""
    posted = _posted(form, questions)
    try:
        changed = moderation.respond(session, current_user, assessment, posted,
                                     seen_revision=form.revision.data or "")
    except moderation.ReviewConflict:
        form.conflict = True
        errors.append({"text": _("Someone changed the review after you opened this page, so your answers were not "
                                 "saved. They are kept below: read the findings again, then save.")})
        return None
    except moderation.FindingsRefused as failed:
        by_id = {q.criterion.id: q for q in questions}
        for error in failed.errors:
            question = by_id.get(error.criterion_id)
            if question is None:
                continue
            response = posted[question.criterion.id][0]
            name = question.response_field if error.field != "response_note" else (
                question.keep_field if response == rules.KEEP else question.evidence_field)
            form[name].errors = [*form[name].errors, _field_error(error, response)]
        return None
    except moderation.ModerationRefused as refused:
        errors.append({"text": _refusal(refused, assessment)})
        return None
    if changed:
        flash(ngettext("%(num)d answer was saved. The peer reviewers have been told.",
                       "%(num)d answers were saved. The peer reviewers have been told.", changed), "success")
    else:
        flash(_("Nothing was changed: no answer was new."), "info")
    return redirect(url_for("responses.review", assessment_id=assessment.id)), 303
