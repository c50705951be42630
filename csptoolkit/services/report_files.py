"""PDF reports (DESIGN §8): an authority's benchmark against each of its peer groups, a region, the nation, and the
improvement plan, in English or Welsh.

Each is built from the same service calls as its page, for the same reader: the user is passed through, so the
disclosure rule (domain/benchmark.disclosure) decides what the PDF holds exactly as it decides what the page shows,
and the region and nation reports, which name every authority, are refused (NotPermitted) to anyone but
programme staff, as their pages are. reports/ lays the results out; reports/pdf makes the PDF.

What a caller needs: an application context (configuration, the Jinja environment, translations) and a database
session; no request context, so the download routes, the command line and the batch worker call the same
functions. Nothing is kept between calls except what services/benchmarks keeps of a cycle's scores (bounded) and
the parsed print stylesheet (reports/pdf).
"""

from __future__ import annotations

from collections.abc import Sequence

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain.scoring import OVERALL, score_keys
from ..models import Organisation, User
from ..reports import benchmark as shown
from ..reports import print_benchmark, print_plan, printing
from . import access, plans
from . import benchmarks as service
from .assessments import NotAllowed
from .benchmarks import NotPermitted, UnknownGroup
from .catalogue import find_cycle

__all__ = ["NotAllowed", "NotPermitted", "UnknownCycle", "UnknownGroup", "UnknownRegion", "benchmark_pdf",
           "nation_pdf", "plan_pdf", "region_pdf", "regions"]


class UnknownCycle(LookupError):
    """There is no cycle with that slug."""


class UnknownRegion(LookupError):
    """There is no DfE region of that name in the register."""


def _cycle(session: Session, slug: str):
    cycle = find_cycle(session, slug)
    if cycle is None:
        raise UnknownCycle(slug)
    return cycle


def _threshold(threshold: int | None) -> int:
    return current_app.config["DISCLOSURE_THRESHOLD"] if threshold is None else threshold


def benchmark_pdf(session: Session, user: User, cycle_slug: str, org_code: str | None,
                  kinds: Sequence[str] | None = None, locale: str = "en", basis: str = "best", lowest: str = "",
                  threshold: int | None = None) -> bytes:
    """An authority against each of its peer groups (`kinds`: its fixed groups by default; any group the user may
    use, `group-<id>` included), as `user` may read it.

    Raises access.NotAllowed (an authority user asking for another authority, a champion),
    access.UnknownOrganisation (a programme admin naming none, or an unknown code), UnknownCycle, UnknownGroup,
    and ValueError for a basis or lowest confidence that benchmarks do not know.
    """
    service.check_filters(basis, lowest)
    cycle = _cycle(session, cycle_slug)
    organisation = access.benchmark_subject(session, user, org_code)
    threshold = _threshold(threshold)
    with printing.in_language(locale) as language:
        cycle_label = printing.filter_text("cycle_name", cycle)
        sections = []
        for index, kind in enumerate(kinds or service.group_kinds(organisation)):
            result = service.authority_benchmark(session, cycle, organisation, kind, basis, threshold, user,
                                                 lowest=lowest)
            sections.append(print_benchmark.group_section(result, service.peers(session, result), language, index))
        context = print_benchmark.benchmark_context(organisation.name, cycle_label, sections, basis, lowest)
        return printing.document("benchmark.html", language, made_on=printing.made_on(), **context)


def regions(session: Session) -> list[str]:
    """The DfE regions of the register, by name (what `region_pdf` takes)."""
    return sorted(r for r in session.execute(select(Organisation.dfe_region).distinct()).scalars() if r)


def _region(session: Session, name: str) -> str:
    wanted = name.strip().casefold()
    found = next((r for r in regions(session) if r.casefold() == wanted), None)
    if found is None:
        raise UnknownRegion(name)
    return found


def _area(session: Session, user: User, cycle, basis: str, lowest: str, threshold: int, region: str | None,
          language: str) -> dict:
    """What the region and nation reports share: every authority shown, the figures of each score over them, and
    each region's overall figures (refused unless the user may see every authority named)."""
    framework = cycle.framework_version.rules()
    keys = score_keys(framework, standards=False)
    headings = [print_benchmark.overall_heading(), *(shown.label(d.title) for d in framework.domains)]
    rows, figures = service.national_table(session, user, cycle, basis, keys, region, None, "name", False,
                                           threshold, lowest)
    by_region = service.region_summaries(session, user, cycle, basis, OVERALL, threshold, lowest)
    return {"rows": rows, "summary": list(zip(headings, figures, strict=True)), "regions": by_region,
            "headings": headings, "language": language}


def region_pdf(session: Session, user: User, cycle_slug: str, region: str, locale: str = "en", basis: str = "best",
               lowest: str = "", threshold: int | None = None) -> bytes:
    """A DfE region: the distribution of every domain over its authorities, the regions side by side, and each of
    its authorities named with its scores. Programme staff only (NotPermitted otherwise, as the region view)."""
    service.check_filters(basis, lowest)
    cycle = _cycle(session, cycle_slug)
    name = _region(session, region)
    with printing.in_language(locale) as language:
        area = _area(session, user, cycle, basis, lowest, _threshold(threshold), name, language)
        cycle_label = printing.filter_text("cycle_name", cycle)
        heading = print_benchmark.region_heading(shown.region_name(name))
        context = print_benchmark.area_context(heading, cycle_label, area["rows"], area["summary"], area["regions"],
                                               area["headings"], basis, lowest, language)
        return printing.document("region.html", language, made_on=printing.made_on(), **context)


def nation_pdf(session: Session, user: User, cycle_slug: str, locale: str = "en", basis: str = "best",
               lowest: str = "", threshold: int | None = None) -> bytes:
    """Every authority: the distribution of the overall score and every domain, the regions side by side, and every
    authority named with its scores. Programme staff only (NotPermitted otherwise, as the national view)."""
    service.check_filters(basis, lowest)
    cycle = _cycle(session, cycle_slug)
    with printing.in_language(locale) as language:
        area = _area(session, user, cycle, basis, lowest, _threshold(threshold), None, language)
        cycle_label = printing.filter_text("cycle_name", cycle)
        context = print_benchmark.area_context(print_benchmark.nation_heading(), cycle_label, area["rows"],
                                               area["summary"], area["regions"], area["headings"], basis, lowest,
                                               language)
        return printing.document("nation.html", language, made_on=printing.made_on(), **context)


def plan_pdf(session: Session, user: User, assessment_id: int, locale: str = "en",
             threshold: int | None = None) -> bytes:
    """An assessment's improvement plan: cover, summary, position against its statistical neighbours (its default
    peer group; all of Wales for a Welsh authority), actions by priority, what closed between cycles, and the
    answers with their evidence notes. NotAllowed unless the user may read the plan (services.plans), as its page.

    The position is the benchmark page's, for the same user (left out for a reader who has no benchmarks).
    """
    report = plans.plan_report(session, user, assessment_id)
    cycle = _cycle(session, report.cycle_slug)
    with printing.in_language(locale) as language:
        position = None
        try:
            organisation = access.benchmark_subject(session, user, report.organisation_code)
        except (access.NotAllowed, access.UnknownOrganisation):
            organisation = None
        if organisation is not None:
            result = service.authority_benchmark(session, cycle, organisation, service.default_kind(organisation),
                                                 "best", _threshold(threshold), user)
            position = print_plan.position(result, language)
        context = print_plan.plan_context(report, printing.filter_text("cycle_name", cycle), position, language)
        return printing.document("plan.html", language, made_on=printing.made_on(), **context)
