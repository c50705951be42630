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
