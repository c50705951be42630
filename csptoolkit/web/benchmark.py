"""Benchmark pages: an authority against its peer groups, trends across cycles, the national and region views."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("benchmark", __name__, url_prefix="/benchmarks")
