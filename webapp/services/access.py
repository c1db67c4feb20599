"""Who may do what (SPEC §4): one place for every authorisation rule, used by every route.

Roles: `secretariat` (everything), `officer` (reads submitted responses, exports, dashboards),
`focal_point` (edits and submits its organisation's responses), `contributor` (edits its
organisation's drafts, cannot submit). Nobody sees another organisation's drafts.
"""

from __future__ import annotations

from webapp.models import Organisation, Response, User

READABLE_BY_OFFICERS = frozenset({"submitted", "accepted"})


def is_member(user: User, organisation: Organisation) -> bool:
    return user.organisation_id is not None and user.organisation_id == organisation.id


def can_view(user: User, response: Response) -> bool:
    if user.role == "secretariat":
        return True
    if user.role == "officer":
        return response.status in READABLE_BY_OFFICERS
    return is_member(user, response.organisation)


def can_edit(user: User, response: Response) -> bool:
    return user.role in ("focal_point", "contributor") and is_member(user, response.organisation)


def can_start(user: User, organisation: Organisation) -> bool:
    return user.role in ("focal_point", "contributor") and is_member(user, organisation)


def can_submit(user: User, response: Response) -> bool:
    return user.role == "focal_point" and is_member(user, response.organisation)


def can_review(user: User) -> bool:
    return user.role == "secretariat"


def can_administer(user: User) -> bool:
    return user.role == "secretariat"


def can_see_board(user: User) -> bool:
    """Completeness and timeliness of cycles: Secretariat and officers."""
    return user.role in ("secretariat", "officer")
