"""Calibration: the programme's view of how far moderation moved self-assessed scores, by champion and by authority."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, g, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup
from wtforms import Form, SelectField

from .. import services
from ..domain.identifiers import parse_id
from ..reports import benchmark as shown
from ..reports import calibration as tables
from ..services import calibration, catalogue
from ..services.assessments import NotAllowed
from .admin import admin_required
from .forms import options
from .templating import fragment, kept, pagination
from .text import STATE_LABELS, cycle_name
from .widgets import GovSelect

bp = Blueprint("calibration", __name__)
PER_PAGE = 50


class ChampionFilterForm(Form):
    """The champions' choice of cycle (a GET form: it changes nothing, so it needs no CSRF token)."""

    cycle = SelectField(_l("Cycle"), widget=GovSelect(), choices=[])


class AuthorityFilterForm(Form):
    """The authorities' choice of region (a GET form)."""

    region = SelectField(_l("Region"), widget=GovSelect(), choices=[])


@bp.route("/admin/calibration")
@admin_required
def overview():
    session = services.session()
    cycles = catalogue.cycles(session)
    champion_filter = ChampionFilterForm(request.args)
    champion_filter.cycle.choices = options([("", _("All cycles"))] + [(c.slug, cycle_name(c)) for c in cycles])
    cycle = None
    if champion_filter.cycle.data:
        cycle = next((c for c in cycles if c.slug == champion_filter.cycle.data), None)
        if cycle is None:
            abort(404)
    try:
        regions = calibration.regions(session, current_user)
        authority_filter = AuthorityFilterForm(request.args)
        authority_filter.region.choices = options([("", _("All regions"))] + [
            (r, shown.region_name(r)) for r in regions])
        region = authority_filter.region.data or None
        if region is not None and region not in regions:
            abort(404)
        champions = calibration.champions(session, current_user, cycle)
        page = calibration.authorities(session, current_user, region=region,
                                       page=parse_id(request.args.get("page")) or 1, per_page=PER_PAGE)
    except NotAllowed:
        abort(403)
    caption = (_("Completed reviews in %(cycle)s, by champion's name", cycle=cycle_name(cycle)) if cycle
               else _("Completed reviews in all cycles, by champion's name"))
    # Kept by the rows themselves (plain values): the same figures are not made into a table again.
    champions_table = fragment(("calibration-champions", tuple(champions), caption, g.locale), "govukTable",
                               lambda: tables.champions_table(champions, caption, g.locale))
    cycle_names = {c.id: cycle_name(c) for c in cycles}
    states = {state: str(label) for state, label in STATE_LABELS.items()}
    # Kept under what the page's rows were read from (page.stamp): 50 tables are not built or even compared again.
    authority_tables = kept(("calibration-authorities", page.stamp, tuple(cycle_names.items()), g.locale),
                            lambda: Markup("").join(_authority_table(row, cycle_names, states) for row in page.rows))
    return render_template("admin/calibration.html", form=None, champion_filter=champion_filter,
                           authority_filter=authority_filter, cycle=cycle, region=region,
                           champions=champions, champions_table=champions_table, page=page,
                           authority_tables=authority_tables, pagination=pagination(
                               page.page, page.pages, "calibration.overview", _("Pages of authorities"),
                               anchor="authorities"))


def _authority_table(row, cycle_names: dict[int, str], states: dict[str, str]) -> Markup:
    caption = tables.authority_caption(row, shown.region_name(row.authority.region))
    table = current_app.extensions["govuk_macros"]["govukTable"]  # kept as a whole page of tables, not one by one
    return table(tables.authority_table(row, caption, cycle_names, states, g.locale))
