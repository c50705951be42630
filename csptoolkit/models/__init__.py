"""SQLAlchemy models, one module per aggregate."""

from .assessment import Answer, Assessment, AssessmentScore, EvidenceFile
from .audit import AuditEvent
from .base import Base
from .cycle import Cycle
from .framework import Criterion, CrosswalkLink, Domain, Framework, FrameworkVersion, Standard
from .organisation import Organisation, PeerGroup, PeerGroupMember, StatisticalNeighbour
from .plan import ImprovementPlan, PlanAction
from .review import ReviewAssignment, ReviewComment, ReviewFinding
from .user import ApiToken, User
from .user_session import UserSession

__all__ = [
    "Answer", "ApiToken", "Assessment", "AssessmentScore", "AuditEvent", "Base", "Criterion", "CrosswalkLink",
    "Cycle", "Domain", "EvidenceFile", "Framework", "FrameworkVersion", "ImprovementPlan", "Organisation",
    "PeerGroup", "PeerGroupMember", "PlanAction", "ReviewAssignment", "ReviewComment", "ReviewFinding",
    "StatisticalNeighbour", "Standard", "User", "UserSession",
]
