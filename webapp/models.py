"""Database tables: SQLAlchemy 2 typed models. Writes go through `webapp.services`, never views.

Answers are stored as JSON with the questionnaire version they answer (SPEC §3, §4); every
change to a response writes an append-only `Revision` in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask_login import UserMixin
from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

ROLES = ("secretariat", "officer", "focal_point", "contributor")
STATUSES = ("draft", "submitted", "returned", "accepted")


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    pass


class Organisation(Base):
    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    """ISO3 code for Member States (`FRA`), a slug for other stakeholders (`unodc-youth`)."""
    kind: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    iso3: Mapped[str | None] = mapped_column(String(3), unique=True)

    users: Mapped[list[User]] = relationship(back_populates="organisation")


class User(UserMixin, Base):
    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(32))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    """Bumped at logout and on role change: a copied session cookie stops working (H4, B6)."""
    language: Mapped[str | None] = mapped_column(String(8))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    organisation: Mapped[Organisation | None] = relationship(back_populates="users")

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    @property
    def is_active(self) -> bool:  # type: ignore[override]
        return self.active


class QuestionnaireVersion(Base):
    """A published questionnaire version: its YAML source is immutable once stored."""

    __tablename__ = "questionnaire_version"
    __table_args__ = (UniqueConstraint("questionnaire_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    questionnaire_id: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer)
    title: Mapped[dict[str, Any]] = mapped_column(JSON)
    source: Mapped[str] = mapped_column(Text, deferred=True)
    """Read only when its model is not cached yet (see `services.definitions.model_of`)."""
    source_hash: Mapped[str] = mapped_column(String(64))
    published_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    @property
    def key(self) -> str:
        return f"{self.questionnaire_id}@v{self.version}"


class Cycle(Base):
    """One questionnaire version asked for a period: `kyoto-core@2026`."""

    __tablename__ = "cycle"
    __table_args__ = (UniqueConstraint("questionnaire_id", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    questionnaire_id: Mapped[str] = mapped_column(String(64))
    period: Mapped[str] = mapped_column(String(32))
    questionnaire_version_id: Mapped[int] = mapped_column(ForeignKey("questionnaire_version.id"))
    opens_on: Mapped[dt.date] = mapped_column(Date)
    closes_on: Mapped[dt.date] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    questionnaire_version: Mapped[QuestionnaireVersion] = relationship()
    assignments: Mapped[list[Assignment]] = relationship(back_populates="cycle")

    @property
    def name(self) -> str:
        return f"{self.questionnaire_id}@{self.period}"


class Assignment(Base):
    """An organisation asked to answer a cycle, with its own closing-date extension."""

    __tablename__ = "assignment"
    __table_args__ = (UniqueConstraint("cycle_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycle.id"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    extended_until: Mapped[dt.date | None] = mapped_column(Date)

    cycle: Mapped[Cycle] = relationship(back_populates="assignments")
    organisation: Mapped[Organisation] = relationship()

    def closes_on(self) -> dt.date:
        return max(self.cycle.closes_on, self.extended_until or self.cycle.closes_on)


class Response(Base):
    """An organisation's answers for a cycle; `version` is the optimistic lock (ETag)."""

    __tablename__ = "response"
    __table_args__ = (UniqueConstraint("cycle_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycle.id"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    questionnaire_version_id: Mapped[int] = mapped_column(ForeignKey("questionnaire_version.id"))
    status: Mapped[str] = mapped_column(String(16), default="draft")
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    justifications: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    confidential: Mapped[list[Any]] = mapped_column(JSON, default=list)
    unconfirmed: Mapped[list[Any]] = mapped_column(JSON, default=list)
    version: Mapped[int] = mapped_column(Integer, default=0)
    submitted_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    published: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    __mapper_args__ = {"version_id_col": version}

    cycle: Mapped[Cycle] = relationship()
    organisation: Mapped[Organisation] = relationship()
    questionnaire_version: Mapped[QuestionnaireVersion] = relationship()
    revisions: Mapped[list[Revision]] = relationship(
        back_populates="response", order_by="Revision.number"
    )

    def envelope(self) -> dict[str, Any]:
        return {
            "answers": self.answers,
            "justifications": self.justifications,
            "confidential": self.confidential,
            "unconfirmed": self.unconfirmed,
        }


class Revision(Base):
    """Append-only history of a response: who, when (UTC), what changed, old and new values."""

    __tablename__ = "revision"
    __table_args__ = (UniqueConstraint("response_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("response.id"))
    number: Mapped[int] = mapped_column(Integer)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    action: Mapped[str] = mapped_column(String(32))
    status_before: Mapped[str | None] = mapped_column(String(16))
    status_after: Mapped[str] = mapped_column(String(16))
    changes: Mapped[list[Any]] = mapped_column(JSON, default=list)
    """`[{"path": "/q", "old": ..., "new": ...}]`, absent values as null with `"absent": true`."""
    comment: Mapped[str | None] = mapped_column(Text)
    request_id: Mapped[str | None] = mapped_column(String(64))
    seal: Mapped[str | None] = mapped_column(String(64))
    """HMAC of this row and the response's previous seal (`webapp.services.integrity`, J4);
    NULL only on rows written before migration 0002."""

    response: Mapped[Response] = relationship(back_populates="revisions")
    actor: Mapped[User | None] = relationship()


class ReviewComment(Base):
    """A reviewer's comment on one question, attached when returning a response."""

    __tablename__ = "review_comment"

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("response.id"))
    revision_number: Mapped[int] = mapped_column(Integer)
    path: Mapped[str] = mapped_column(String(512))
    text: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class AuditEvent(Base):
    """Events that are not response revisions: logins, publications, cycles, users (J1)."""

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, server_default=func.now())
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    action: Mapped[str] = mapped_column(String(64))
    entity: Mapped[str] = mapped_column(String(64))
    entity_id: Mapped[str | None] = mapped_column(String(128))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    request_id: Mapped[str | None] = mapped_column(String(64))
    seal: Mapped[str | None] = mapped_column(String(64))
    """HMAC of this row and the previous event's seal, one chain in id order (J4); NULL only on
    rows written before migration 0002."""
