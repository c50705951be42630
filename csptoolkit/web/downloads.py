"""Downloads of an assessment's answers and scores: one workbook (Answers and Scores sheets) or a CSV per table."""

from __future__ import annotations

from flask import Blueprint, Response, abort, g
from flask_login import current_user, login_required

from .. import services
from ..reports import assessment_exports as sheets
from ..services import assessment_exports as service

bp = Blueprint("downloads", __name__)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _found(assessment_id: int) -> service.AssessmentExport:
    try:
        return service.downloadable(services.session(), current_user, assessment_id)
    except service.NotAllowed:
        abort(404)


def _name(found: service.AssessmentExport, what: str, extension: str) -> str:
    assessment = found.assessment
    return f"{what}-{assessment.organisation.code}-{assessment.cycle.slug}.{extension}"


def _attachment(body: bytes, mimetype: str, name: str) -> Response:
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{name}"'})


def _answers(found: service.AssessmentExport) -> sheets.Table:
    return sheets.answer_table(found.framework, found.result, found.rows, found.confidence, g.locale)


def _scores(found: service.AssessmentExport) -> sheets.Table:
    return sheets.score_table(found.framework, found.result, found.moderated, g.locale)


@bp.route("/assessments/<int:assessment_id>/answers.xlsx")
@login_required
def workbook(assessment_id: int):
    found = _found(assessment_id)
    return _attachment(sheets.as_xlsx(_answers(found), _scores(found)), XLSX, _name(found, "assessment", "xlsx"))


@bp.route("/assessments/<int:assessment_id>/answers.csv")
@login_required
def answers_csv(assessment_id: int):
    found = _found(assessment_id)
    return _attachment(sheets.as_csv(_answers(found)), "text/csv", _name(found, "answers", "csv"))


@bp.route("/assessments/<int:assessment_id>/scores.csv")
@login_required
def scores_csv(assessment_id: int):
    found = _found(assessment_id)
    return _attachment(sheets.as_csv(_scores(found)), "text/csv", _name(found, "scores", "csv"))


@bp.app_template_global("may_download_assessment")
def may_download_assessment(assessment) -> bool:
    """Whether the signed-in user may download this assessment's spreadsheets (the overview's links)."""
    return current_user.is_authenticated and service.may_download(services.session(), current_user, assessment)
