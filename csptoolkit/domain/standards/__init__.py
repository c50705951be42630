"""The standards file model: validating a file's text (with line), content hash, JSON form and crosswalk.

Reading files from disk is not done here: see csptoolkit.services.standards_files.
"""

from __future__ import annotations

from .checks import Problem, StandardsError
from .crosswalk import comparable_criteria, restrict
from .located import KeyPath
from .model import LEVEL, STATUSES, YESNO, Band, Criterion, Dependency, Domain, Framework, ScaleLevel, Standard
from .parsing import CheckedFile, check_supersession, check_texts, load_text, parse_text
from .schema import Slug, TextField, Weight
from .serialisation import content_hash, from_json, to_json

Path_ = KeyPath  # the name this type had before the module became a package

__all__ = [
    "LEVEL", "STATUSES", "YESNO", "Band", "CheckedFile", "Criterion", "Dependency", "Domain", "Framework", "KeyPath",
    "Path_", "Problem", "ScaleLevel", "Slug", "Standard", "StandardsError", "TextField", "Weight",
    "check_supersession", "check_texts", "comparable_criteria", "content_hash", "from_json", "load_text",
    "parse_text", "restrict", "to_json",
]
