"""What benchmark pages and their exports show, built once: group, region and authority-type names in the reader's
language, the sentence that says what is compared with what, the score table and its export, and the charts.

Everything here reads positions that domain/benchmark.disclosure() has already cut down, and draws or lists only
what they hold: a figure the rule withheld is not in the position, so no table, export or chart can show it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from ..domain import benchmark as rules
from ..domain.scoring import shown_number
from ..domain.text import localise
from ..models.organisation import WALES, Organisation
from . import charts

# Region and authority-type names are data from the register, in English; these are the names people read.
REGION_NAMES = {
    "North East": _l("North East"), "North West": _l("North West"),
    "Yorkshire and The Humber": _l("Yorkshire and The Humber"), "East Midlands": _l("East Midlands"),
    "West Midlands": _l("West Midlands"), "East of England": _l("East of England"), "London": _l("London"),
    "Inner London": _l("Inner London"), "Outer London": _l("Outer London"), "South East": _l("South East"),
    "South West": _l("South West"), "Wales": _l("Wales"),
}
TYPE_NAMES = {
    "County council": _l("County council"), "Metropolitan district": _l("Metropolitan district"),
    "Unitary authority": _l("Unitary authority"), "London borough (inner)": _l("London borough (inner)"),
    "London borough (outer)": _l("London borough (outer)"), "Welsh unitary authority": _l("Welsh unitary authority"),
}


def region_name(value: str | None) -> str:
    return str(REGION_NAMES.get(value, value)) if value else ""


def type_name(value: str | None) -> str:
    return str(TYPE_NAMES.get(value, value)) if value else ""


def group_option(kind: str, organisation: Organisation) -> str:
    """A fixed group's name in the "Compare with" list and beside "Compared with"."""
    if kind == "statistical-neighbours":
        return _("Statistical neighbours")
    if kind == "region":
        return _("Region: %(region)s", region=region_name(organisation.region_name))
    if kind == "dfe-region":
        return _("Part of London: %(region)s", region=region_name(organisation.dfe_region))
    if kind == "type":
        return _("Authority type: %(type)s", type=type_name(organisation.org_type))
    if kind == "nation":
        return _("All of Wales") if organisation.nation == WALES else _("All of England")
    return _("All authorities in England and Wales")


def group_label(group, organisation: Organisation) -> str:
    return group_option(group.kind, organisation) if group.access is rules.GroupAccess.FIXED else group.label


def comparison(group, organisation: Organisation) -> str:
    """"Camden compared with its statistical neighbours": one whole sentence per kind of group, so that each
    language can word (and, in Welsh, mutate) it properly instead of having a group's name dropped into it."""
    name, kind = organisation.name, group.kind
    if group.access is not rules.GroupAccess.FIXED:
        return _("%(name)s compared with the peer group “%(group)s”", name=name, group=group.label)
    if kind == "statistical-neighbours":
        return _("%(name)s compared with its statistical neighbours", name=name)
    if kind == "region":
        return _("%(name)s compared with the authorities in its region, %(region)s", name=name,
                 region=region_name(organisation.region_name))
    if kind == "dfe-region":
        return _("%(name)s compared with the authorities in its part of London, %(region)s", name=name,
                 region=region_name(organisation.dfe_region))
    if kind == "type":
        return _("%(name)s compared with authorities of the same type, %(type)s", name=name,
                 type=type_name(organisation.org_type))
    if kind == "nation":
        if organisation.nation == WALES:
            return _("%(name)s compared with every authority in Wales", name=name)
        return _("%(name)s compared with every authority in England", name=name)
    return _("%(name)s compared with every authority in England and Wales", name=name)


def label(text: dict) -> str:
    return localise(text, str(get_locale()))[0]


def number(value: float | None) -> Decimal | None:
    """A figure for an export, rounded as on the page (a number, which the XLSX keeps as a number)."""
    return shown_number(value)


@dataclass
class ScoreRow:
    key: str
    level: str  # overall, domain or standard
    label: str
    position: rules.Position


def score_rows(result) -> list[ScoreRow]:
    """The table's rows: overall, then each domain followed by its standards."""
    rows = [ScoreRow("overall", "overall", _("Overall"), result.positions["overall"])]
    for domain in result.framework.domains:
        rows.append(ScoreRow(f"domain:{domain.id}", "domain", label(domain.title),
                             result.positions[f"domain:{domain.id}"]))
        rows += [ScoreRow(f"standard:{s.id}", "standard", f"{s.id} {label(s.title)}",
                          result.positions[f"standard:{s.id}"]) for s in domain.standards]
    return rows


def rank_text(position: rules.Position) -> str:
    if position.rank is None:
        return "-"
    if str(get_locale()) == "cy":
        return _("%(rank)s of %(n)d", rank=position.rank, n=position.of)
    return _("%(rank)s of %(n)d", rank=rules.ordinal(position.rank), n=position.of)


def score_export(result, rows: list[ScoreRow]) -> tuple[list[str], list[list]]:
    header = [_("Area"), _("Score"), _("Authorities with a score"), _("Mean"), _("Median"), _("Lower quartile"),
              _("Upper quartile"), _("Lowest"), _("Highest"), _("Rank"), _("Quartile band")]
    table = []
    for row in rows:
        p, s = row.position, row.position.stats
        table.append([row.label, number(p.score), p.of, number(s.mean), number(s.median), number(s.q1),
                      number(s.q3), number(s.min), number(s.max), p.rank, p.band])
    return header, table


def _distribution_legend(own: str) -> charts.Legend:
    return charts.Legend(own=_("Score of %(name)s", name=own), median=_("Median of the group"),
                         box=_("Middle half of the group: from the lower to the upper quartile"),
                         range=_("Lowest to highest score in the group"),
                         dots=_("Score of each authority in the group"))


def domain_chart(result) -> Markup:
    """Where the authority sits in each domain: its score, and whatever of the group the rule lets through."""
    name = result.organisation.name
    rows, shown = [], set()
    for domain in result.framework.domains:
        p = result.positions[f"domain:{domain.id}"]
        s = p.stats
        shown.add(p.disclosure)
        rows.append(charts.DistributionRow(label(domain.title), p.values, p.score, s.q1, s.median, s.q3, s.min,
                                           s.max))
    if rules.Disclosure.NAMED in shown:
        description = _("For each domain: each authority's score as a dot, the box from the lower to the upper "
                        "quartile with the median as a thick line, the thin line from the lowest to the highest "
                        "score, and %(name)s as a diamond. The table below gives the same figures.", name=name)
    elif rules.Disclosure.STATISTICS in shown:
        description = _("For each domain: the box from the lower to the upper quartile of the group with the median "
                        "as a thick line, and %(name)s as a diamond. The table below gives the same figures.",
                        name=name)
    else:
        description = _("For each domain: the score of %(name)s as a diamond. The group's own figures are not "
                        "shown; the table below gives the rank and quartile band where they can be shown.", name=name)
    title = _("Domain scores: %(comparison)s", comparison=comparison(result.group, result.organisation))
    return charts.distribution_chart(rows, title, description, "domains", own_label=name,
                                     legend=_distribution_legend(name))


def summary_chart(rows: list[tuple[str, rules.Position]], title: str, description: str, chart_id: str) -> Markup:
    """The national and region views: each row's members as dots, its quartiles and range."""
    legend = charts.Legend(median=_("Median"), box=_("Middle half: from the lower to the upper quartile"),
                           range=_("Lowest to highest score"), dots=_("Score of each authority"))
    return charts.distribution_chart(
        [charts.DistributionRow(heading, p.values, None, p.stats.q1, p.stats.median, p.stats.q3, p.stats.min,
                                p.stats.max) for heading, p in rows], title, description, chart_id, legend=legend)
