"""Benchmark pages: an authority against its peer groups, trends across cycles, the national and region views.

The figures come from services/benchmarks, already cut down by the disclosure rule (domain/benchmark); what the
page, the CSV and the XLSX show of them is built once in reports/benchmark.
"""

from __future__ import annotations

from functools import wraps

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxesInput, GovCheckboxInput, GovSelect, GovTextInput
from sqlalchemy import select
from wtforms import BooleanField, Form, SelectField, SelectMultipleField, StringField
from wtforms.validators import InputRequired, Length

from ..extensions import db
from ..models import Cycle, Organisation
from ..models.user import ADMIN, CHAMPION
from ..reports import benchmark as shown
from ..reports import charts, exports
from ..services import benchmarks as service
from ..services import trends
from .admin import admin_required
from .forms import ConfirmForm, options
from .text import cycle_name

bp = Blueprint("benchmark", __name__, url_prefix="/benchmarks")

BASIS_LABELS = {
    "best": _l("Best available: moderated where moderated, otherwise self-assessed"),
    "self": _l("Self-assessed"), "moderated": _l("Moderated only"),
}


def benchmark_access(view):
    """Programme admins and authority users; champions see only the assessments assigned to them."""

    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if current_user.role == CHAMPION:
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def _cycles() -> list[Cycle]:
    return list(db.session.execute(select(Cycle).order_by(Cycle.opens_on.desc())).scalars())


class FilterForm(Form):
    """The choices at the top of a benchmark page (a GET form: it changes nothing, so it needs no CSRF token)."""

    org = SelectField(_l("Authority"), widget=GovSelect(), choices=[])
    cycle = SelectField(_l("Cycle"), widget=GovSelect(), choices=[])
    group = SelectField(_l("Compare with"), widget=GovSelect(), choices=[])
    basis = SelectField(_l("Scores"), widget=GovSelect(), choices=options(BASIS_LABELS.items()))


def _filter_form(cycles: list[Cycle]) -> tuple[FilterForm, Organisation]:
    """The filters and the authority they are for; the groups offered depend on the authority."""
    form = FilterForm(request.args)
    form.cycle.choices = options((c.slug, cycle_name(c)) for c in cycles)
    if current_user.role == ADMIN:
        organisations = db.session.execute(select(Organisation).order_by(Organisation.name)).scalars()
        form.org.choices = options((o.code, o.name) for o in organisations)
    form.cycle.data = form.cycle.data or (cycles[0].slug if cycles else None)
    form.basis.data = form.basis.data or "best"
    organisation = _organisation(form)
    kinds = service.group_kinds(organisation)
    form.group.choices = options([(k, shown.group_option(k, organisation)) for k in kinds] + [
        (f"{service.CUSTOM_PREFIX}{g.id}", g.name) for g in service.saved_groups(db.session, current_user)])
    if not form.group.data or (form.group.data in service.GROUP_KINDS and form.group.data not in kinds):
        # A fixed group this authority does not have (a Welsh authority's statistical neighbours, a link made for
        # another authority) gives way to its default; a saved group the user may not use is a 404 below.
        form.group.data = service.default_kind(organisation)
    return form, organisation


def _organisation(form: FilterForm) -> Organisation:
    if current_user.role == ADMIN:
        code = form.org.data or request.args.get("org")
        organisation = db.session.execute(select(Organisation).filter_by(code=code)).scalar_one_or_none()
        if organisation is None:
            abort(404)
        form.org.data = organisation.code
        return organisation
    return current_user.organisation


@bp.route("")
@benchmark_access
def authority():
    if current_user.role == ADMIN and not request.args.get("org"):
        return redirect(url_for("benchmark.national"))
    cycles = _cycles()
    form, organisation = _filter_form(cycles)
    cycle = next((c for c in cycles if c.slug == form.cycle.data), None)
    if cycle is None:
        abort(404)
    threshold = current_app.config["DISCLOSURE_THRESHOLD"]
    try:
        result = service.authority_benchmark(db.session, cycle, organisation, form.group.data, form.basis.data,
                                             threshold, current_user)
    except (service.UnknownGroup, ValueError):
        abort(404)
    rows = shown.score_rows(result)
    if request.args.get("format") in ("csv", "xlsx"):
        header, table = shown.score_export(result, rows)
        name = f"benchmark-{organisation.code}-{cycle.slug}-{result.group.kind}-{result.basis}"
        return _download(header, table, name, request.args["format"], f"{organisation.name} {cycle.slug}")
    overall = result.positions["overall"]
    return render_template("benchmark/authority.html", form=form, result=result, rows=rows,
                           peers=service.peers(db.session, result), chart=shown.domain_chart(result),
                           rank_text=shown.rank_text, group_label=shown.group_label(result.group, organisation),
                           comparison=shown.comparison(result.group, organisation), overall=overall,
                           authority_view=result.authority_view, basis_label=BASIS_LABELS[result.basis],
                           cycle_label=cycle_name(cycle))


def _download(header: list[str], table: list[list], name: str, kind: str, sheet: str) -> Response:
    if kind == "csv":
        return Response(exports.to_csv(header, table), mimetype="text/csv",
                        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})
    return Response(exports.to_xlsx(header, table, sheet),
                    mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'})


# ----------------------------------------------------------------------------------------------------------
# Trend


@bp.route("/trend")
@benchmark_access
def trend():
    if current_user.role == ADMIN and not request.args.get("org"):
        return redirect(url_for("benchmark.national"))
    form, organisation = _filter_form(_cycles())
    try:
        result = trends.trend(db.session, organisation, form.group.data, form.basis.data,
                               current_app.config["DISCLOSURE_THRESHOLD"], current_user)
    except (service.UnknownGroup, ValueError):
        abort(404)
    group_label = shown.group_label(result.group, organisation)
    if request.args.get("format") in ("csv", "xlsx"):
        header = [_("Cycle"), _("Standards version"), _("Overall score"), _("Peer median"),
                  _("Authorities with a score")]
        table = [[cycle_name(c), c.framework_version.version, shown.number(result.overall[i]),
                  shown.number(result.peer_median[i]), result.peer_n[i]] for i, c in enumerate(result.cycles)]
        return _download(header, table, f"trend-{organisation.code}-{form.group.data}-{form.basis.data}",
                         request.args["format"], _("Trend %(name)s", name=organisation.name))
    own_label = organisation.name
    chart = charts.trend_chart(
        [cycle_name(c) for c in result.cycles],
        [(own_label, result.overall, "0"), (_("Peer median"), result.peer_median, "6 4")],
        _("Overall score of %(name)s across cycles", name=own_label),
        _("The authority's overall score in each cycle, and the median of its peer group where it can be "
          "shown. The table gives the same figures."), "trend")
    comparable_chart = None
    if result.comparable is not None:
        comparable_chart = charts.trend_chart(
            [cycle_name(c) for c in result.comparable.cycles],
            [(own_label, result.comparable.overall, "0"), (_("Peer median"), result.comparable.peer_median, "6 4")],
            _("Overall score on comparable criteria only"),
            _("Scores recomputed over the criteria that the crosswalk maps one to one between framework versions."),
            "comparable")
    return render_template("benchmark/trend.html", form=form, organisation=organisation, result=result, chart=chart,
                           comparable_chart=comparable_chart, group_label=group_label,
                           basis_label=BASIS_LABELS[form.basis.data], cycle_name=cycle_name)


# ----------------------------------------------------------------------------------------------------------
# National and region views (programme admins)


class NationalForm(Form):
    cycle = SelectField(_l("Cycle"), widget=GovSelect(), choices=[])
    region = SelectField(_l("Region"), widget=GovSelect(), choices=[])
    type = SelectField(_l("Authority type"), widget=GovSelect(), choices=[])
    basis = SelectField(_l("Scores"), widget=GovSelect(), choices=options(BASIS_LABELS.items()))


def _national_form() -> tuple[NationalForm, Cycle]:
    """The filters of the national and region views, and the cycle they name (404 for one that is not there)."""
    cycles = _cycles()
    form = NationalForm(request.args)
    form.cycle.choices = options((c.slug, cycle_name(c)) for c in cycles)
    form.cycle.data = form.cycle.data or (cycles[0].slug if cycles else None)
    form.basis.data = form.basis.data or "best"
    cycle = next((c for c in cycles if c.slug == form.cycle.data), None)
    if cycle is None or form.basis.data not in service.BASES:
        abort(404)
    return form, cycle


@bp.route("/national")
@admin_required
def national():
    form, cycle = _national_form()
    organisations = db.session.execute(select(Organisation).order_by(Organisation.name)).scalars().all()
    form.region.choices = options([("", _("All regions"))] + [
        (r, shown.region_name(r)) for r in sorted({o.dfe_region for o in organisations if o.dfe_region})])
    form.type.choices = options([("", _("All types"))] + [
        (t, shown.type_name(t)) for t in sorted({o.org_type for o in organisations})])
    framework = cycle.framework_version.rules()
    keys = ["overall", *(f"domain:{d.id}" for d in framework.domains)]
    headings = [_("Overall"), *(shown.label(d.title) for d in framework.domains)]
    sort = request.args.get("sort", "overall")
    sort = sort if sort in keys or sort == "name" else "overall"
    descending = request.args.get("order", "desc") != "asc"
    table, figures = service.national_table(db.session, current_user, cycle, form.basis.data, keys,
                                            form.region.data or None, form.type.data or None, sort, descending,
                                            current_app.config["DISCLOSURE_THRESHOLD"])
    if request.args.get("format") in ("csv", "xlsx"):
        header = [_("DfE code"), _("Authority"), _("Region"), _("Authority type"), *headings]
        rows = [[r.organisation.code, r.organisation.name, shown.region_name(r.organisation.dfe_region),
                 shown.type_name(r.organisation.org_type), *(shown.number(v) for v in r.scores)] for r in table]
        return _download(header, rows, f"national-{cycle.slug}-{form.basis.data}", request.args["format"],
                         _("National %(cycle)s", cycle=cycle.slug))
    summary = list(zip(headings, figures, strict=True))
    chart = shown.summary_chart(
        summary, _("Distribution of scores, %(cycle)s", cycle=cycle_name(cycle)),
        _("For the overall score and each domain: every authority shown as a dot, the box from the lower to the "
          "upper quartile with the median as a thick line, the thin line from the lowest to the highest score. "
          "The tables give the same figures."), "national")
    return render_template("benchmark/national.html", form=form, table=table, keys=keys, headings=headings,
                           summary=[(h, p.stats, None) for h, p in summary], chart=chart, sort=sort,
                           descending=descending, cycle=cycle, cycle_label=cycle_name(cycle),
                           basis_label=BASIS_LABELS[form.basis.data])


@bp.route("/regions")
@admin_required
def regions():
    """Each region's spread of overall and domain scores, side by side."""
    form, cycle = _national_form()
    framework = cycle.framework_version.rules()
    domain_keys = {f"domain:{d.id}": shown.label(d.title) for d in framework.domains}
    key = request.args.get("score", "overall")
    key = key if key == "overall" or key in domain_keys else "overall"
    regions = service.region_summaries(db.session, current_user, cycle, form.basis.data, key,
                                       current_app.config["DISCLOSURE_THRESHOLD"])
    table = [(shown.region_name(region), figures) for region, figures in regions]
    score_label = _("Overall") if key == "overall" else domain_keys[key]
    if request.args.get("format") in ("csv", "xlsx"):
        header = [_("Region"), _("Authorities with a score"), _("Mean"), _("Lower quartile"), _("Median"),
                  _("Upper quartile"), _("Lowest"), _("Highest")]
        rows = [[region, p.stats.n, *(shown.number(v) for v in (p.stats.mean, p.stats.q1, p.stats.median,
                                                                 p.stats.q3, p.stats.min, p.stats.max))]
                for region, p in table]
        return _download(header, rows, f"regions-{cycle.slug}-{form.basis.data}", request.args["format"],
                         _("Regions %(cycle)s", cycle=cycle.slug))
    chart = shown.summary_chart(
        table, _("%(score)s score by region, %(cycle)s", score=score_label, cycle=cycle_name(cycle)),
        _("For each region: every authority's score as a dot, the box from the lower to the upper quartile with "
          "the median as a thick line, the thin line from the lowest to the highest score. The table gives the "
          "same figures."), "regions")
    summary = [(shown.region_name(region), p.stats, url_for(
        "benchmark.national", cycle=cycle.slug, basis=form.basis.data, region=region)) for region, p in regions]
    return render_template("benchmark/regions.html", form=form, summary=summary,
                           chart=chart, cycle=cycle, cycle_label=cycle_name(cycle), key=key, score_label=score_label,
                           domain_keys=domain_keys, basis_label=BASIS_LABELS[form.basis.data])


# ----------------------------------------------------------------------------------------------------------
# Custom peer groups


class GroupForm(FlaskForm):
    name = StringField(_l("Name of the group"), widget=GovTextInput(),
                       validators=[InputRequired(_l("Enter a name for the group")), Length(max=120)])
    members = SelectMultipleField(_l("Authorities in the group"), widget=GovCheckboxesInput(), choices=[],
                                  validators=[InputRequired(_l("Select at least one authority"))])
    shared = BooleanField(_l("Share this group with everyone"), widget=GovCheckboxInput())


@bp.route("/groups", methods=["GET", "POST"])
@benchmark_access
def groups():
    organisations = db.session.execute(select(Organisation).order_by(Organisation.name)).scalars().all()
    form = GroupForm()
    form.members.choices = options((o.code, o.name) for o in organisations)
    if form.validate_on_submit():
        ids = [o.id for o in organisations if o.code in set(form.members.data)]
        group = service.save_group(db.session, current_user, form.name.data, ids, form.shared.data)
        db.session.commit()
        flash(_("Peer group %(name)s saved.", name=group.name), "success")
        return redirect(url_for("benchmark.authority", group=f"{service.CUSTOM_PREFIX}{group.id}")), 303
    saved = service.saved_groups(db.session, current_user)
    return render_template("benchmark/groups.html", form=form, saved=saved), 400 if form.errors else 200


@bp.route("/groups/<int:group_id>/delete", methods=["POST"])
@benchmark_access
def delete_group(group_id: int):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        name = service.delete_group(db.session, current_user, group_id).name
    except service.UnknownGroup:
        abort(404)
    db.session.commit()
    flash(_("Peer group %(name)s deleted.", name=name), "success")
    return redirect(url_for("benchmark.groups")), 303
