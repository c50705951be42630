"""The organisation register: 153 English authorities with statistical neighbours, 22 Welsh authorities."""

from __future__ import annotations

import shutil
from pathlib import Path

from sqlalchemy import func, select

from csptoolkit.extensions.database import db
from csptoolkit.models import Organisation, StatisticalNeighbour

DATA = Path(__file__).resolve().parents[2] / "csptoolkit" / "data"


def test_import_loads_the_register(runner) -> None:
    result = runner.invoke(args=["orgs", "import"])
    assert result.exit_code == 0, result.output
    assert "England: 153 authorities, 1530 statistical neighbour links; Wales: 22 authorities" in result.output
    camden = db.session.execute(select(Organisation).filter_by(code="202")).scalar_one()
    assert (camden.name, camden.nation, camden.dfe_region, camden.region_name) == (
        "Camden", "england", "Inner London", "London")
    assert len(camden.neighbours) == 10
    assert [n.rank for n in camden.neighbours] == list(range(1, 11))
    cardiff = db.session.execute(select(Organisation).filter_by(name="Cardiff")).scalar_one()
    assert cardiff.nation == "wales" and cardiff.neighbours == []


def test_statistical_neighbours_are_not_symmetric(runner) -> None:
    runner.invoke(args=["orgs", "import"])
    pairs = set(db.session.execute(
        select(StatisticalNeighbour.organisation_id, StatisticalNeighbour.neighbour_id)).all())
    one_way = [p for p in pairs if (p[1], p[0]) not in pairs]
    assert len(one_way) == 592


def test_import_is_idempotent(runner) -> None:
    runner.invoke(args=["orgs", "import"])
    again = runner.invoke(args=["orgs", "import"])
    assert "(0 added, 0 updated)" in again.output
    assert db.session.scalar(select(func.count(Organisation.id))) == 175
    assert db.session.scalar(select(func.count(StatisticalNeighbour.id))) == 1530


def test_a_bad_row_is_reported_with_its_line_and_nothing_is_imported(runner, tmp_path: Path) -> None:
    folder = tmp_path / "data"
    shutil.copytree(DATA, folder)
    neighbours = folder / "dfe_statistical_neighbours_may2025_long.csv"
    lines = neighbours.read_text().splitlines()
    lines[41] = lines[41].replace("Close", "Quite near").replace("Very close", "Quite near")
    lines[41] = ",".join(lines[41].split(",")[:-1] + ["Quite near"])
    neighbours.write_text("\n".join(lines) + "\n")
    result = runner.invoke(args=["orgs", "import", "--from", str(folder)])
    assert result.exit_code == 1
    assert "dfe_statistical_neighbours_may2025_long.csv:42: closeness 'Quite near'" in result.output
    assert "Nothing was imported." in result.output
    assert db.session.scalar(select(func.count(Organisation.id))) == 0


def test_a_bad_authority_code_is_reported(runner, tmp_path: Path) -> None:
    folder = tmp_path / "data"
    shutil.copytree(DATA, folder)
    england = folder / "england_upper_tier_las_2025.csv"
    england.write_text(england.read_text().replace("\n202,Camden", "\n20X,Camden"))
    result = runner.invoke(args=["orgs", "import", "--from", str(folder)])
    assert result.exit_code == 1
    assert "england_upper_tier_las_2025.csv:" in result.output and "'20X' is not a 3-digit DfE code" in result.output
