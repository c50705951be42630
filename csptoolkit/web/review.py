"""Peer review: the programme's list of submitted assessments, assigning champions to them, and returning them."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, Form, SelectField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length

from .. import services
from ..domain.identifiers import parse_id
from ..reports import benchmark as shown
from ..reports.assessments import linked
from ..services import catalogue, reviews
from .admin import admin_required
from .forms import options
from .templating import fragment, id_url, macro
from .text import STATE_LABELS, cycle_name, state_tag
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
                           pagination=_pagination(page))


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


def _pagination(page: reviews.ReviewPage) -> dict | None:
    """GOV.UK pagination for the list, keeping its filters; None when it fits on one page."""
    if page.pages <= 1:
        return None
    args = {k: v for k, v in request.args.items() if k != "page"}

    def href(number: int) -> str:
        return url_for("review.reviews_list", **args, page=number)

    items = [{"number": n, "href": href(n), "current": n == page.page} for n in range(1, page.pages + 1)]
    result: dict = {"items": items, "landmarkLabel": _("Pages of assessments")}
    if page.page > 1:
        result["previous"] = {"href": href(page.page - 1), "labelText": _("Previous")}
    if page.page < page.pages:
        result["next"] = {"href": href(page.page + 1), "labelText": _("Next")}
    return result


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
    warning = None
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
    errors = form.errors or return_form.errors
    return render_template("review/assign.html", form=form if form.errors else return_form if return_form.errors
                           else None, assign_form=form, return_form=return_form, assessment=assessment,
                           assigned=reviews.assignments_of(session, assessment), warning=warning,
                           can_return=assessment.state in reviews.RETURNABLE_STATES), (400 if errors else 200)


def _refusal(refused: reviews.ReviewRefused, champion, assessment) -> str:
    """Why an assignment was refused (the service names the rule), in the reader's language."""
    if refused.reason == "own_authority":
        return _("%(champion)s is from %(name)s: a champion may not review their own authority.",
                 champion=champion.name, name=assessment.organisation.name)
    if refused.reason == "already_assigned":
        return _("%(champion)s is already assigned to this assessment.", champion=champion.name)
    return _("This assessment cannot be assigned now: it is %(state)s.", state=STATE_LABELS[assessment.state])
