"""Who may see which authority's benchmarks: the one rule the benchmark pages and the API both ask."""

from __future__ import annotations

from sqlalchemy.orm import Session

from ..domain.roles import ADMIN, AUTHORITY_ROLES
from ..models import Organisation, User
from .assessments import NotAllowed
from .catalogue import find_organisation

__all__ = ["NotAllowed", "UnknownOrganisation", "benchmark_subject", "may_see_benchmarks"]


class UnknownOrganisation(LookupError):
    """A programme admin asked for an authority code the register does not have (or for none)."""


def may_see_benchmarks(user: User) -> bool:
    """Programme admins and authority users; champions read only the assessments assigned to them."""
    return user.role == ADMIN or user.role in AUTHORITY_ROLES


def benchmark_subject(session: Session, user: User, code: str | None) -> Organisation:
    """The authority whose benchmarks `user` may see, for the authority code asked for.

    Programme admins: any authority in the register, so a code is needed; an unknown code (or none) is
    UnknownOrganisation. Authority users: only their own; no code means their own, any other code is NotAllowed
    (even one that does not exist: they are not told which codes do); so is an authority user with no authority.
    Champions, and anyone else: NotAllowed. The code is compared with surrounding spaces removed.
    """
    code = (code or "").strip() or None
    if user.role == ADMIN:
        organisation = find_organisation(session, code) if code else None
        if organisation is None:
            raise UnknownOrganisation(code)
        return organisation
    own = user.organisation if user.role in AUTHORITY_ROLES else None
    if own is not None and code in (None, own.code):
        return own
    raise NotAllowed
