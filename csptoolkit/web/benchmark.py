"""Benchmark pages: an authority against its peer groups, trends across cycles, the national and region views.

The figures come from services/benchmarks, already cut down by the disclosure rule (domain/benchmark); what the
page, the CSV and the XLSX show of them is built once in reports/benchmark.
"""

from __future__ import annotations

from functools import wraps
from urllib.parse import quote

from flask import Blueprint, Response, abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import BooleanField, Form, SelectField, SelectMultipleField, StringField
from wtforms.validators import InputRequired, Length

from .. import services
from ..domain.peer_groups import CUSTOM_PREFIX, GROUP_KINDS
from ..domain.roles import ADMIN
from ..domain.scoring import DOMAIN, OVERALL, score_key, score_keys
from ..reports import benchmark as shown
from ..reports import exports
from ..services import access, catalogue, trends
from ..services import benchmarks as service
from .admin import admin_required
from .forms import ConfirmForm, options
from .templating import fragment, kept
from .text import cycle_name
from .widgets import GovCheckboxesInput, GovCheckboxInput, GovSelect, GovTextInput

bp = Blueprint("benchmark", __name__, url_prefix="/benchmarks")

BASIS_LABELS = {
    "best": _l("Best available: moderated where moderated, otherwise self-assessed"),
    "self": _l("Self-assessed"), "moderated": _l("Moderated only"),
}


def benchmark_access(view):
    """Programme admins and authority users (services/access decides); champions see only their assignments."""

    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not access.may_see_benchmarks(current_user):
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def _cycles() -> list:
    """Every cycle, newest first."""
    return catalogue.cycles(services.session())


def _confidence_field() -> SelectField:
    return SelectField(_l("Ratings counted"), widget=GovSelect(), choices=options(shown.CONFIDENCE_LABELS.items()))


class FilterForm(Form):
    """The choices at the top of a benchmark page (a GET form: it changes nothing, so it needs no CSRF token)."""

    org = SelectField(_l("Authority"), widget=GovSelect(), choices=[])
    cycle = SelectField(_l("Cycle"), widget=GovSelect(), choices=[])
    group = SelectField(_l("Compare with"), widget=GovSelect(), choices=[])
    basis = SelectField(_l("Scores"), widget=GovSelect(), choices=options(BASIS_LABELS.items()))
    confidence = _confidence_field()  # the lowest confidence accepted: services.benchmarks.CONFIDENCES


def _defaults(form) -> None:
    """The basis and the ratings counted when the address names none: best available, any rating."""
    form.basis.data = form.basis.data or "best"
    form.confidence.data = form.confidence.data or ""


def _refused_choice(form):
    """A basis or ratings-counted value the filters do not offer: a 400 page that says which choice to make (the
    API answers 400 for them too); None when both are ones the form offers."""
    if form.basis.data not in service.BASES:
        message = _("Choose the scores used from the list: best available, self-assessed or moderated only.")
    elif form.confidence.data not in service.CONFIDENCES:
        message = _("Choose the ratings counted from the list: any rating, evidenced or peer-validated, or "
                    "peer-validated only.")
    else:
        return None
    return render_template("error.html", code=400, title=_("Something was wrong with that request"),
                           message=message), 400


def _filter_form(cycles: list) -> tuple:
    """The filters and the authority they are for; the groups offered depend on the authority."""
    form = FilterForm(request.args)
    form.cycle.choices = options((c.slug, cycle_name(c)) for c in cycles)
    if current_user.role == ADMIN:
        form.org.choices = options((o.code, o.name) for o in catalogue.organisation_names(services.session()))
    form.cycle.data = form.cycle.data or (cycles[0].slug if cycles else None)
    _defaults(form)
    organisation = _organisation(form)
    kinds = service.group_kinds(organisation)
    form.group.choices = options([(k, shown.group_option(k, organisation)) for k in kinds] + [
        (f"{CUSTOM_PREFIX}{g.id}", g.name) for g in service.saved_groups(services.session(), current_user)])
    if not form.group.data or (form.group.data in GROUP_KINDS and form.group.data not in kinds):
        # A fixed group this authority does not have (a Welsh authority's statistical neighbours, a link made for
        # another authority) gives way to its default; a saved group the user may not use is a 404 below.
        form.group.data = service.default_kind(organisation)
    return form, organisation


def _organisation(form: FilterForm):
    """The authority the page is about: any one for programme admins, their own for everyone else (whatever the
    address says: `org` is a programme admin's choice)."""
    code = (form.org.data or request.args.get("org")) if current_user.role == ADMIN else None
    try:
        organisation = access.benchmark_subject(services.session(), current_user, code)
    except (access.UnknownOrganisation, access.NotAllowed):
        abort(404)
    form.org.data = organisation.code if current_user.role == ADMIN else form.org.data
    return organisation


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
    if refused := _refused_choice(form):
        return refused
    threshold = current_app.config["DISCLOSURE_THRESHOLD"]
    try:
        result = service.authority_benchmark(services.session(), cycle, organisation, form.group.data, form.basis.data,
                                             threshold, current_user, lowest=form.confidence.data)
    except service.UnknownGroup:
        abort(404)
    if request.args.get("format") in ("csv", "xlsx"):
        header, table = shown.score_export(result, shown.score_rows(result))
        name = f"benchmark-{organisation.code}-{cycle.slug}-{result.group.kind}-{result.basis}"
        return _download(header, table, shown.export_name(name, result.lowest), request.args["format"],
                         f"{organisation.name} {cycle.slug}")
    overall = result.positions[OVERALL]
    peers = service.peers(services.session(), result)
    language = g.locale
    comparison = shown.comparison(result.group, organisation)
    caption = shown.filtered(_("Scores: %(comparison)s", comparison=comparison), result.lowest)
    # What the table and chart show follows from these alone (the register's names too: its import raises the
    # scores version), so they are kept under them.
    group = result.group
    key = (service.scores_version_of(services.session(), cycle), organisation.id, group.kind, group.label,
           tuple(group.members), result.basis, result.lowest, result.policy, language)
    score_table = fragment((*key, "scores"), "govukTable", lambda: shown.score_table(
        shown.score_rows(result), caption, language, result.lowest))
    return render_template("benchmark/authority.html", form=form, result=result, peers=peers,
                           score_table=score_table, scores_caption=caption,
                           peers_table=shown.peers_table(peers, language, result.lowest),
                           chart=kept((*key, "chart"), lambda: shown.domain_chart(result)),
                           rank_text=shown.rank_text, group_label=shown.group_label(result.group, organisation),
                           comparison=comparison, overall=overall,
                           authority_view=result.authority_view, basis_label=BASIS_LABELS[result.basis],
                           **_confidence_text(result.lowest), cycle_label=cycle_name(cycle))


def _confidence_text(lowest: str) -> dict:
    """What a page says of the ratings counted: the choice, and what it means."""
    return {"confidence_label": shown.confidence_label(lowest), "confidence_note": shown.CONFIDENCE_NOTES[lowest]}


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
    cycles = _cycles()
    form, organisation = _filter_form(cycles)
    if refused := _refused_choice(form):
        return refused
    try:
        result = trends.trend(services.session(), organisation, form.group.data, form.basis.data,
                              current_app.config["DISCLOSURE_THRESHOLD"], current_user, lowest=form.confidence.data,
                              cycles=cycles)
    except service.UnknownGroup:
        abort(404)
    group_label = shown.group_label(result.group, organisation)
    if request.args.get("format") in ("csv", "xlsx"):
        header, table = shown.trend_export(result, cycle_name)
        name = shown.export_name(f"trend-{organisation.code}-{form.group.data}-{form.basis.data}", result.lowest)
        return _download(header, table, name, request.args["format"], _("Trend %(name)s", name=organisation.name))
    chart, comparable_chart = shown.trend_charts(result, organisation.name, cycle_name)
    tables = {"trend_table": shown.trend_table(result, cycle_name, g.locale),
              "comparable_table": shown.comparable_table(result.comparable, cycle_name, g.locale)
              if result.comparable else None}
    return render_template("benchmark/trend.html", form=form, organisation=organisation, result=result, chart=chart,
                           **tables,
                           comparable_chart=comparable_chart, group_label=group_label,
                           basis_label=BASIS_LABELS[form.basis.data], **_confidence_text(result.lowest),
                           cycle_name=cycle_name)


# ----------------------------------------------------------------------------------------------------------
# National and region views (programme admins)


class NationalForm(Form):
    cycle = SelectField(_l("Cycle"), widget=GovSelect(), choices=[])
    region = SelectField(_l("Region"), widget=GovSelect(), choices=[])
    type = SelectField(_l("Authority type"), widget=GovSelect(), choices=[])
    basis = SelectField(_l("Scores"), widget=GovSelect(), choices=options(BASIS_LABELS.items()))
    confidence = _confidence_field()


def _national_form() -> tuple:
    """The filters of the national and region views, and the cycle they name (404 for one that is not there);
    the form is None with the 400 page in its place for a basis or ratings counted the filters do not offer."""
    cycles = _cycles()
    form = NationalForm(request.args)
    form.cycle.choices = options((c.slug, cycle_name(c)) for c in cycles)
    form.cycle.data = form.cycle.data or (cycles[0].slug if cycles else None)
    _defaults(form)
    cycle = next((c for c in cycles if c.slug == form.cycle.data), None)
    if cycle is None:
        abort(404)
    if refused := _refused_choice(form):
        return None, refused
    return form, cycle


@bp.route("/national")
@admin_required
def national():
    form, cycle = _national_form()
    if form is None:
        return cycle
    lowest = form.confidence.data
    organisations = catalogue.organisation_names(services.session())
    form.region.choices = options([("", _("All regions"))] + [
        (r, shown.region_name(r)) for r in sorted({o.dfe_region for o in organisations if o.dfe_region})])
    form.type.choices = options([("", _("All types"))] + [
        (t, shown.type_name(t)) for t in sorted({o.org_type for o in organisations})])
    framework = cycle.framework_version.rules()
    keys = score_keys(framework, standards=False)
    headings = [_("Overall"), *(shown.label(d.title) for d in framework.domains)]
    sort = request.args.get("sort", OVERALL)
    sort = sort if sort in keys or sort == "name" else OVERALL
    descending = request.args.get("order", "desc") != "asc"
    table, figures = service.national_table(services.session(), current_user, cycle, form.basis.data, keys,
                                            form.region.data or None, form.type.data or None, sort, descending,
                                            current_app.config["DISCLOSURE_THRESHOLD"], lowest)
    if request.args.get("format") in ("csv", "xlsx"):
        header, rows = shown.national_export(table, headings, lowest)
        return _download(header, rows, shown.export_name(f"national-{cycle.slug}-{form.basis.data}", lowest),
                         request.args["format"], _("National %(cycle)s", cycle=cycle.slug))
    filters = {"cycle": form.cycle.data, "region": form.region.data or "", "type": form.type.data or "",
               "basis": form.basis.data, "confidence": lowest}
    summary = list(zip(headings, figures, strict=True))
    version = service.scores_version_of(services.session(), cycle)
    threshold = current_app.config["DISCLOSURE_THRESHOLD"]
    chart = kept(("national-chart", version, tuple(sorted(filters.items())), threshold, g.locale),
                 lambda: shown.summary_chart(
        summary, shown.filtered(_("Distribution of scores, %(cycle)s", cycle=cycle_name(cycle)), lowest),
        _("For the overall score and each domain: every authority shown as a dot, the box from the lower to the "
          "upper quartile with the median as a thick line, the thin line from the lowest to the highest score. "
          "The tables give the same figures."), "national"))
    sort_url = url_for("benchmark.national", **filters)
    authority_url = url_for("benchmark.authority", org="__org__", cycle=form.cycle.data, basis=form.basis.data,
                            confidence=lowest)
    # 153 rows of 9 figures: kept by what they are made of (the cycle's scores version names its scores).
    authorities_table = fragment(
        ("national", version, tuple(sorted(filters.items())), sort, descending, g.locale), "govukTable",
        lambda: shown.national_table(
            table, keys, headings, sort, descending, lambda key, order: f"{sort_url}&sort={quote(key)}&order={order}",
            lambda code: authority_url.replace("__org__", quote(code)), g.locale))
    summary_table = shown.stats_table([(h, p.stats, None) for h, p in summary],
                                      shown.filtered(_("Summary of the authorities shown"), lowest), _("Area"),
                                      g.locale)
    return render_template("benchmark/national.html", form=form, table=table, keys=keys, headings=headings,
                           summary_table=summary_table, authorities_table=authorities_table, chart=chart, sort=sort,
                           descending=descending, cycle=cycle, cycle_label=cycle_name(cycle),
                           basis_label=BASIS_LABELS[form.basis.data], **_confidence_text(lowest))


@bp.route("/regions")
@admin_required
def regions():
    """Each region's spread of overall and domain scores, side by side."""
    form, cycle = _national_form()
    if form is None:
        return cycle
    lowest = form.confidence.data
    framework = cycle.framework_version.rules()
    domain_keys = {score_key(DOMAIN, d.id): shown.label(d.title) for d in framework.domains}
    key = request.args.get("score", OVERALL)
    key = key if key == OVERALL or key in domain_keys else OVERALL
    regions = service.region_summaries(services.session(), current_user, cycle, form.basis.data, key,
                                       current_app.config["DISCLOSURE_THRESHOLD"], lowest)
    table = [(shown.region_name(region), figures) for region, figures in regions]
    score_label = _("Overall") if key == OVERALL else domain_keys[key]
    if request.args.get("format") in ("csv", "xlsx"):
        header, rows = shown.regions_export(table, lowest)
        return _download(header, rows, shown.export_name(f"regions-{cycle.slug}-{form.basis.data}", lowest),
                         request.args["format"], _("Regions %(cycle)s", cycle=cycle.slug))
    chart = shown.summary_chart(
        table, shown.filtered(_("%(score)s score by region, %(cycle)s", score=score_label, cycle=cycle_name(cycle)),
                              lowest),
        _("For each region: every authority's score as a dot, the box from the lower to the upper quartile with "
          "the median as a thick line, the thin line from the lowest to the highest score. The table gives the "
          "same figures."), "regions")
    summary = [(shown.region_name(region), p.stats, url_for(
        "benchmark.national", cycle=cycle.slug, basis=form.basis.data, confidence=lowest, region=region))
        for region, p in regions]
    summary_table = shown.stats_table(summary, shown.filtered(_("%(score)s score by region", score=score_label),
                                                              lowest), _("Region"), g.locale)
    return render_template("benchmark/regions.html", form=form, summary=summary, summary_table=summary_table,
                           chart=chart, cycle=cycle, cycle_label=cycle_name(cycle), key=key, score_label=score_label,
                           domain_keys=domain_keys, basis_label=BASIS_LABELS[form.basis.data],
                           **_confidence_text(lowest))


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
    organisations = catalogue.organisation_names(services.session())
    form = GroupForm()
    form.members.choices = options((o.code, o.name) for o in organisations)
    if form.validate_on_submit():
        ids = [o.id for o in organisations if o.code in set(form.members.data)]
        group = service.save_group(services.session(), current_user, form.name.data, ids, form.shared.data)
        flash(_("Peer group %(name)s saved.", name=group.name), "success")
        return redirect(url_for("benchmark.authority", group=f"{CUSTOM_PREFIX}{group.id}")), 303
    saved = service.saved_groups(services.session(), current_user)
    return render_template("benchmark/groups.html", form=form, saved=saved), 400 if form.errors else 200


@bp.route("/groups/<int:group_id>/delete", methods=["POST"])
@benchmark_access
def delete_group(group_id: int):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        name = service.delete_group(services.session(), current_user, group_id).name
    except service.UnknownGroup:
        abort(404)
    flash(_("Peer group %(name)s deleted.", name=name), "success")
    return redirect(url_for("benchmark.groups")), 303
