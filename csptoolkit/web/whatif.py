"""What-if on the plan: pick target levels, see the scores, bands and standing they would give, make them the plan's.

Works without JavaScript: the form posts back and the page shows the recalculated results (and, for "Show these
questions", another domain's criteria, the targets chosen so far kept). With it, assets/js/whatif.js asks the JSON
address on each change and puts the results in place.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Blueprint, abort, current_app, flash, g, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.datastructures import MultiDict

from .. import services
from ..domain import scoring
from ..domain.standards import Domain, Framework
from ..reports import benchmark as benchmark_report
from ..reports import formatting
from ..reports import whatif as shown
from ..services import plans
from ..services import whatif as service
from .templating import fragment
from .text import localised, score
from .whatif_forms import domain_choices, domain_criteria, fieldsets, plain, targets_form

bp = Blueprint("whatif", __name__)

CONTROLS = frozenset({"csrf_token", "revision", "domain", "show", "recalculate", "commit", "html"})
"""Request keys that are not targets; every other key must name a criterion."""


def _subject(assessment_id: int):
    try:
        return service.subject(services.session(), current_user, assessment_id)
    except service.NotAllowed:
        abort(404)


def _raw_targets(source: MultiDict) -> dict[str, str]:
    """The targets a request gives (criterion id -> raw level); a key that is neither a control nor a criterion
    is a target on no criterion, which the domain refuses with the rest."""
    return {key: source.get(key, "") for key in source if key not in CONTROLS}


def _calculate(assessment, raw: Mapping[str, Any]):
    return service.what_if(services.session(), current_user, assessment, raw,
                           current_app.config["DISCLOSURE_THRESHOLD"])


def _tables(view) -> dict:
    """The results' two tables as HTML, each kept under what it is made from: the answers now and with the
    targets (the scores), and the standings (a what-if shown again costs two lookups)."""
    framework, found = view.framework, view.result
    scores_key = ("whatif-scores", framework.content_hash, g.locale, frozenset(view.answers.items()),
                  frozenset(found.answers.items()))
    standings_key = ("whatif-standings", framework.content_hash, g.locale, view.threshold,
                     tuple(found.now.items()), tuple(found.then.items()))
    return {
        "scores_table": fragment(scores_key, "govukTable", lambda: shown.scores_table(
            framework, found, text=localised, score_text=score)),
        "standings_table": fragment(standings_key, "govukTable", lambda: shown.standings_table(
            framework, found, view.threshold, _("Rank and quartile band, now and with these targets"),
            text=localised, rank_text=benchmark_report.rank_text)),
        "group_name": benchmark_report.group_option(view.group_kind, view.assessment.organisation),
    }


def _summary(view) -> str:
    """What the results say in one sentence, for the live region that announces a recalculation."""
    overall = view.result.result.overall
    band = plain(overall.band.label) if overall.band else _("not scored")
    text = _("With these targets the overall score would be %(score)s (%(band)s).",
             score=formatting.score(overall.value, g.locale), band=band)
    standing = view.result.then.get(scoring.OVERALL)
    if standing is not None and standing.shown:
        text += " " + _("Overall: %(standing)s.", standing=shown.standing_text(
            standing, view.threshold, benchmark_report.rank_text))
    return text


def _domain(framework: Framework, chosen: str | None, targets: Mapping[str, Any]) -> Domain:
    """The domain whose questions the form shows: the one chosen, else the first with a target, else the first."""
    by_id = {d.id: d for d in framework.domains}
    if chosen in by_id:
        return by_id[chosen]
    return next((d for d in framework.domains if any(targets.get(c.id) for c in domain_criteria(d))),
                framework.domains[0])


def _form(view, domain: Domain, raw: Mapping[str, Any], data: MultiDict | None):
    """The form for `domain`, filled from the posted data (or, for a first view, from the targets)."""
    form = targets_form(view.framework, domain, view.answers, view.result.current.visible)(formdata=data)
    form.domain.choices = domain_choices(view.framework, raw)
    form.domain.data = domain.id
    return form


def _page(view, form, domain: Domain, raw: Mapping[str, Any], status: int = 200, conflict: bool = False):
    own = {c.id for c in domain_criteria(domain)}
    carried = [(cid, value) for cid, value in raw.items() if cid not in own and value not in (None, "")]
    return render_template(
        "plan/whatif.html", assessment=view.assessment, view=view, form=form, conflict=conflict, domain=domain,
        framework=view.framework, summary=_summary(view), plan_page=_plan_page(view.assessment), carried=carried,
        fieldsets=fieldsets(form, view.framework, domain, view.answers, view.result.current.visible),
        **_tables(view)), status


def _plan_page(assessment) -> str:
    return url_for("plan.show", assessment_id=assessment.id)


@bp.route("/assessments/<int:assessment_id>/plan/what-if", methods=["GET", "POST"])
@login_required
def show(assessment_id: int):
    assessment = _subject(assessment_id)
    session = services.session()
    posted = request.method == "POST"
    source = request.form if posted else request.args
    raw: dict[str, Any] = _raw_targets(source)
    if not posted and not raw:  # a first view starts from the plan's own targets
        raw = {cid: str(level) for cid, level in plans.targets_of(session, assessment.id).items()}
    framework = assessment.cycle.framework_version.rules()
    try:
        view = _calculate(assessment, raw)
    except service.TargetError as error:
        domain = next((d for d in framework.domains if error.criterion_id in {c.id for c in domain_criteria(d)}),
                      None)
        if domain is None:
            abort(400)
        view = _calculate(assessment, {})
        form = _form(view, domain, raw, source if posted else MultiDict(raw))
        form[error.criterion_id].errors = [_("Select a level from the list")]
        return _page(view, form, domain, raw, 400)
    domain = _domain(framework, source.get("domain"), raw)
    form = _form(view, domain, raw, source if posted else MultiDict(raw))
    if not posted:
        form.revision.data = str(plans.plan_revision(session, assessment.id) or 0)
        return _page(view, form, domain, raw)
    if not form.validate():  # the CSRF token
        return _page(view, form, domain, raw, 400)
    if "commit" in request.form:
        return _commit(view, form, domain, raw)
    return _page(view, form, domain, raw)


def _commit(view, form, domain: Domain, raw: Mapping[str, Any]):
    if not view.editable:
        abort(404)
    # Every criterion: its level, or None where no target is chosen (which removes one the plan has).
    targets: dict[str, int | None] = {c.id: view.result.targets.get(c.id) for c in view.framework.criteria}
    seen = int(form.revision.data) if (form.revision.data or "").isdigit() else -1
    try:
        plans.set_targets(services.session(), current_user, view.assessment.id, targets, seen)
    except plans.NotAllowed:
        abort(404)
    except plans.PlanConflict as conflict:
        # The page now carries the plan's revision: the same button again makes these the targets over the other
        # change, which the person has been told of.
        form.revision.data = str(conflict.revision or 0)
        return _page(view, form, domain, raw, 409, conflict=True)
    flash(_("The plan's targets have been changed."), "success")
    return redirect(_plan_page(view.assessment)), 303


@bp.route("/assessments/<int:assessment_id>/plan/what-if.json")
@login_required
def data(assessment_id: int):
    assessment = _subject(assessment_id)
    try:
        view = _calculate(assessment, _raw_targets(request.args))
    except service.TargetError as error:
        return jsonify({"error": str(error), "criterion": error.criterion_id}), 400
    body = shown.to_json(view.framework, view.result, view.basis, view.group_kind)
    if request.args.get("html"):  # for whatif.js: the results as the page shows them, and what to announce
        body["html"] = render_template("plan/_whatif_results.html", view=view, framework=view.framework,
                                       **_tables(view))
        body["summary"] = _summary(view)
    return jsonify(body)
