"""Learning matches (an assessment's weakest standards and the peers willing to share practice on them) and the page
where an authority chooses the standards it is willing to be named on."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectMultipleField

from .. import services
from ..domain.learning import ALL_STANDARDS, NATION, REGION, ROOM_CEILING, STATISTICAL_NEIGHBOURS, WEAKEST
from ..domain.text import localise
from ..reports.benchmark import region_name
from ..services import learning as service
from .forms import options
from .widgets import GovCheckboxesInput, GovCheckboxInput

bp = Blueprint("learning", __name__)


@bp.route("/assessments/<int:assessment_id>/plan/learning")
@login_required
def show(assessment_id: int):
    store = services.session()
    try:
        found = service.learning_for(store, current_user, assessment_id)
    except service.NotAllowed:
        abort(404)
    assessment = found.assessment
    back = (url_for("plan.show", assessment_id=assessment.id) if "plan.show" in current_app.view_functions
            else url_for("assess.overview", assessment_id=assessment.id))
    earlier = None
    if not found.counted and found.earlier is not None:
        earlier = url_for("learning.show", assessment_id=found.earlier)
    return render_template("plan/learning.html", found=found, assessment=assessment, back=back, earlier=earlier,
                           tier_text=lambda match: tier_text(match, assessment.organisation.region_name),
                           own=current_user.organisation_id == assessment.organisation_id,
                           may_change=service.may_change_opt_ins(current_user), weakest=WEAKEST,
                           ceiling=int(ROOM_CEILING))


def tier_text(match: service.NamedMatch, region: str | None) -> str:
    """Where a named peer was found, in the reader's words (never how it scores, beyond "higher")."""
    if match.tier == STATISTICAL_NEIGHBOURS:
        return _("A statistical neighbour")
    if match.tier == REGION:
        return _("In the same region (%(region)s)", region=region_name(region))
    if match.tier == NATION:
        return _("Elsewhere in Wales") if match.in_wales else _("Elsewhere in England")
    raise ValueError(match.tier)


# ----------------------------------------------------------------------------------------------------------
# Opting in and out


def sharing_form(framework: service.SharingFramework, chosen: frozenset[str], data=None) -> FlaskForm:
    """The opt-in form built from the framework: "all standards", then a set of checkboxes per domain."""
    language = g.locale

    def plain(text: dict) -> str:
        return localise(text or {}, language)[0]

    fields = {
        "all_standards": BooleanField(_l("All standards, including any added to later versions"),
                                      widget=GovCheckboxInput()),
        "shown": HiddenField(),
    }
    for number, domain in enumerate(framework.rules.domains, start=1):
        fields[f"domain_{number}"] = SelectMultipleField(
            plain(domain.title), widget=GovCheckboxesInput(),
            choices=options((s.id, f"{s.id} {plain(s.title)}") for s in domain.standards))
    form_class = type("SharingForm", (FlaskForm,), fields)
    form = form_class(formdata=data) if data is not None else form_class(formdata=None)
    if data is None:
        form.all_standards.data = ALL_STANDARDS in chosen
        form.shown.data = ",".join(sorted(chosen))
        for number, domain in enumerate(framework.rules.domains, start=1):
            form[f"domain_{number}"].data = [s.id for s in domain.standards if s.id in chosen]
    return form


def chosen_in(form: FlaskForm, framework: service.SharingFramework) -> set[str]:
    chosen = {ALL_STANDARDS} if form.all_standards.data else set()
    for number in range(1, len(framework.rules.domains) + 1):
        chosen.update(form[f"domain_{number}"].data or ())
    return chosen


def _framework() -> service.SharingFramework:
    frameworks = service.sharing_frameworks(services.session())
    wanted = request.args.get("framework")
    found = next((f for f in frameworks if f.slug == wanted), None) if wanted else (frameworks or [None])[0]
    if found is None:
        abort(404)
    return found


@bp.route("/sharing", methods=["GET", "POST"])
@login_required
def sharing():
    if not service.may_read_opt_ins(current_user):
        abort(404)
    framework = _framework()
    store = services.session()
    current = service.own_opt_ins(store, current_user, framework)
    may_change = service.may_change_opt_ins(current_user)
    if request.method == "POST":
        if not may_change:
            abort(404)
        form = sharing_form(framework, current, request.form)
        if not form.validate():
            if form.errors.get("csrf_token"):
                abort(400)
            return render_template("sharing/edit.html", form=form, framework=framework, current=current,
                                   may_change=may_change), 400
        # Only what this person changed from what their page showed: a colleague's change meanwhile is kept.
        shown = {key for key in (form.shown.data or "").split(",") if key}
        chosen = chosen_in(form, framework)
        try:
            service.change_opt_ins(store, current_user, framework, chosen - shown, shown - chosen)
        except ValueError:
            abort(400)
        flash(_("Your authority's choices are saved."), "success")
        return redirect(url_for("learning.sharing", framework=framework.slug)), 303
    form = sharing_form(framework, current)
    return render_template("sharing/edit.html", form=form, framework=framework, current=current,
                           may_change=may_change)
