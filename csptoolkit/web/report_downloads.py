"""PDF downloads: an authority's benchmark report, a region's, the nation's (and the improvement plan's), in the
signed-in user's language, each checked for role and organisation as the page it comes from is.

The PDFs are built by services/report_files for the user asking, so they hold what that user's pages show.
"""

from __future__ import annotations

import re

from flask import Blueprint, Response, abort, current_app, g, redirect, request, url_for
from flask_login import current_user, login_required

from .. import services
from ..domain.roles import ADMIN
from ..services import access, catalogue, plans, report_files
from .admin import admin_required
from .benchmark import benchmark_access

bp = Blueprint("reports", __name__)


def _pdf(data: bytes, name: str) -> Response:
    """A PDF to save, named for what it is and its language; never kept by a shared cache."""
    suffix = "-cy" if g.locale == "cy" else ""
    safe = re.sub(r"[^A-Za-z0-9.-]+", "-", name).strip("-").lower() or "report"
    return Response(data, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{safe}{suffix}.pdf"', "Cache-Control": "private, no-store"})


def _cycle_slug() -> str:
    """The cycle asked for, or the newest one."""
    slug = request.args.get("cycle")
    if slug:
        return slug
    cycles = catalogue.cycles(services.session())
    if not cycles:
        abort(404)
    return cycles[0].slug


def _filters() -> dict:
    return {"basis": request.args.get("basis") or "best", "lowest": request.args.get("confidence") or ""}


@bp.route("/benchmarks/report.pdf")
@benchmark_access
def benchmark_pdf():
    """The authority against each of its peer groups (or only the group asked for)."""
    if current_user.role == ADMIN and not request.args.get("org"):
        return redirect(url_for("benchmark.national"))
    code = request.args.get("org") if current_user.role == ADMIN else None
    group = request.args.get("group")
    cycle = _cycle_slug()
    try:
        data = report_files.benchmark_pdf(services.session(), current_user, cycle, code,
                                          kinds=[group] if group else None, locale=g.locale, **_filters(),
                                          threshold=current_app.config["DISCLOSURE_THRESHOLD"])
    except (access.NotAllowed, access.UnknownOrganisation, report_files.UnknownCycle, report_files.UnknownGroup):
        abort(404)
    except ValueError:
        abort(400)
    organisation = code or current_user.organisation.code
    return _pdf(data, f"benchmark-{organisation}-{cycle}")


@bp.route("/benchmarks/regions/report.pdf")
@admin_required
def region_pdf():
    """A DfE region: its authorities named, the distribution of every domain, the regions side by side."""
    region = request.args.get("region") or ""
    cycle = _cycle_slug()
    try:
        data = report_files.region_pdf(services.session(), current_user, cycle, region, locale=g.locale,
                                       **_filters())
    except (report_files.UnknownCycle, report_files.UnknownRegion, report_files.NotPermitted):
        abort(404)
    except ValueError:
        abort(400)
    return _pdf(data, f"region-{region}-{cycle}")


@bp.route("/benchmarks/national/report.pdf")
@admin_required
def nation_pdf():
    """Every authority named, the distribution of every domain, the regions side by side."""
    cycle = _cycle_slug()
    try:
        data = report_files.nation_pdf(services.session(), current_user, cycle, locale=g.locale, **_filters())
    except (report_files.UnknownCycle, report_files.NotPermitted):
        abort(404)
    except ValueError:
        abort(400)
    return _pdf(data, f"national-{cycle}")


@bp.route("/assessments/<int:assessment_id>/plan.pdf")
@login_required
def plan_pdf(assessment_id: int):
    """The improvement plan: whoever may read the plan's page (services.plans) may download it; others get 404."""
    try:
        assessment = plans.readable(services.session(), current_user, assessment_id)
        data = report_files.plan_pdf(services.session(), current_user, assessment_id, g.locale,
                                     threshold=current_app.config["DISCLOSURE_THRESHOLD"])
    except report_files.NotAllowed:
        abort(404)
    return _pdf(data, f"plan-{assessment.organisation.code}-{assessment.cycle.slug}")  # as the plan's CSV
