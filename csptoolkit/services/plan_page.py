"""What the plan pages keep of a plan between requests: the plan's stamp, and its report kept under that stamp.

A plan's report (services/plan_report.build: a dozen queries and the scoring of every answer) depends on the
assessment's answers and review, which move the assessment's stamp (services/kept.py), and on the plan and the
plan of last cycle it carries, whose revision every change through services/plans raises. The stamp adds each
of those plans' number of actions and their latest `updated_at`, so that an action changed or added by any other
path (a command, a migration of data) is not hidden either. One query reads it all; the pages key the HTML they
keep under the same stamp.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, aliased

from ..models import Assessment
from ..models.plan import ImprovementPlan, PlanAction
from .kept import kept
from .plans import report_for


def stamp(session: Session, assessment: Assessment) -> tuple:
    """What names the assessment's plan as it is now: (database, assessment stamp, then for the plan and the plan
    it carries from: id, revision, number of actions, latest change of one). Equal stamps, equal reports."""
    this = aliased(ImprovementPlan)
    carried_from = select(this.carried_from_plan_id).where(this.assessment_id == assessment.id).scalar_subquery()
    rows = session.execute(
        select(ImprovementPlan.id, ImprovementPlan.revision, func.count(PlanAction.id),
               func.max(PlanAction.updated_at))
        .outerjoin(PlanAction, PlanAction.plan_id == ImprovementPlan.id)
        .where(or_(ImprovementPlan.assessment_id == assessment.id, ImprovementPlan.id == carried_from))
        .group_by(ImprovementPlan.id, ImprovementPlan.revision).order_by(ImprovementPlan.id)).all()
    return (str(session.get_bind().url), assessment.id, assessment.updated_at, assessment.state,
            *(tuple(row) for row in rows))


def report(session: Session, assessment: Assessment, today: date | None = None):
    """(stamp, the plan report) of an assessment whose plan the caller has checked the user may read: the report
    built once per stamp and day (what is overdue changes at midnight), in this process."""
    today = today or datetime.now(UTC).date()
    now = stamp(session, assessment)
    return now, kept(session, assessment, ("plan-report", now, today), lambda: report_for(session, assessment, today))
