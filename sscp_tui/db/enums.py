"""The domain's enumerations, apart from the tables, so the screens can name a rating without
loading SQLAlchemy (the first screen is painted before it is loaded)."""

from __future__ import annotations

import enum


class Rating(enum.StrEnum):
    BLUE = "blue"
    GREEN = "green"
    AMBER = "amber"
    RED = "red"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class AgencyKind(enum.StrEnum):
    STATUTORY = "statutory partner"
    RELEVANT = "relevant agency"
    THIRD_SECTOR = "third sector"


class ReviewKind(enum.StrEnum):
    SCR = "SCR"
    LCSPR = "LCSPR"
    RAPID = "Rapid Review"
    THEMATIC = "Thematic Review"
    DHR = "DHR"
    INSPECTION = "Inspection"
    SECTION_11 = "Section 11 audit"
    MULTI_AGENCY_AUDIT = "Multi-agency audit"
    # An imported review whose log never says its type; setting it is an ordinary edit.
    TO_CONFIRM = "To confirm"


class ReviewStatus(enum.StrEnum):
    COMMISSIONED = "commissioned"
    IN_PROGRESS = "in progress"
    AWAITING_PUBLICATION = "awaiting publication"
    PUBLISHED = "published"
    CLOSED = "closed"


class ItemKind(enum.StrEnum):
    RECOMMENDATION = "recommendation"
    ACTION = "action"
