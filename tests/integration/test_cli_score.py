"""`standards score` and `standards validate` from the command line, without touching the database."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from flask import Flask

from csptoolkit import create_app

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
STANDARDS = Path(__file__).resolve().parents[2] / "standards"


@pytest.fixture
def cli(tmp_path: Path):
    # No database is made or touched: the app points at a file that must not appear.
    app: Flask = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'never.sqlite3'}",
                             "TESTING": True})
    yield app.test_cli_runner()
    assert not (tmp_path / "never.sqlite3").exists()


def write(tmp_path: Path, answers: object) -> str:
    path = tmp_path / "answers.json"
    path.write_text(json.dumps(answers))
    return str(path)


def test_score_prints_the_agreed_json(cli, tmp_path: Path) -> None:
    answers = write(tmp_path, {"A1.1": 3, "A1.2": 1, "A1.3": True, "A2.1": 2, "A2.2": 4})
    result = cli.invoke(args=["standards", "score", str(FIXTURES / "mini-1.yaml"), answers])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {
        "framework": "mini", "version": "1", "completeness": 83.3,
        "overall": {"score": 70.3, "band": "approaching", "gated": True},
        "domains": {"a": {"score": 70.3}, "b": {"score": None}},
        "standards": {
            "A1": {"score": 56.3, "band": "approaching", "gated": True, "gates": ["A1.2"]},
            "A2": {"score": 75.0, "band": "met", "gated": False, "gates": []},
            "B1": {"score": None, "band": None, "gated": False, "gates": []},
        },
    }


@pytest.mark.parametrize(("answers", "message"), [
    ({"X1": 2}, "X1: no such criterion"),
    ({"A1.1": 9}, "A1.1: level 9 is outside the scale 0..4"),
    ({"A1.1": "na"}, "A1.1: N/A is not allowed"),
    ({"A1.3": "yes"}, "A1.3: expects true or false"),
    ({"A1.1": "3"}, "A1.1: expects a whole-number level"),
])
def test_a_malformed_answers_file_names_the_criterion(cli, tmp_path: Path, answers: dict, message: str) -> None:
    result = cli.invoke(args=["standards", "score", str(FIXTURES / "mini-1.yaml"), write(tmp_path, answers)])
    assert result.exit_code == 1
    assert message in result.output


def test_an_answers_file_that_is_not_json(cli, tmp_path: Path) -> None:
    path = tmp_path / "answers.json"
    path.write_text("{A1.1: 3")
    result = cli.invoke(args=["standards", "score", str(FIXTURES / "mini-1.yaml"), str(path)])
    assert result.exit_code == 1 and "not valid JSON" in result.output


def test_validate_exits_0_on_the_shipped_standards(cli) -> None:
    result = cli.invoke(args=["standards", "validate", str(STANDARDS)])
    assert result.exit_code == 0, result.output
    assert "OK: 3 file(s), 2 framework(s), 3 version(s)" in result.output


def test_validate_exits_1_and_names_file_and_line(cli, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text((FIXTURES / "mini-1.yaml").read_text().replace("gate_band: approaching", "gate_band: x"))
    result = cli.invoke(args=["standards", "validate", str(bad), str(FIXTURES / "mini-2.yaml")])
    assert result.exit_code == 1
    assert f"{bad}:17: gate_band 'x' is not one of the bands" in result.output


def test_validate_is_not_stopped_by_an_unreadable_file_beside_the_one_checked(cli, tmp_path: Path) -> None:
    good = tmp_path / "mini-1.yaml"
    good.write_text((FIXTURES / "mini-1.yaml").read_text())
    (tmp_path / "notes.yaml").write_bytes(b"\xff\xfe\x00not utf-8")  # beside it, not named: must not crash
    result = cli.invoke(args=["standards", "validate", str(good)])
    assert result.exit_code == 0, result.output
    assert "OK: 1 file(s)" in result.output
