"""The four roles of DESIGN §9: defined once, looked up by models, services, views and templates."""

from __future__ import annotations

ADMIN, CHAMPION, EDITOR, VIEWER = "admin", "champion", "editor", "viewer"
ROLES = (ADMIN, CHAMPION, EDITOR, VIEWER)
AUTHORITY_ROLES = (EDITOR, VIEWER)  # people who belong to one authority
