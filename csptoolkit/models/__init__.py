"""SQLAlchemy models, one module per aggregate."""

from .assessment import Answer, Assessment, AssessmentScore, EvidenceFile
from .audit import AuditEvent
from .base import Base
from .cycle import Cycle
from .export import ExportItem, ExportJob
from .framework import Criterion, CrosswalkLink, Domain, Framework, FrameworkVersion, Standard
from .organisation import Organisation, PeerGroup, PeerGroupMember, StatisticalNeighbour
from .plan import ImprovementPlan, PlanAction, PlanActionOrigin, PlanTarget, SharingOptIn
from .review import ReviewAssignment, ReviewComment, ReviewFinding
from .user import ApiToken, User
from .user_session import UserSession

__all__ = [
    "Answer", "ApiToken", "Assessment", "AssessmentScore", "AuditEvent", "Base", "Criterion", "CrosswalkLink",
    "Cycle", "Domain", "EvidenceFile", "ExportItem", "ExportJob", "Framework", "FrameworkVersion",
    "ImprovementPlan", "Organisation", "PeerGroup", "PeerGroupMember", "PlanAction", "PlanActionOrigin",
    "PlanTarget", "ReviewAssignment", "ReviewComment", "ReviewFinding", "SharingOptIn", "StatisticalNeighbour",
    "Standard", "User", "UserSession",
]
