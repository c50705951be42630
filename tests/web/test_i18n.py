"""English and Welsh: every marked string has a Welsh translation, and pages switch language."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

from .conftest import EDITOR, Browser

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "csptoolkit" / "translations"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


def extracted_messages(tmp_path: Path) -> set[str]:
    """What the code marks for translation now (so a new string without Welsh fails this test)."""
    pot = tmp_path / "messages.pot"
    subprocess.run([str(Path(sys.executable).parent / "pybabel"), "extract", "-F",
                    str(TRANSLATIONS / "babel.cfg"), "-k", "_l", "-k", "lazy_gettext", "-o", str(pot),
                    str(ROOT)], check=True, cwd=ROOT, capture_output=True)
    with pot.open("rb") as handle:
        return {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(handle) if m.id}


def test_every_marked_string_has_a_welsh_translation(tmp_path: Path) -> None:
    with (TRANSLATIONS / "cy" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle)
    translated = {}
    for message in catalog:
        if not message.id:
            continue
        key = message.id if isinstance(message.id, str) else message.id[0]
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if all(strings) and not message.fuzzy:
            translated[key] = (message.id, strings)
    missing = sorted(extracted_messages(tmp_path) - set(translated))
    assert missing == [], f"{len(missing)} string(s) have no Welsh translation: {missing[:10]}"
    for key, (ids, strings) in translated.items():
        wanted = set(PLACEHOLDER.findall(ids if isinstance(ids, str) else ids[0]))
        for string in strings:
            assert set(PLACEHOLDER.findall(string)) == wanted, key


def test_pages_come_in_welsh(browser: Browser) -> None:
    browser.get("/language/cy?next=/sign-in", status=302)
    browser.get("/sign-in")
    assert '<html lang="cy"' in browser.last
    assert "Mewngofnodi" in browser.last and "Sign in to complete" not in browser.last
    browser.sign_in(EDITOR)
    browser.get("/")
    assert "Hunanasesiad" in browser.last or "hunanasesiad" in browser.last


def test_standards_text_without_welsh_is_marked_english(browser: Browser) -> None:
    browser.sign_in(EDITOR)
    browser.get("/language/cy?next=/", status=302)
    browser.get("/")
    link = re.search(r'href="(/assessments/\d+/standards/[^"]+)"', browser.last).group(1)
    browser.get(link)
    # Criterion statements are English only in the shipped files: shown in English, marked as such.
    assert '<span lang="en">' in browser.last


def english_outside_lang_en(html: str, texts: set[str]) -> list[str]:
    """Texts from `texts` that appear on the page in an element without lang="en" on it or above it."""
    import html5lib

    document = html5lib.parse(html, namespaceHTMLElements=False)
    parents = {child: parent for parent in document.iter() for child in parent}
    found = []

    def language(element) -> str | None:
        while element is not None:
            if element.get("lang"):
                return element.get("lang")
            element = parents.get(element)
        return None

    for element in document.iter():
        if element.tag in ("script", "style", "title"):
            continue
        own = " ".join(part for part in (element.text, *(c.tail for c in element)) if part)
        for text in texts:
            if text in " ".join(own.split()) and language(element) != "en":
                found.append(text)
    return found


def test_english_standards_text_on_welsh_pages_is_marked_english(browser: Browser) -> None:
    from sqlalchemy import select

    from csptoolkit.extensions.database import db
    from csptoolkit.models import Assessment, Cycle, Organisation

    browser.sign_in(EDITOR)
    browser.get("/language/cy?next=/", status=302)
    leeds = db.session.execute(select(Organisation).filter_by(code="383")).scalar_one()
    cycle = db.session.execute(select(Cycle).filter_by(slug="2011")).scalar_one()
    assessment = db.session.execute(select(Assessment).filter_by(organisation_id=leeds.id,
                                                                 cycle_id=cycle.id)).scalar_one()
    framework = cycle.framework_version.rules()
    english_only = {" ".join(c.text["en"].split()) for c in framework.criteria if not c.text.get("cy")}
    assert english_only, "the shipped criteria are English only"
    for standard in framework.standards[:4]:
        browser.get(f"/assessments/{assessment.id}/standards/{standard.id}")
        texts = {" ".join(c.text["en"].split()) for c in standard.criteria if not c.text.get("cy")}
        assert english_outside_lang_en(browser.last, texts) == [], standard.id
    browser.get(f"/assessments/{assessment.id}/check")
    assert english_outside_lang_en(browser.last, english_only) == []


def test_welsh_wording_the_issue_corrected(browser: Browser) -> None:
    browser.get("/language/cy?next=/sign-in", status=302)
    browser.get("/sign-in")
    assert "Neidio i&#39;r prif gynnwys" in browser.last or "Neidio i'r prif gynnwys" in browser.last
    assert "Pecyn cymorth hunanasesu comisiynu" in browser.last and "hunanasesiad comisiynu</" not in browser.last
    # The password field's Show button and what it announces, in Welsh.
    assert 'data-i18n.show-password="Dangos"' in browser.last
    assert 'data-i18n.hide-password="Cuddio"' in browser.last
    assert 'aria-label="Dangos y cyfrinair"' in browser.last
    browser.sign_in(EDITOR)
    browser.get("/language/cy?next=/", status=302)  # the choice is kept for the user from now on
    browser.get("/")
    assert "Hunanasesiad 2011" in browser.last and "2011 self-assessment" not in browser.last
    link = re.search(r'href="(/assessments/\d+)/standards/', browser.last).group(1)
    browser.get(f"{link}/standards/R2")  # R2.2 may be answered "not applicable"
    assert "Ddim yn berthnasol" in browser.last and "Amherthnasol" not in browser.last
    browser.get("/benchmarks")
    assert "Wedi&#39;i hunanasesu" in browser.last or "Wedi'i hunanasesu" in browser.last


def test_english_scale_descriptors_in_the_questionnaire_are_marked_english(browser: Browser) -> None:
    """The 2014.1 scale's descriptors are English only: as radio hints on a Welsh page they carry lang="en"."""
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import select

    from csptoolkit.extensions.database import db
    from csptoolkit.models import Cycle, FrameworkVersion

    version = db.session.execute(select(FrameworkVersion).filter_by(version="2014.1")).scalar_one()
    today = datetime.now(UTC).date()
    db.session.add(Cycle(slug="2014", name="2014 self-assessment", framework_version=version,
                         opens_on=today, closes_on=today + timedelta(days=30)))
    db.session.commit()
    framework = version.rules()
    descriptors = {" ".join(level.descriptor["en"].split()) for level in framework.scale}
    assert all(not level.descriptor.get("cy") for level in framework.scale)
    browser.sign_in(EDITOR)
    browser.get("/language/cy?next=/", status=302)
    assert browser.post("/cycles/2014/start", {}, token_from="/").status_code == 302
    browser.get("/")
    assert "Hunanasesiad 2014" in browser.last
    link = re.search(r'href="(/assessments/\d+/standards/[^"]+)"', browser.last).group(1)
    browser.get(link)
    assert 'lang="en"' in browser.last and english_outside_lang_en(browser.last, descriptors) == []
    assert "Ddim eto" in browser.last  # the labels have Welsh, and are shown in it
