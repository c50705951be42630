"""The standards model as data: the content hash of a file's meaning, and the JSON stored beside loaded rows."""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from typing import Any

from .model import Band, Criterion, Dependency, Domain, Framework, ScaleLevel, Standard


def content_hash(data: Any) -> str:
    """A hash of a file's meaning (not its layout or comments): the canonical JSON of its data."""
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def to_json(framework: Framework) -> str:
    """A stable JSON form of the model, for storing beside the loaded rows."""
    def convert(value: Any) -> Any:
        if isinstance(value, Decimal):
            return str(value)
        if isinstance(value, tuple | list):
            return [convert(v) for v in value]
        if isinstance(value, dict):
            return {str(k): convert(v) for k, v in value.items()}
        if hasattr(value, "__dataclass_fields__"):
            return {name: convert(getattr(value, name)) for name in value.__dataclass_fields__}
        return value
    return json.dumps(convert(framework), ensure_ascii=False, sort_keys=True)


def from_json(text: str) -> Framework:
    """Rebuild the model stored by to_json."""
    data = json.loads(text)

    def criterion(c: dict[str, Any]) -> Criterion:
        dep = c["depends_on"]
        return Criterion(
            id=c["id"], text=c["text"], type=c["type"], weight=Decimal(c["weight"]), guidance=c["guidance"],
            mandatory=c["mandatory"], minimum_level=c["minimum_level"], allow_na=c["allow_na"],
            evidence_from=c["evidence_from"],
            depends_on=Dependency(dep["criterion"], dep["min_level"]) if dep else None,
            actions={int(k): v for k, v in c["actions"].items()},
        )

    return Framework(
        framework=data["framework"], version=data["version"], status=data["status"], title=data["title"],
        description=data["description"], supersedes=data["supersedes"],
        scale=tuple(ScaleLevel(s["value"], s["label"], s["descriptor"]) for s in data["scale"]),
        bands=tuple(Band(b["id"], Decimal(b["min"]), b["label"]) for b in data["bands"]),
        gate_band=data["gate_band"],
        domains=tuple(
            Domain(d["id"], d["title"], tuple(
                Standard(s["id"], s["title"], tuple(criterion(c) for c in s["criteria"]), Decimal(s["weight"]))
                for s in d["standards"]), Decimal(d["weight"]))
            for d in data["domains"]
        ),
        crosswalk={k: tuple(v) for k, v in data["crosswalk"].items()},
        content_hash=data["content_hash"],
    )
