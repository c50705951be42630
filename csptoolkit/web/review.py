"""Peer review: the programme's list of submitted assessments, assigning champions to them, and returning them."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, Form, SelectField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length

from .. import services
from ..domain.identifiers import parse_id
from ..domain.states import MODERATED, MODERATED_STATES, SUBMITTED
from ..reports import benchmark as shown
from ..reports import moderation as review_rows
from ..reports.assessments import linked
from ..services import assessments as assessments_service
from ..services import catalogue, moderation, reviews
from ..services.scores import MODERATED as MODERATED_BASIS
from ..services.scores import is_moderated, score_of
from .admin import admin_required
from .forms import options
from .templating import fragment, id_url, macro, pagination
from .text import STATE_LABELS, cycle_name, localised, state_tag
from .widgets import GovCheckboxInput, GovSelect, GovSubmitInput, GovTextArea

bp = Blueprint("review", __name__)
PER_PAGE = 50


class ReviewFilterForm(Form):
    """The choices above the list (a GET form: it changes nothing, so it needs no CSRF token)."""

    cycle = SelectField(_l("Cycle"), widget=GovSelect(), choices=[])
    state = SelectField(_l("Status"), widget=GovSelect(), choices=[])
    region = SelectField(_l("Region"), widget=GovSelect(), choices=[])
    champion = SelectField(_l("Champion"), widget=GovSelect(), choices=[])


class AssignForm(FlaskForm):
    champion = SelectField(_l("Champion to assign"), widget=GovSelect(),
                           validators=[InputRequired(_l("Select the champion to assign"))], choices=[])
    confirm_neighbour = BooleanField(_l("Assign this champion although they come from a statistical neighbour"),
                                     widget=GovCheckboxInput())
    submit = SubmitField(_l("Assign champion"), widget=GovSubmitInput())


class ReturnForm(FlaskForm):
    reason = TextAreaField(_l("Why is the assessment returned?"), widget=GovTextArea(), validators=[
        InputRequired(_l("Enter why the assessment is returned")), Length(max=2000)])
    send_back = SubmitField(_l("Return to the authority"), widget=GovSubmitInput())


class PublishForm(FlaskForm):
    publish = SubmitField(_l("Publish the moderated assessment"), widget=GovSubmitInput())


class ResumeForm(FlaskForm):
    resume = SubmitField(_l("Resume the review"), widget=GovSubmitInput())


@bp.route("/admin/reviews")
@admin_required
def reviews_list():
    session = services.session()
    cycles = catalogue.cycles(session)
    form = ReviewFilterForm(request.args)
    form.cycle.choices = options((c.slug, cycle_name(c)) for c in cycles)
    cycle = next((c for c in cycles if c.slug == form.cycle.data), None) if form.cycle.data else (
        cycles[0] if cycles else None)
    if cycle is None:
        abort(404)
    form.cycle.data = cycle.slug
    form.state.choices = options([("", _("Any status"))] + [(s, STATE_LABELS[s]) for s in reviews.REVIEWABLE_STATES])
    regions = sorted({o.dfe_region for o in catalogue.organisation_names(session) if o.dfe_region})
    form.region.choices = options([("", _("All regions"))] + [(r, shown.region_name(r)) for r in regions])
    champions = reviews.active_champions(session)
    form.champion.choices = options([("", _("Any champion"))] + [(str(c.id), c.name) for c in champions])
    page = reviews.review_list(session, current_user, cycle, state=form.state.data or None,
                               region=form.region.data or None, champion_id=parse_id(form.champion.data),
                               page=parse_id(request.args.get("page")) or 1, per_page=PER_PAGE)
    # Kept by the rows themselves (plain values): the same page of the list is not built again.
    table = fragment(("reviews", cycle.id, tuple(page.rows), g.locale), "govukTable", lambda: _table(page, cycle))
    return render_template("review/list.html", form=None, filters=form, cycle=cycle, page=page, table=table,
                           pagination=pagination(page.page, page.pages, "review.reviews_list",
                                                 _("Pages of assessments")))


def _table(page: reviews.ReviewPage, cycle) -> dict:
    link = id_url("review.assign", "assessment_id")
    tags: dict[str, object] = {}
    # Two columns (the champions under the name): the table fits a 375 px screen.
    rows = [[{"html": linked(link(row.id), row.name, _("Champions: %(names)s", names=", ".join(row.champions))
                              if row.champions else _("No champion yet"))},
             {"html": tags.get(row.state) or tags.setdefault(row.state, _tag(row.state))}] for row in page.rows]
    return {"caption": _("Submitted assessments in %(cycle)s, by authority", cycle=cycle_name(cycle)),
            "captionClasses": "govuk-visually-hidden",
            "head": [{"text": _("Authority")}, {"text": _("Status")}], "rows": rows}


def _tag(state: str):
    return macro("govukTag")(state_tag(state))


@bp.route("/admin/reviews/<int:assessment_id>", methods=["GET", "POST"])
@admin_required
def assign(assessment_id: int):
    session = services.session()
    try:
        assessment = reviews.for_assignment(session, current_user, assessment_id)
    except reviews.ReviewRefused:
        abort(404)
    champions = reviews.active_champions(session)
    form = AssignForm(prefix="assign")
    form.champion.choices = options([("", _("Select a champion"))] + [
        (str(c.id), f"{c.name} ({c.email})") for c in champions])
    return_form = ReturnForm(prefix="return")
    publish_form, resume_form = PublishForm(prefix="publish"), ResumeForm(prefix="resume")
    warning = None
    if request.method == "POST" and ("publish-publish" in request.form or "resume-resume" in request.form):
        return _publish_or_resume(session, assessment, form, return_form, publish_form, resume_form)
    if request.method == "POST" and request.form.get("return-kind") == "return":
        if return_form.validate_on_submit():
            try:
                reviews.return_to_authority(session, current_user, assessment, return_form.reason.data)
            except reviews.ReviewRefused as refused:
                return_form.reason.errors.append(str(refused))
            else:
                flash(_("The assessment was returned to %(name)s.", name=assessment.organisation.name), "success")
                return redirect(url_for("review.assign", assessment_id=assessment_id)), 303
    elif request.method == "POST" and form.validate_on_submit():
        champion = next((c for c in champions if str(c.id) == form.champion.data), None)
        if champion is None:
            form.champion.errors.append(_("Select the champion to assign"))
        else:
            try:
                reviews.assign(session, current_user, assessment, champion, form.confirm_neighbour.data)
            except reviews.NeedsConfirming:
                warning = _("%(champion)s comes from %(authority)s, one of %(name)s's statistical neighbours. Tick "
                            "the box to assign them all the same.", champion=champion.name,
                            authority=champion.organisation.name, name=assessment.organisation.name)
            except reviews.ReviewRefused as refused:
                form.champion.errors.append(_refusal(refused, champion, assessment))
            else:
                flash(_("%(champion)s was assigned to review %(name)s.", champion=champion.name,
                        name=assessment.organisation.name), "success")
                return redirect(url_for("review.assign", assessment_id=assessment_id)), 303
    return _assign_page(session, assessment, form, return_form, publish_form, resume_form, warning)


def _assign_page(session, assessment, form: AssignForm, return_form: ReturnForm, publish_form: PublishForm,
                 resume_form: ResumeForm, warning: str | None):
    failed = next((f for f in (form, return_form, publish_form, resume_form) if f.errors), None)
    assigned = reviews.assignments_of(session, assessment)
    return render_template("review/assign.html", form=failed, assign_form=form, return_form=return_form,
                           publish_form=publish_form, resume_form=resume_form, assessment=assessment,
                           assigned=assigned, warning=warning,
                           can_return=assessment.state in reviews.RETURNABLE_STATES,
                           can_publish=assessment.state == MODERATED,
                           can_resume=assessment.state == SUBMITTED and bool(assigned),
                           **_review_summary(session, assessment)), (400 if failed else 200)


def _publish_or_resume(session, assessment, form: AssignForm, return_form: ReturnForm, publish_form: PublishForm,
                       resume_form: ResumeForm):
    """Publish or resume, as the button pressed asks: a redirect once done; else the page again (a refusal is on
    the form's button)."""
    if "publish-publish" in request.form and publish_form.validate_on_submit():
        action, pressed, field = moderation.publish, publish_form, publish_form.publish
        done = _("The moderated assessment of %(name)s was published.", name=assessment.organisation.name)
    elif "resume-resume" in request.form and resume_form.validate_on_submit():
        action, pressed, field = moderation.resume, resume_form, resume_form.resume
        done = _("The review of %(name)s was resumed with the champions already assigned.",
                 name=assessment.organisation.name)
    else:
        return _assign_page(session, assessment, form, return_form, publish_form, resume_form, None)
    try:
        action(session, current_user, assessment)
    except moderation.ModerationRefused as refused:
        field.errors = [*field.errors, _state_refusal(refused, assessment, "publish" if pressed is publish_form
                                                      else "resume")]
        return _assign_page(session, assessment, form, return_form, publish_form, resume_form, None)
    flash(done, "success")
    return redirect(url_for("review.assign", assessment_id=assessment.id)), 303


def _review_summary(session, assessment) -> dict:
    """What the review has found and what is left, the links to the champions' pages, and the gap once moderated."""
    rows = assessments_service.answer_views(session, assessment)
    found = moderation.review_of(session, assessment, rows)
    left = found.outstanding
    gaps = None
    if assessment.state in MODERATED_STATES and is_moderated(rows):
        framework = assessment.cycle.framework_version.rules()
        gaps = review_rows.gaps_table(
            review_rows.gap_rows(framework, score_of(assessment, rows=rows),
                                 score_of(assessment, MODERATED_BASIS, rows)),
            _("Self-assessed and moderated scores, out of 100, and the gap between them"), g.locale, localised)
    # The champions' review pages come with their own blueprint: linked once it is there.
    champion_pages = url_for("champion.review", assessment_id=assessment.id) \
        if "champion.review" in current_app.view_functions else None
    return {"findings": found.counts,
            "outstanding": {"no_finding": len(left.no_finding), "awaiting_response": len(left.awaiting_response),
                            "awaiting_level": len(left.awaiting_level)},
            "champion_pages": champion_pages, "gaps": gaps}


def _state_refusal(refused: moderation.ModerationRefused, assessment, action: str) -> str:
    """Why publishing or resuming was refused (the service names the rule), in the reader's language."""
    if refused.reason == "not_resumable":
        return _("No champion is assigned to this assessment yet: assign one.")
    state = STATE_LABELS[assessment.state]
    if action == "publish":
        return _("This assessment cannot be published now: it is %(state)s. Only a moderated assessment is "
                 "published.", state=state)
    return _("The review cannot be resumed now: the assessment is %(state)s. A review is resumed when a returned "
             "assessment has been submitted again.", state=state)


def _refusal(refused: reviews.ReviewRefused, champion, assessment) -> str:
    """Why an assignment was refused (the service names the rule), in the reader's language."""
    if refused.reason == "own_authority":
        return _("%(champion)s is from %(name)s: a champion may not review their own authority.",
                 champion=champion.name, name=assessment.organisation.name)
    if refused.reason == "already_assigned":
        return _("%(champion)s is already assigned to this assessment.", champion=champion.name)
    return _("This assessment cannot be assigned now: it is %(state)s.", state=STATE_LABELS[assessment.state])
