"""Loading standards into the database: all or nothing, idempotent, published versions immutable."""

from __future__ import annotations

import shutil
from pathlib import Path

from sqlalchemy import func, select

from csptoolkit.extensions.database import db
from csptoolkit.models import Criterion, CrosswalkLink, FrameworkVersion

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def copy_fixtures(tmp_path: Path) -> Path:
    folder = tmp_path / "standards"
    folder.mkdir()
    for name in ("mini-1.yaml", "mini-2.yaml"):
        shutil.copy(FIXTURES / name, folder / name)
    return folder


def test_load_stores_versions_criteria_and_crosswalk(runner, tmp_path: Path) -> None:
    folder = copy_fixtures(tmp_path)
    result = runner.invoke(args=["standards", "load", str(folder)])
    assert result.exit_code == 0, result.output
    assert "loaded mini 1" in result.output and "loaded mini 2" in result.output
    versions = {v.version: v for v in db.session.execute(select(FrameworkVersion)).scalars()}
    assert versions["2"].supersedes is versions["1"]
    assert db.session.scalar(select(func.count(Criterion.id))) == 6 + 7
    links = db.session.execute(select(CrosswalkLink)).scalars().all()
    assert len(links) == 6  # A1.2 split in two, A1.3 retired: 1 + 2 + 0 + 1 + 1 + 1
    assert versions["2"].rules().criterion("A1.2a").text == {"en": "Two (first half)"}

    listed = runner.invoke(args=["standards", "list"])
    assert "mini" in listed.output and "published" in listed.output
    assert versions["1"].content_hash[:16] in listed.output


def test_loading_again_is_a_no_op(runner, tmp_path: Path) -> None:
    folder = copy_fixtures(tmp_path)
    runner.invoke(args=["standards", "load", str(folder)])
    again = runner.invoke(args=["standards", "load", str(folder)])
    assert again.exit_code == 0
    assert "unchanged mini 1" in again.output and "unchanged mini 2" in again.output
    assert db.session.scalar(select(func.count(FrameworkVersion.id))) == 2


def test_a_changed_published_version_is_refused(runner, tmp_path: Path) -> None:
    folder = copy_fixtures(tmp_path)
    runner.invoke(args=["standards", "load", str(folder)])
    changed = folder / "mini-1.yaml"
    changed.write_text(changed.read_text().replace("text: One,", "text: One reworded,"))
    result = runner.invoke(args=["standards", "load", str(folder)])
    assert result.exit_code == 1
    assert "mini 1 is already loaded as published with different content" in result.output
    assert "publish the change as a new version" in result.output
    stored = db.session.execute(select(FrameworkVersion).filter_by(version="1")).scalar_one()
    assert stored.rules().criterion("A1.1").text == {"en": "One"}


def test_a_bad_file_loads_nothing(runner, tmp_path: Path) -> None:
    folder = copy_fixtures(tmp_path)
    bad = folder / "mini-2.yaml"
    bad.write_text(bad.read_text().replace("gate_band: low", "gate_band: lowest"))
    result = runner.invoke(args=["standards", "load", str(folder)])
    assert result.exit_code == 1
    assert "mini-2.yaml:" in result.output and "gate_band 'lowest'" in result.output
    assert "Nothing was loaded." in result.output
    assert db.session.scalar(select(func.count(FrameworkVersion.id))) == 0


def test_a_new_version_may_supersede_one_already_loaded(runner, tmp_path: Path) -> None:
    folder = copy_fixtures(tmp_path)
    runner.invoke(args=["standards", "load", str(folder / "mini-1.yaml")])
    result = runner.invoke(args=["standards", "load", str(folder / "mini-2.yaml")])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(func.count(CrosswalkLink.id))) == 6
