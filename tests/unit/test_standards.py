"""Standards files: every problem is reported with file, line and a plain message; valid files load."""

from __future__ import annotations

from pathlib import Path

import pytest

from csptoolkit.domain import standards as rules
from csptoolkit.services import standards_files

FIXTURES = Path(__file__).parent.parent / "fixtures"
STANDARDS = Path(__file__).parent.parent.parent / "standards"
MINI = (FIXTURES / "mini-1.yaml").read_text()


def problems_of(text: str) -> list[tuple[int, str]]:
    return [(p.line, p.message) for p in rules.parse_text(text, "f.yaml").problems]


def line_of(text: str, fragment: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if fragment in line)


def test_the_mini_fixture_is_valid() -> None:
    framework = rules.load_text(MINI)
    assert (framework.framework, framework.version, framework.max_level) == ("mini", "1", 4)
    assert [c.id for c in framework.criteria] == ["A1.1", "A1.2", "A1.3", "A2.1", "A2.2", "B1.1"]
    assert framework.title == {"en": "Mini framework", "cy": "Fframwaith bach"}
    assert framework.criterion("A2.2").depends_on == rules.Dependency("A2.1", 2)


@pytest.mark.parametrize(("old", "new", "anchor", "message"), [
    ("type: level, weight: 1, evidence_from: 3", "tpye: level, weight: 1, evidence_from: 3", "A1.1, text: One",
     "unknown key 'tpye' (in criterion A1.1)"),
    ("{id: A2.1, text: Four, type: level}", "{id: A2.1, text: Four}", "A2.1, text: Four",
     "missing required field 'type' (in criterion A2.1)"),
    ("{id: A2.1, text: Four, type: level}", "{id: A2.1, text: Four, type: scale}", "A2.1, text: Four",
     "'type' must be one of 'level' or 'yesno', not 'scale' (in criterion A2.1)"),
    ("{id: A2.1, text: Four, type: level}", "{id: A1.1, text: Four, type: level}", "A1.1, text: Four",
     "duplicate criterion id 'A1.1'"),
    ("- id: A2\n", "- id: A1  # again\n", "# again", "duplicate standard id 'A1'"),
    ("minimum_level: 2}", "minimum_level: 7}", "A1.2, text: Two", "minimum_level 7 is outside the scale 0..4"),
    ("evidence_from: 3}", "evidence_from: 5}", "A1.1, text: One", "evidence_from 5 is outside the scale 0..4"),
    ("mandatory: true, minimum_level: 2}", "mandatory: true}", "A1.2, text: Two",
     "a mandatory criterion needs a minimum_level"),
    ("{id: A2.1, text: Four, type: level}", "{id: A2.1, text: Four, type: level, minimum_level: 1}",
     "A2.1, text: Four", "minimum_level is only used with mandatory: true"),
    ("min: 65", "min: 30", "min: 30", "band thresholds must be ascending: band met starts at 30"),
    ("{id: not-met, min: 0", "{id: not-met, min: 5", "id: not-met", "the first band must start at 0, not 5"),
    ("gate_band: approaching", "gate_band: amber", "gate_band", "gate_band 'amber' is not one of the bands"),
    ("criterion: A2.1, min_level: 2", "criterion: A9.9, min_level: 2", "A2.2, text: Five",
     "depends_on names criterion 'A9.9', which does not exist (in criterion A2.2)"),
    ("{id: A2.1, text: Four, type: level}",
     "{id: A2.1, text: Four, type: level, depends_on: {criterion: A2.2, min_level: 1}}", "A2.1, text: Four",
     "depends_on forms a cycle: A2.1 -> A2.2 -> A2.1"),
    ('version: "1"', "version: 1.0", "version:", "'version' must be text, not 1.0 (quote it"),
    ("status: published", "status: live", "status:", "'status' must be one of 'draft', 'published' or 'retired'"),
    ("gate_band: approaching", "gate_band: approaching\nsupersedes: \"1\"", "supersedes",
     "version 1 cannot supersede itself"),
    ("gate_band: approaching", "gate_band: approaching\ncrosswalk: {A1.1: [A1.1]}", "crosswalk",
     "a crosswalk needs 'supersedes'"),
    ("gate_band: approaching", "gate_band: approaching\ncolour: red", "colour", "unknown key 'colour'"),
    ("{value: 1, label: Emerging}", "{value: 1, label: no}", "value: 1",
     "'label' must be text or a map of en/cy text, not False (quote it"),
    ("framework: mini", "framework: mini\nframework: maxi", "framework: maxi", "key 'framework' appears twice"),
])
def test_each_problem_is_reported_with_its_line(old: str, new: str, anchor: str, message: str) -> None:
    assert old in MINI
    text = MINI.replace(old, new, 1)
    found = problems_of(text)
    line = line_of(text, anchor)
    assert any(message in m and at == line for at, m in found), (line, message, found)


def test_yaml_syntax_errors_name_the_line() -> None:
    found = problems_of("framework: x\nversion: '1'\ntitle: [unclosed\nstatus: draft\n")
    assert found and found[0][1].startswith("YAML syntax error") and found[0][0] >= 3


def test_every_problem_is_reported_not_just_the_first() -> None:
    text = MINI.replace("min: 65", "min: 30").replace("gate_band: approaching", "gate_band: amber")
    text = text.replace("{id: A2.1, text: Four, type: level}", "{id: A1.1, text: Four, type: level}")
    assert len(problems_of(text)) == 4  # the renamed A2.1 also leaves A2.2 depending on nothing


def test_structural_and_rule_problems_are_reported_together() -> None:
    text = MINI.replace("type: level, weight: 1, evidence_from: 3", "tpye: level, weight: 1, evidence_from: 3")
    text = text.replace("min: 65", "min: 30").replace("{id: A2.1, text: Four, type: level}",
                                                      "{id: A1.2, text: Four, type: levels}")
    messages = [m for _, m in problems_of(text)]
    assert "unknown key 'tpye' (in criterion A1.1)" in messages
    assert "'type' must be one of 'level' or 'yesno', not 'levels' (in criterion A1.2)" in messages
    assert any(m.startswith("band thresholds must be ascending") for m in messages)
    assert "duplicate criterion id 'A1.2'" in messages
    # Nothing is said about the neutral values that stood in for the broken fields.
    assert not any("mandatory" in m or "minimum_level" in m for m in messages)


def test_a_problem_outside_domains_stops_the_rule_checks() -> None:
    text = MINI.replace('version: "1"', "version: 1.0").replace("min: 65", "min: 30")
    messages = [m for _, m in problems_of(text)]
    assert len(messages) == 1 and messages[0].startswith("'version' must be text")


def test_empty_and_non_mapping_files() -> None:
    assert problems_of("") == [(1, "the file is empty")]
    assert problems_of("- a\n- b\n") == [(1, "a standards file must be a mapping of keys to values")]


def test_content_hash_ignores_layout_and_comments() -> None:
    same = "# a comment\n" + MINI.replace("title: Domain A", "title:   'Domain A'")
    assert rules.load_text(same).content_hash == rules.load_text(MINI).content_hash
    assert rules.load_text(MINI.replace("text: One", "text: Uno")).content_hash != rules.load_text(MINI).content_hash


def test_supersedes_and_crosswalk_are_checked_across_versions(tmp_path: Path) -> None:
    old = tmp_path / "mini-1.yaml"
    new = tmp_path / "mini-2.yaml"
    old.write_text(MINI)
    new.write_text((FIXTURES / "mini-2.yaml").read_text())
    frameworks, problems = standards_files.check_files([old, new])
    assert problems == [] and len(frameworks) == 2

    _, problems = standards_files.check_files([new])
    assert [p.message for p in problems] == [
        "supersedes names version 1 of mini, which is not among the standards checked or loaded"]

    new.write_text((FIXTURES / "mini-2.yaml").read_text().replace("A1.3: []", "A1.9: []"))
    _, problems = standards_files.check_files([old, new])
    assert [(p.line, p.message) for p in problems] == [
        (line_of(new.read_text(), "A1.9"), "crosswalk maps from A1.9, which is not a criterion of version 1")]

    new.write_text((FIXTURES / "mini-2.yaml").read_text().replace("B1.1: [B1.1]", "B1.1: [B1.7]"))
    _, problems = standards_files.check_files([old, new])
    assert [p.message for p in problems] == ["crosswalk maps B1.1 to B1.7, which is not a criterion of version 2"]


def test_comparable_criteria_follow_the_crosswalk() -> None:
    new = rules.load_text((FIXTURES / "mini-2.yaml").read_text())
    # A1.2 was split, so neither half is comparable; A1.3 retired; B1.2 is new.
    assert rules.comparable_criteria(new) == {"A1.1": "A1.1", "A2.1": "A2.1", "A2.2": "A2.2", "B1.1": "B1.1"}


def test_json_round_trip_keeps_the_model() -> None:
    framework = rules.load_text(MINI)
    assert rules.from_json(rules.to_json(framework)) == framework


def test_the_shipped_standards_are_valid() -> None:
    frameworks, problems = standards_files.check_files(standards_files.expand_paths([STANDARDS]))
    assert problems == []
    by_key = {(f.framework, f.version): f for f in frameworks}
    current = by_key[("csp-commissioning", "2011.1")]
    assert len(current.domains) == 8
    assert 90 <= len(current.criteria) <= 110
    assert current.supersedes == "2010.1"
    kinds = [c for c in current.criteria]
    assert any(c.mandatory for c in kinds) and any(c.allow_na for c in kinds)
    assert any(c.type == "yesno" for c in kinds) and sum(1 for c in kinds if c.depends_on) >= 2
    moves = current.crosswalk.values()
    assert any(len(v) == 0 for v in moves) and any(len(v) > 1 for v in moves)  # retired, split
    targets = [t for v in moves for t in v]
    assert len(targets) > len(set(targets))  # a merge: two old criteria map to one new
    assert {c.id for c in current.criteria} - set(targets)  # new criteria
    assert ("integrated-commissioning", "2014.1") in by_key
    for framework in frameworks:
        assert framework.title.get("cy") and all(d.title.get("cy") for d in framework.domains)
        assert all(s.title.get("cy") for s in framework.standards)
        assert all(level.label.get("cy") for level in framework.scale)
        assert all(band.label.get("cy") for band in framework.bands)
        for criterion in framework.criteria:
            top = 1 if criterion.type == "yesno" else framework.max_level
            assert set(criterion.actions) == set(range(top)), criterion.id
            assert criterion.guidance.get("en"), criterion.id
