"""The store's tables, as a typed SQLAlchemy 2.x model of the domain.

Recommendations and actions are both *tracked items*: one table keeps them so a filtered,
sorted page across both is one indexed query, and ``Recommendation`` / ``Action`` are
single-table subclasses that carry the domain's names.

Only portable types and constructs are used here (a later issue runs on PostgreSQL).
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy import text as sql_text  # (an item has a column called text)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from sscp_tui.db.enums import AgencyKind as AgencyKind
from sscp_tui.db.enums import ItemKind as ItemKind
from sscp_tui.db.enums import Rating as Rating
from sscp_tui.db.enums import ReviewKind as ReviewKind
from sscp_tui.db.enums import ReviewStatus as ReviewStatus


class Base(DeclarativeBase):
    pass


def _enum(cls: type[enum.Enum], name: str) -> Enum:
    """A portable enum: VARCHAR plus CHECK, storing the values (not the member names)."""
    return Enum(
        cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


item_supporting_agencies = Table(
    "item_supporting_agencies",
    Base.metadata,
    Column("item_id", ForeignKey("items.id", ondelete="CASCADE"), primary_key=True),
    Column("agency_id", ForeignKey("agencies.id", ondelete="RESTRICT"), primary_key=True),
    Index("ix_item_supporting_agencies_agency", "agency_id", "item_id"),
)

item_themes = Table(
    "item_themes",
    Base.metadata,
    Column("item_id", ForeignKey("items.id", ondelete="CASCADE"), primary_key=True),
    Column("theme_id", ForeignKey("themes.id", ondelete="RESTRICT"), primary_key=True),
    Index("ix_item_themes_theme", "theme_id", "item_id"),
)


class Agency(Base):
    __tablename__ = "agencies"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    short_name: Mapped[str] = mapped_column(String(40), unique=True)
    kind: Mapped[AgencyKind] = mapped_column(_enum(AgencyKind, "agency_kind"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Theme(Base):
    __tablename__ = "themes"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)


class Review(Base):
    __tablename__ = "reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[ReviewKind] = mapped_column(_enum(ReviewKind, "review_kind"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    year: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[ReviewStatus] = mapped_column(_enum(ReviewStatus, "review_status"))
    commissioned_on: Mapped[date | None] = mapped_column(Date)
    published_on: Mapped[date | None] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)
    notes: Mapped[str] = mapped_column(Text, default="")
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime)

    items: Mapped[list[TrackedItem]] = relationship(back_populates="review")

    __table_args__ = (UniqueConstraint("kind", "title", "year", name="uq_reviews_kind_title"),)


class StrategicPlan(Base):
    __tablename__ = "strategic_plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200), unique=True)
    period: Mapped[str] = mapped_column(String(40))
    starts_on: Mapped[date | None] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)

    priorities: Mapped[list[Priority]] = relationship(back_populates="plan", order_by="Priority.position")


class Priority(Base):
    __tablename__ = "priorities"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("strategic_plans.id", ondelete="CASCADE"))
    number: Mapped[str] = mapped_column(String(20))
    position: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = mapped_column(String(300))
    objective: Mapped[str] = mapped_column(Text, default="")
    rating: Mapped[Rating | None] = mapped_column(_enum(Rating, "rating"))

    plan: Mapped[StrategicPlan] = relationship(back_populates="priorities")
    actions: Mapped[list[TrackedItem]] = relationship(back_populates="priority")

    __table_args__ = (UniqueConstraint("plan_id", "number", name="uq_priorities_number"),)


# The columns the log's filters, counts and alerts read, after those an index is ordered by:
# held in the two covering indexes below, so those reads never touch the wide table.
_COVERED = ("last_update_on", "created_on", "lead_agency_id", "review_id", "kind", "priority_id", "evidenced")


class TrackedItem(Base):
    """A recommendation or an action: anything with a timescale, a lead agency and a rating."""

    __tablename__ = "items"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[ItemKind] = mapped_column(_enum(ItemKind, "item_kind"), index=True)
    review_id: Mapped[int | None] = mapped_column(ForeignKey("reviews.id", ondelete="RESTRICT"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("items.id", ondelete="RESTRICT"))
    priority_id: Mapped[int | None] = mapped_column(ForeignKey("priorities.id", ondelete="RESTRICT"))
    reference: Mapped[str] = mapped_column(String(40))
    # The reference with its numbers zero-padded, so "10" sorts after "9" in plain SQL.
    reference_key: Mapped[str] = mapped_column(String(120))
    text: Mapped[str] = mapped_column(Text)
    lead_agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id", ondelete="RESTRICT"))
    timescale: Mapped[str] = mapped_column(String(120), default="")
    due_on: Mapped[date | None] = mapped_column(Date)
    original_timescale: Mapped[str] = mapped_column(String(120), default="")
    original_due_on: Mapped[date | None] = mapped_column(Date)
    rating: Mapped[Rating | None] = mapped_column(_enum(Rating, "rating"))
    owner: Mapped[str] = mapped_column(String(200), default="")
    evidence_completion: Mapped[str] = mapped_column(Text, default="")
    evidence_impact: Mapped[str] = mapped_column(Text, default="")
    # Whether evidence_completion holds any text: kept in step by an attribute event below,
    # so "Blue without evidence" is answered from the covering index.
    evidenced: Mapped[bool] = mapped_column(Boolean, default=False)
    illustrative: Mapped[bool] = mapped_column(Boolean, default=False)
    # How many times the timescale has been revised (each revision is in history too), and
    # the day the evidence of completion was recorded: delivered, awaiting evidence of impact.
    timescale_revisions: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    delivered_on: Mapped[date | None] = mapped_column(Date)
    # Date of the newest progress update, kept with each update for the stale alert and the log.
    last_update_on: Mapped[date | None] = mapped_column(Date)
    created_on: Mapped[date] = mapped_column(Date)
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime)

    review: Mapped[Review | None] = relationship(back_populates="items")
    priority: Mapped[Priority | None] = relationship(back_populates="actions")
    parent: Mapped[TrackedItem | None] = relationship(remote_side="TrackedItem.id")
    lead_agency: Mapped[Agency | None] = relationship()
    supporting_agencies: Mapped[list[Agency]] = relationship(
        secondary=item_supporting_agencies, order_by=Agency.short_name
    )
    themes: Mapped[list[Theme]] = relationship(secondary=item_themes, order_by=Theme.name)
    updates: Mapped[list[ProgressUpdate]] = relationship(
        back_populates="item", order_by="desc(ProgressUpdate.written_on), desc(ProgressUpdate.id)"
    )

    __mapper_args__ = {"polymorphic_on": "kind", "polymorphic_abstract": True}
    __table_args__ = (
        # Covering for each agency's counts by rating and alert (migration 0015).
        Index(
            "ix_items_lead_rating",
            "deleted_at",
            "lead_agency_id",
            "rating",
            "due_on",
            "last_update_on",
            "created_on",
            "evidenced",
        ),
        Index("ix_items_rating_due", "rating", "due_on"),
        Index("ix_items_due", "due_on"),
        Index("ix_items_review_ref", "review_id", "reference_key"),
        Index("ix_items_review_rating", "deleted_at", "review_id", "rating"),  # each review's counts
        # Of the few items with a priority (a parent): see migration 0013.
        Index(
            "ix_items_priority",
            "priority_id",
            sqlite_where=sql_text("priority_id IS NOT NULL"),
            postgresql_where=sql_text("priority_id IS NOT NULL"),
        ),
        Index(
            "ix_items_parent",
            "parent_id",
            sqlite_where=sql_text("parent_id IS NOT NULL"),
            postgresql_where=sql_text("parent_id IS NOT NULL"),
        ),
        Index("ix_items_last_update", "last_update_on"),
        Index("ix_items_deleted", "deleted_at"),
        # Narrow and covering, in due-date order: the log sorted by alerts walks it a class of
        # alert at a time and stops at a page (services.queries._walked_ids).
        Index("ix_items_due_cover", "deleted_at", "due_on", "rating", *_COVERED),
        # Narrow and covering: counts, alerts and the default sort read this, not the table.
        Index("ix_items_cover", "deleted_at", "rating", "due_on", *_COVERED),
    )


@event.listens_for(TrackedItem.evidence_completion, "set", propagate=True)
def _keep_evidenced(target: TrackedItem, value: str | None, _old: object, _initiator: object) -> None:
    target.evidenced = bool((value or "").strip())


class Recommendation(TrackedItem):
    __mapper_args__ = {"polymorphic_identity": ItemKind.RECOMMENDATION}


class Action(TrackedItem):
    __mapper_args__ = {"polymorphic_identity": ItemKind.ACTION}


class ItemSearch(Base):
    """The words of an item (reference, text, owner, review) in lower case, kept apart from
    the wide items table so a free-text search scans only this. Maintained by the services."""

    __tablename__ = "item_search"

    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"), primary_key=True)
    words: Mapped[str] = mapped_column(Text)


class ProgressUpdate(Base):
    __tablename__ = "progress_updates"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"))
    written_on: Mapped[date] = mapped_column(Date)
    author: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    proposed_rating: Mapped[Rating | None] = mapped_column(_enum(Rating, "rating"))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    # Withdrawn (added by mistake): kept, with who withdrew it, when and why, and left out of
    # screens, packs and exports (see edits.withdraw_update).
    withdrawn_at: Mapped[datetime | None] = mapped_column(DateTime)
    withdrawn_by: Mapped[str | None] = mapped_column(Text)
    withdrawn_why: Mapped[str | None] = mapped_column(Text)

    item: Mapped[TrackedItem] = relationship(back_populates="updates")

    __table_args__ = (
        Index("ix_progress_updates_item", "item_id", "written_on"),
        # Of the few updates proposing a rating: see migration 0014.
        Index(
            "ix_progress_updates_proposing",
            "item_id",
            "written_on",
            sqlite_where=sql_text("proposed_rating IS NOT NULL AND withdrawn_at IS NULL"),
            postgresql_where=sql_text("proposed_rating IS NOT NULL AND withdrawn_at IS NULL"),
        ),
    )


class HistoryEntry(Base):
    """One change to one tracked field. Only ever appended to (see ``db.store``)."""

    __tablename__ = "history"

    id: Mapped[int] = mapped_column(primary_key=True)
    entity: Mapped[str] = mapped_column(String(20))  # item, review, priority, agency, meeting…
    entity_id: Mapped[int] = mapped_column(Integer)
    field: Mapped[str] = mapped_column(String(40))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str] = mapped_column(Text, default="")
    author: Mapped[str] = mapped_column(String(200))
    changed_at: Mapped[datetime] = mapped_column(DateTime)
    source: Mapped[str] = mapped_column(String(40), default="app")  # app, cli, import, undo, demo
    # Changes made by one user action share a batch, so undo can reverse them together.
    batch: Mapped[str] = mapped_column(String(36), default="")

    __table_args__ = (
        Index("ix_history_entity", "entity", "entity_id", "changed_at"),
        Index("ix_history_field_time", "field", "changed_at"),
        Index("ix_history_batch", "batch"),
    )


class Meeting(Base):
    __tablename__ = "meetings"

    id: Mapped[int] = mapped_column(primary_key=True)
    group: Mapped[str] = mapped_column(String(120))
    held_on: Mapped[date] = mapped_column(Date)
    notes: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (
        UniqueConstraint("group", "held_on", name="uq_meetings_group_date"),
        Index("ix_meetings_date", "held_on"),
        # An id is never given twice (migration 0011): history names a meeting by its id.
        {"sqlite_autoincrement": True},
    )


MEETING_GROUPS = (
    "Case Review Panel",
    "Business Group",
    "Executive",
    "Full partnership",
    "Learning and Development Sub-Group",
    "Quality Assurance and Performance Sub-Group",
)
