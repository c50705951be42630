"""Benchmark pages: an authority against its peer groups, trends across cycles, the national and region views."""

from __future__ import annotations

from functools import wraps

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxesInput, GovCheckboxInput, GovSelect, GovTextInput
from sqlalchemy import select
from wtforms import BooleanField, Form, SelectField, SelectMultipleField, StringField
from wtforms.validators import InputRequired, Length

from ..domain import benchmark as rules
from ..domain.scoring import shown_number
from ..domain.text import localise
from ..extensions import db
from ..models import Cycle, Organisation
from ..models.user import ADMIN, CHAMPION
from ..reports import charts, exports
from ..services import benchmarks as service
from .admin import admin_required
from .forms import ConfirmForm, options

bp = Blueprint("benchmark", __name__, url_prefix="/benchmarks")

GROUP_LABELS = {
    "statistical-neighbours": _l("Statistical neighbours"), "region": _l("Region"),
    "dfe-region": _l("Region (Inner and Outer London apart)"), "type": _l("Authority type"),
    "nation": _l("Nation"), "all": _l("All authorities"),
}
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


def _filter_form(cycles: list[Cycle]) -> FilterForm:
    form = FilterForm(request.args)
    form.cycle.choices = options((c.slug, c.name) for c in cycles)
    groups = [(k, str(v)) for k, v in GROUP_LABELS.items()]
    groups += [(f"{service.CUSTOM_PREFIX}{g.id}", g.name) for g in service.saved_groups(db.session, current_user)]
    form.group.choices = options(groups)
    if current_user.role == ADMIN:
        organisations = db.session.execute(select(Organisation).order_by(Organisation.name)).scalars()
        form.org.choices = options((o.code, o.name) for o in organisations)
    form.cycle.data = form.cycle.data or (cycles[0].slug if cycles else None)
    form.group.data = form.group.data or "statistical-neighbours"
    form.basis.data = form.basis.data or "best"
    return form


def _organisation(form: FilterForm) -> Organisation:
    if current_user.role == ADMIN:
        code = form.org.data or request.args.get("org")
        organisation = db.session.execute(select(Organisation).filter_by(code=code)).scalar_one_or_none()
        if organisation is None:
            abort(404)
        form.org.data = organisation.code
        return organisation
    return current_user.organisation


def _label(text: dict) -> str:
    return localise(text, str(get_locale()))[0]


def rows_for(result: service.AuthorityBenchmark) -> list[dict]:
    """The table's rows: overall, then each domain followed by its standards."""
    rows = [{"key": "overall", "level": "overall", "label": _("Overall"), "position": result.positions["overall"]}]
    for domain in result.framework.domains:
        rows.append({"key": f"domain:{domain.id}", "level": "domain", "label": _label(domain.title),
                     "position": result.positions[f"domain:{domain.id}"]})
        for standard in domain.standards:
            rows.append({"key": f"standard:{standard.id}", "level": "standard",
                         "label": f"{standard.id} {_label(standard.title)}",
                         "position": result.positions[f"standard:{standard.id}"]})
    return rows


def rank_text(position: rules.Position) -> str:
    if position.rank is None:
        return "-"
    if str(get_locale()) == "cy":
        return _("%(rank)s of %(n)d", rank=position.rank, n=position.of)
    return _("%(rank)s of %(n)d", rank=rules.ordinal(position.rank), n=position.of)


def _number(value: float | None) -> str | None:
    """A figure for an export, rounded as on the page."""
    number = shown_number(value)
    return None if number is None else str(number)


@bp.route("")
@benchmark_access
def authority():
    if current_user.role == ADMIN and not request.args.get("org"):
        return redirect(url_for("benchmark.national"))
    cycles = _cycles()
    form = _filter_form(cycles)
    cycle = next((c for c in cycles if c.slug == form.cycle.data), None)
    if cycle is None:
        abort(404)
    organisation = _organisation(form)
    try:
        result = service.authority_benchmark(db.session, cycle, organisation, form.group.data, form.basis.data,
                                             current_app.config["DISCLOSURE_THRESHOLD"], current_user)
    except (service.UnknownGroup, ValueError):
        abort(404)
    rows = rows_for(result)
    if request.args.get("format") in ("csv", "xlsx"):
        return _export(rows, result, request.args["format"])
    peers = _peers(result)
    chart = _domain_chart(result)
    return render_template("benchmark/authority.html", form=form, result=result, rows=rows, peers=peers,
                           chart=chart, rank_text=rank_text, group_label=_group_label(result.group),
                           basis_label=BASIS_LABELS[result.basis])


def _group_label(group: service.Group) -> str:
    if group.kind in GROUP_LABELS:
        return f"{GROUP_LABELS[group.kind]}" + (f": {group.label}" if group.kind in (
            "region", "dfe-region", "type") else "")
    return group.label


def _peers(result: service.AuthorityBenchmark) -> list[dict]:
    """The group's members as the page lists them: unnamed peers lettered in score order."""
    listed, letter = [], 0
    for peer in service.peers(db.session, result, current_user):
        name = peer.name
        if name is None:
            name = _("Authority %(letter)s", letter=_letters(letter))
            letter += 1
        listed.append({"name": name, "own": peer.own, "score": peer.score})
    return listed


def _letters(index: int) -> str:
    text = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        text = chr(65 + remainder) + text
    return text


def _domain_chart(result: service.AuthorityBenchmark):
    """Where the authority sits in each domain's distribution across its group."""
    scores = result.scores
    rows = []
    for domain in result.framework.domains:
        key = f"domain:{domain.id}"
        position = result.positions[key]
        values = [] if position.stats.suppressed else [
            v for m in result.group.members if (v := scores.get(m, {}).get(key)) is not None]
        rows.append(charts.DistributionRow(_label(domain.title), values, position.score, position.stats.q1,
                                           position.stats.median, position.stats.q3))
    description = _("For each domain: the scores of the authorities in the group as dots, the box from the lower "
                    "to the upper quartile with the median as a line, and %(name)s as a diamond. The table below "
                    "gives the same figures.", name=result.organisation.name)
    title = _("Domain scores of %(name)s against %(group)s", name=result.organisation.name,
              group=_group_label(result.group))
    return charts.distribution_chart(rows, title, description, "domains", own_label=result.organisation.name)


def _export(rows: list[dict], result: service.AuthorityBenchmark, kind: str) -> Response:
    header = [_("Area"), _("Score"), _("Authorities with a score"), _("Mean"), _("Median"), _("Lower quartile"),
              _("Upper quartile"), _("Lowest"), _("Highest"), _("Rank"), _("Band")]
    table = []
    for row in rows:
        p = row["position"]
        table.append([row["label"], _number(p.score), p.of, _number(p.stats.mean), _number(p.stats.median),
                      _number(p.stats.q1), _number(p.stats.q3), _number(p.stats.min), _number(p.stats.max), p.rank,
                      p.band])
    name = f"benchmark-{result.organisation.code}-{result.cycle.slug}-{result.group.kind}-{result.basis}"
    return _download(header, table, name, kind)


def _download(header: list[str], table: list[list], name: str, kind: str) -> Response:
    if kind == "csv":
        return Response(exports.to_csv(header, table), mimetype="text/csv",
                        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})
    return Response(exports.to_xlsx(header, table, name),
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
    form = _filter_form(cycles)
    organisation = _organisation(form)
    try:
        result = service.trend(db.session, organisation, form.group.data, form.basis.data,
                               current_app.config["DISCLOSURE_THRESHOLD"], current_user)
    except (service.UnknownGroup, ValueError):
        abort(404)
    if request.args.get("format") in ("csv", "xlsx"):
        header = [_("Cycle"), _("Standards version"), _("Overall score"), _("Peer median"),
                  _("Authorities with a score")]
        table = [[c.name, c.framework_version.version, _number(result.overall[i]), _number(result.peer_median[i]),
                  result.peer_n[i]] for i, c in enumerate(result.cycles)]
        return _download(header, table, f"trend-{organisation.code}-{form.group.data}-{form.basis.data}",
                         request.args["format"])
    labels = [c.name for c in result.cycles]
    own_label = organisation.name
    chart = charts.trend_chart(
        labels, [(own_label, result.overall, "0"), (_("Peer median"), result.peer_median, "6 4")],
        _("Overall score of %(name)s across cycles", name=own_label),
        _("The authority's overall score in each cycle, and the median of its peer group. The table gives the "
          "same figures."), "trend")
    comparable_chart = None
    if result.comparable is not None:
        comparable_chart = charts.trend_chart(
            [c.name for c in result.comparable.cycles],
            [(own_label, result.comparable.overall, "0"), (_("Peer median"), result.comparable.peer_median, "6 4")],
            _("Overall score on comparable criteria only"),
            _("Scores recomputed over the criteria that the crosswalk maps one to one between framework versions."),
            "comparable")
    return render_template("benchmark/trend.html", form=form, organisation=organisation, result=result, chart=chart,
                           comparable_chart=comparable_chart, group_label=GROUP_LABELS.get(form.group.data, ""),
                           basis_label=BASIS_LABELS[form.basis.data])


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
    form.cycle.choices = options((c.slug, c.name) for c in cycles)
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
        (r, r) for r in sorted({o.dfe_region for o in organisations if o.dfe_region})])
    form.type.choices = options([("", _("All types"))] + [(t, t) for t in sorted({o.org_type for o in organisations})])
    framework = cycle.framework_version.rules()
    keys = ["overall", *(f"domain:{d.id}" for d in framework.domains)]
    headings = [_("Overall"), *(_label(d.title) for d in framework.domains)]
    sort = request.args.get("sort", "overall")
    sort = sort if sort in keys or sort == "name" else "overall"
    descending = request.args.get("order", "desc") != "asc"
    table = service.national_table(db.session, cycle, form.basis.data, keys, form.region.data or None,
                                   form.type.data or None, sort, descending)
    threshold = current_app.config["DISCLOSURE_THRESHOLD"]
    summary = [(heading, rules.statistics([r.scores[i] for r in table], threshold))
               for i, heading in enumerate(headings)]
    if request.args.get("format") in ("csv", "xlsx"):
        header = [_("DfE code"), _("Authority"), _("Region"), _("Authority type"), *headings]
        rows = [[r.organisation.code, r.organisation.name, r.organisation.dfe_region, r.organisation.org_type,
                 *(_number(v) for v in r.scores)] for r in table]
        return _download(header, rows, f"national-{cycle.slug}-{form.basis.data}", request.args["format"])
    chart_rows = [charts.DistributionRow(heading, [v for r in table if (v := r.scores[i]) is not None], None,
                                         stats.q1, stats.median, stats.q3)
                  for i, (heading, stats) in enumerate(summary)]
    chart = charts.distribution_chart(
        chart_rows, _("Distribution of scores, %(cycle)s", cycle=cycle.name),
        _("For the overall score and each domain: every authority shown as a dot, the box from the lower to the "
          "upper quartile with the median as a line. The tables give the same figures."), "national")
    return render_template("benchmark/national.html", form=form, table=table, keys=keys, headings=headings,
                           summary=summary, chart=chart, sort=sort, descending=descending, cycle=cycle,
                           basis_label=BASIS_LABELS[form.basis.data])


@bp.route("/regions")
@admin_required
def regions():
    """Each region's spread of overall and domain scores, side by side."""
    form, cycle = _national_form()
    framework = cycle.framework_version.rules()
    domain_keys = {f"domain:{d.id}": _label(d.title) for d in framework.domains}
    key = request.args.get("score", "overall")
    key = key if key == "overall" or key in domain_keys else "overall"
    threshold = current_app.config["DISCLOSURE_THRESHOLD"]
    by_region = service.region_scores(db.session, cycle, form.basis.data, key)
    table = [(region, rules.statistics(values, threshold), values) for region, values in by_region.items()]
    score_label = _("Overall") if key == "overall" else domain_keys[key]
    if request.args.get("format") in ("csv", "xlsx"):
        header = [_("Region"), _("Authorities with a score"), _("Mean"), _("Lower quartile"), _("Median"),
                  _("Upper quartile"), _("Lowest"), _("Highest")]
        rows = [[region, st.n, _number(st.mean), _number(st.q1), _number(st.median), _number(st.q3),
                 _number(st.min), _number(st.max)] for region, st, _values in table]
        return _download(header, rows, f"regions-{cycle.slug}-{form.basis.data}", request.args["format"])
    chart = charts.distribution_chart(
        [charts.DistributionRow(region, [] if st.suppressed else values, None, st.q1, st.median, st.q3)
         for region, st, values in table],
        _("%(score)s score by region, %(cycle)s", score=score_label, cycle=cycle.name),
        _("For each region: every authority's score as a dot, the box from the lower to the upper quartile with "
          "the median as a line. The table gives the same figures."), "regions")
    summary = [(region, stats) for region, stats, _values in table]
    return render_template("benchmark/regions.html", form=form, summary=summary, chart=chart, cycle=cycle, key=key,
                           score_label=score_label, domain_keys=domain_keys, basis_label=BASIS_LABELS[form.basis.data])


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
