"""The standards model the rest of the toolkit uses: plain, immutable data classes and their lookups."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

LEVEL = "level"
YESNO = "yesno"
STATUSES = ("draft", "published", "retired")


@dataclass(frozen=True)
class Dependency:
    criterion: str
    min_level: int


@dataclass(frozen=True)
class ScaleLevel:
    value: int
    label: dict[str, str]
    descriptor: dict[str, str]


@dataclass(frozen=True)
class Band:
    id: str
    min: Decimal
    label: dict[str, str]


@dataclass(frozen=True)
class Criterion:
    id: str
    text: dict[str, str]
    type: str = LEVEL
    weight: Decimal = Decimal(1)
    guidance: dict[str, str] = field(default_factory=dict)
    mandatory: bool = False
    minimum_level: int | None = None
    allow_na: bool = False
    evidence_from: int | None = None
    depends_on: Dependency | None = None
    actions: dict[int, dict[str, str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Standard:
    id: str
    title: dict[str, str]
    criteria: tuple[Criterion, ...]
    weight: Decimal = Decimal(1)


@dataclass(frozen=True)
class Domain:
    id: str
    title: dict[str, str]
    standards: tuple[Standard, ...]
    weight: Decimal = Decimal(1)


@dataclass(frozen=True)
class Framework:
    """One version of a standards framework, as read from its file."""

    framework: str
    version: str
    status: str
    title: dict[str, str]
    scale: tuple[ScaleLevel, ...]
    bands: tuple[Band, ...]
    gate_band: str
    domains: tuple[Domain, ...]
    description: dict[str, str] = field(default_factory=dict)
    supersedes: str | None = None
    crosswalk: dict[str, tuple[str, ...]] = field(default_factory=dict)
    content_hash: str = ""

    @property
    def max_level(self) -> int:
        return max(level.value for level in self.scale)

    @property
    def standards(self) -> list[Standard]:
        return [s for d in self.domains for s in d.standards]

    @property
    def criteria(self) -> list[Criterion]:
        return [c for s in self.standards for c in s.criteria]

    def criterion(self, criterion_id: str) -> Criterion:
        return self._criteria_by_id[criterion_id]

    def standard(self, standard_id: str) -> Standard:
        """The standard with this id; KeyError when the version has none."""
        for standard in self.standards:
            if standard.id == standard_id:
                return standard
        raise KeyError(standard_id)

    @property
    def _criteria_by_id(self) -> dict[str, Criterion]:
        cached = self.__dict__.get("_by_id")
        if cached is None:
            cached = {c.id: c for c in self.criteria}
            object.__setattr__(self, "_by_id", cached)
        return cached

    def band(self, band_id: str) -> Band:
        return next(b for b in self.bands if b.id == band_id)

