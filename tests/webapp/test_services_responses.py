"""The response workflow through services: revisions, locking, transitions (SPEC §4)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.conftest import make_user
from webapp.extensions import db
from webapp.services import Conflict, Forbidden
from webapp.services.responses import (
    StaleDraft,
    ValidationFailed,
    replay,
    review,
    save_draft,
    start,
    submit,
)


def test_draft_save_submit_return_accept(mini_cycle) -> None:  # type: ignore[no-untyped-def]
    """J5: through save, submit, return and accept, the revisions replay to the stored answers."""
    france = mini_cycle.assignments[0].organisation
    focal = make_user("focal_point", france)
    secretariat = make_user("secretariat")
    response = start(mini_cycle, france, focal)
    db.session.commit()
    assert (response.status, response.version) == ("draft", 1)

    save_draft(response, {"national_strategy": "full"}, focal, expected_version=1)
    db.session.commit()
    with pytest.raises(ValidationFailed) as failed:
        submit(response, focal)
    assert [e.path for e in failed.value.errors] == ["/strategy_year"]

    save_draft(response, {"national_strategy": "full", "strategy_year": 2020.0}, focal, 2)
    submit(response, focal)
    db.session.commit()
    assert response.status == "submitted"
    assert response.answers["strategy_year"] == 2020

    review(response, secretariat, "return", "please add programmes", {"/programmes": "missing"})
    db.session.commit()
    assert response.status == "returned"
    save_draft(response, {**response.answers, "prisoners": 10}, focal, response.version)
    submit(response, focal)
    review(response, secretariat, "accept")
    db.session.commit()
    assert response.status == "accepted"
    assert replay(response) == response.answers
    assert [r.action for r in response.revisions] == [
        "start",
        "save",
        "save",
        "submit",
        "return",
        "save",
        "submit",
        "accept",
    ]


def test_stale_save_is_refused_with_the_other_changes(mini_cycle) -> None:  # type: ignore[no-untyped-def]
    france = mini_cycle.assignments[0].organisation
    alice = make_user("focal_point", france, "alice@example.org")
    bob = make_user("contributor", france, "bob@example.org")
    response = start(mini_cycle, france, alice)
    save_draft(response, {"prisoners": 5}, alice, expected_version=1)
    db.session.commit()
    with pytest.raises(StaleDraft) as stale:
        save_draft(response, {"prisoners": 7}, bob, expected_version=1)
    assert stale.value.changes == [{"path": "/prisoners", "old": None, "new": 5, "added": True}]
    assert response.answers == {"prisoners": 5}


def test_locked_after_submit_and_review_needs_secretariat(mini_cycle) -> None:  # type: ignore[no-untyped-def]
    france = mini_cycle.assignments[0].organisation
    focal = make_user("focal_point", france)
    response = start(mini_cycle, france, focal)
    save_draft(response, {"national_strategy": "none"}, focal, 1)
    submit(response, focal)
    db.session.commit()
    with pytest.raises(Conflict):
        save_draft(response, {"national_strategy": "full"}, focal, response.version)
    with pytest.raises(Forbidden):
        review(response, focal, "accept")


def test_saving_the_same_answers_writes_no_revision(mini_cycle) -> None:  # type: ignore[no-untyped-def]
    """J2: saving the same answers again writes no revision."""
    france = mini_cycle.assignments[0].organisation
    focal = make_user("focal_point", france)
    response = start(mini_cycle, france, focal)
    save_draft(response, {"prisoners": 5}, focal, 1)
    db.session.commit()
    assert save_draft(response, {"prisoners": 5}, focal, 2) == []
    db.session.commit()
    assert len(response.revisions) == 2


def test_prefill_carries_conditional_answers_with_what_shows_them(mini_cycle) -> None:  # type: ignore[no-untyped-def]
    import datetime as dt

    from webapp.services.cycles import open_cycle
    from webapp.services.responses import prefill

    france = mini_cycle.assignments[0].organisation
    focal = make_user("focal_point", france)
    secretariat = make_user("secretariat")
    last_year = start(mini_cycle, france, focal)
    answers = {"national_strategy": "full", "strategy_year": 2019, "prisoners": 12}
    save_draft(last_year, answers, focal, 1)
    submit(last_year, focal)
    review(last_year, secretariat, "accept")
    today = dt.datetime.now(dt.UTC).date()
    next_cycle = open_cycle(
        "mini", 1, str(today.year + 1), today + dt.timedelta(days=9), today, [france]
    )
    db.session.commit()

    filled = prefill(next_cycle, france)
    assert filled.answers == answers
    assert sorted(filled.carried) == ["/national_strategy", "/prisoners", "/strategy_year"]
    assert filled.dropped == []


def test_a_draft_validation_the_caller_made_is_used_only_for_this_version(
    mini_cycle, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    """A page validates its answers anyway: save_draft reuses that validation when it was made
    against the response's own questionnaire version, in draft mode, and validates otherwise."""
    from engine.checker import check_source
    from engine.validation import Validator, validator_for
    from tests.conftest import FIXTURES
    from webapp.services.responses import questionnaire_of

    france = mini_cycle.assignments[0].organisation
    focal = make_user("focal_point", france)
    response = start(mini_cycle, france, focal)
    db.session.commit()
    questionnaire = questionnaire_of(response)
    calls: list[str] = []
    real = Validator.validate

    def counted(self, answers, mode="submit", *args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(mode)
        return real(self, answers, mode, *args, **kwargs)

    answers = {"prisoners": 12.0}
    mine = validator_for(questionnaire).validate(dict(answers), "draft")
    monkeypatch.setattr(Validator, "validate", counted)
    save_draft(response, answers, focal, response.version, checked=mine)
    assert calls == []
    assert response.answers == {"prisoners": 12}  # stored as that validation normalised it

    source = (FIXTURES / "mini.yaml").read_text(encoding="utf-8")
    other = check_source(source.replace("version: 1", "version: 2", 1)).questionnaire
    assert other is not None
    assert other != questionnaire
    for stranger in (
        validator_for(other).validate({"prisoners": 13}, "draft"),
        validator_for(questionnaire).validate({"prisoners": 13}, "submit"),
    ):
        calls.clear()
        save_draft(response, {"prisoners": 14}, focal, response.version, checked=stranger)
        assert calls == ["draft"]
        assert response.answers == {"prisoners": 14}


def test_a_write_that_lost_the_race_is_refused_and_leaves_nothing(
    mini_cycle, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    """A15: the save's UPDATE checks the version it read; when another writer got in between
    (here: the row lock is skipped and the row changed behind the session's back), no row is
    updated, the save is refused and neither answers nor revision of it remain."""
    from sqlalchemy import create_engine, text

    from webapp.models import Response, Revision
    from webapp.services import responses

    france = mini_cycle.assignments[0].organisation
    focal = make_user("focal_point", france)
    response = start(mini_cycle, france, focal)
    save_draft(response, {"prisoners": 5}, focal, expected_version=1)
    db.session.commit()
    response_id = response.id
    assert response.version == 2

    monkeypatch.setattr(responses, "_lock", lambda response: None)  # the race, made certain
    other = create_engine(db.engine.url)
    with other.begin() as connection:  # someone else's save, committed meanwhile
        connection.execute(
            text("UPDATE response SET version = 3, answers = :a WHERE id = :id"),
            {"a": '{"prisoners": 6}', "id": response_id},
        )
    other.dispose()

    with pytest.raises(Conflict) as refused:
        save_draft(response, {"prisoners": 7}, focal, expected_version=None)
    assert refused.value.code == "changed_concurrently"
    db.session.rollback()
    db.session.expire_all()
    stored = db.session.get(Response, response_id)
    assert (stored.version, stored.answers) == (3, {"prisoners": 6})
    numbers = db.session.scalars(
        select(Revision.number).where(Revision.response_id == response_id)
    ).all()
    assert sorted(numbers) == [1, 2]
