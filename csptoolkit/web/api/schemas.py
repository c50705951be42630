"""The API's response models: every body it sends is one of these, dumped, and the OpenAPI document is made of them."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, RootModel, WithJsonSchema

from ...domain.benchmark import Disclosure, GroupAccess
from ...domain.moderation import OUTCOMES, RESPONSES
from ...domain.peer_groups import CUSTOM_PREFIX, GROUP_KINDS
from ...domain.states import STATES
from ...services.benchmarks import BASES, CONFIDENCES


def _utc_iso(moment: datetime) -> str:
    """RFC 3339 with its offset (+00:00, as isoformat writes it); SQLite gives back naive datetimes for timezone-aware
    columns, stored in UTC."""
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).isoformat()


Timestamp = Annotated[datetime, PlainSerializer(_utc_iso, return_type=str),
                      WithJsonSchema({"type": "string", "format": "date-time"})]
Score = float | None  # rounded half-up to one decimal place; null where there is no score (or it is withheld)
GROUP_PATTERN = "^(" + "|".join(GROUP_KINDS) + "|" + CUSTOM_PREFIX + "[1-9][0-9]{0,18})$"


class Body(BaseModel):
    """A JSON object with exactly these keys: the document says additionalProperties is false, and it is."""

    model_config = ConfigDict(extra="forbid")


# ----------------------------------------------------------------------------------------------------------
# Errors


class ErrorDetail(Body):
    status: int
    message: str


class Error(Body):
    """What every error answers, whatever its status."""

    error: ErrorDetail


# ----------------------------------------------------------------------------------------------------------
# Frameworks and cycles


class LocalisedText(RootModel[dict[str, str]]):
    """Text by language code (en, cy)."""


class FrameworkVersion(Body):
    version: str
    status: str
    title: LocalisedText
    content_hash: str
    criteria: int = Field(ge=0)
    supersedes: str | None


class Framework(Body):
    slug: str
    versions: list[FrameworkVersion]


class FrameworkList(Body):
    frameworks: list[Framework]


class Cycle(Body):
    slug: str
    name: str
    framework: str
    version: str
    opens_on: date
    closes_on: date


class CycleList(Body):
    cycles: list[Cycle]


# ----------------------------------------------------------------------------------------------------------
# The register


class StatisticalNeighbour(Body):
    rank: int = Field(ge=1)
    code: str
    name: str
    closeness: str


class Organisation(Body):
    code: str = Field(description="DfE local authority code")
    gss_code: str
    name: str
    type: str
    type_code: str | None
    region: str | None
    dfe_region: str | None
    nation: Literal["england", "wales"]
    statistical_neighbours: list[StatisticalNeighbour]


class OrganisationList(Body):
    organisations: list[Organisation]


class OrganisationName(Body):
    code: str
    name: str


# ----------------------------------------------------------------------------------------------------------
# Scores


class OverallScore(Body):
    score: Score
    band: str | None
    gated: bool


class DomainScore(Body):
    score: Score


class StandardScore(Body):
    score: Score
    band: str | None
    gated: bool
    gates: list[str]


class BasisScores(Body):
    completeness: float
    overall: OverallScore
    domains: dict[str, DomainScore]
    standards: dict[str, StandardScore]


class AssessmentScores(Body):
    cycle: str
    framework: str
    version: str
    organisation: OrganisationName
    state: Literal[STATES]
    submitted_at: Timestamp | None
    self: BasisScores
    moderated: BasisScores | None


# ----------------------------------------------------------------------------------------------------------
# Benchmarks


DISCLOSURE = (
    "What may be shown of this group on this score, and so which figures are null. `statistics`: mean, median, "
    "quartiles, rank and quartile band, no authority named; never min and max, which are one authority's own score "
    "each. `position`: only the authority's own score, rank and quartile band (a group an authority user built for "
    "itself, or the moderated basis while some scored members are not moderated). `none`: only n and the "
    "authority's own score (too few scored members). `named`: everything (programme admins).")


class Position(Body):
    score: Score
    n: int = Field(ge=0)
    mean: Score
    median: Score
    q1: Score
    q3: Score
    min: Score
    max: Score
    rank: int | None = Field(ge=1)
    band: Literal["A", "B", "C", "D"] | None = Field(
        description="The quartile band: A at or above the upper quartile, B at or above the median, C at or above "
                    "the lower quartile, else D.")
    disclosure: Disclosure = Field(description=DISCLOSURE)


class BenchmarkGroup(Body):
    kind: str = Field(pattern=GROUP_PATTERN)
    label: str
    n_members: int = Field(ge=1)
    access: GroupAccess


class Benchmark(Body):
    cycle: str
    organisation: OrganisationName
    group: BenchmarkGroup
    basis: Literal[BASES]
    confidence: Literal[CONFIDENCES] = Field(
        description="The lowest confidence of rating counted: empty for every rating, else evidenced or "
                    "peer-validated.")
    disclosure_threshold: int
    overall: Position
    domains: dict[str, Position]
    standards: dict[str, Position]


# ----------------------------------------------------------------------------------------------------------
# Peer review


class Champion(Body):
    name: str
    email: str | None = Field(description="Given to programme admins only; null for everyone else.")


class ReviewFinding(Body):
    """A criterion in a champion's evidence sample, or one a champion has recorded a finding on (or both)."""

    criterion: str = Field(description="The criterion's id in the standards file, e.g. L1.2.")
    sampled: bool = Field(description="Whether the criterion is in a champion's evidence sample; unsampled "
                                      "criteria without a finding count as agreed, and are not listed.")
    finding: Literal[OUTCOMES] | None = Field(
        description="The champion's finding; null for a sampled criterion with no finding yet.")
    proposed_level: int | None = Field(ge=0, description="The level a challenge proposes; null otherwise.")
    reason: str | None = Field(
        description="A challenge's reason, the evidence requested, or a note on agreement; null when none.")
    response: Literal[RESPONSES] | None = Field(
        description="The authority's answer to a challenge or request; null until it answers (and for agreement).")
    response_note: str | None = Field(description="Why the rating is kept, or what evidence was added.")
    moderated_level: int | None = Field(
        ge=0, description="The level moderation set; null where none is set (an agreed rating keeps its level).")


class ScoreGap(Body):
    self: Score
    moderated: Score
    gap: Score = Field(description="Moderated minus self-assessed, each as shown (rounded half-up to one decimal "
                                   "place): negative where moderation lowered the score; null where either is "
                                   "not scored.")


class ReviewScores(Body):
    overall: ScoreGap
    domains: dict[str, ScoreGap]
    standards: dict[str, ScoreGap]


class ConfidenceMix(Body):
    """How many of the assessment's answers have each confidence (DESIGN §5)."""

    self_assessed: int = Field(ge=0)
    evidenced: int = Field(ge=0, description="Evidence attached or noted, not peer-validated.")
    peer_validated: int = Field(ge=0, description="A champion agreed the rating or set it in moderation.")


class AssessmentReview(Body):
    cycle: str
    framework: str
    version: str
    organisation: OrganisationName
    state: Literal[STATES]
    submitted_at: Timestamp | None
    champions: list[Champion] = Field(description="The champions assigned, by name; empty until one is.")
    findings: list[ReviewFinding] = Field(description="In the standards file's order.")
    comments: dict[str, str] = Field(description="The champions' comment on each standard that has one, by "
                                                 "standard id.")
    scores: ReviewScores
    confidence: ConfidenceMix
