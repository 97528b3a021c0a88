"""The column headings of real recommendation logs, and the tracker field each one feeds.

Headings are compared after :func:`normalise_heading` (lower case, "&" read as "and",
punctuation and bracketed asides dropped), so "Rec. No.", "REC NO" and "Rec no (see key)"
are one heading. Each field lists its headings best first: when two columns of one sheet
feed the same field ("RAG" and "Status"), the better heading wins and the other column is
reported as not imported.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sscp_tui.services.catalog import squash
from sscp_tui.services.timescales import parse_date
from sscp_tui.services.transfer import Cell


@dataclass(frozen=True, slots=True)
class Field:
    name: str
    label: str
    headings: tuple[str, ...]


FIELDS: tuple[Field, ...] = (
    Field("review", "Review", ("review", "name of review", "review name", "review title",
          "case review", "source", "source of recommendation", "review case")),
    Field("review_kind", "Review type", ("review type", "type of review", "review kind",
          "kind of review", "review category")),
    Field("year", "Year", ("year", "review year", "year of review", "year published",
          "publication year")),
    Field("plan", "Plan", ("plan", "strategic plan", "business plan", "plan title")),
    Field("priority", "Priority", ("priority", "priority number", "priority no")),
    Field("priority_title", "Priority title", ("priority title", "priority name", "title of priority")),
    Field("reference", "Reference", ("ref", "rec no", "reference", "rec ref", "rec number",
          "recommendation no", "recommendation number", "recommendation ref",
          "recommendation reference", "ref no", "rec", "no", "number", "item no", "item ref",
          "action no", "action number", "action ref")),
    Field("parent", "Parent ref", ("parent ref", "parent reference", "parent", "part of")),
    # A recommendation's text written over (or beside) the actions that deliver it: set when a
    # sheet has both a recommendation column and an action column (see imports.table).
    Field("parent_text", "Recommendation over its actions", ("parent recommendation",)),
    Field("illustrative", "Illustrative", ("illustrative", "illustrative only")),
    Field("kind", "Kind", ("kind", "type", "item type", "item kind",
          "recommendation or action type")),
    Field("text", "Text", ("recommendation", "recommendations", "recommendation text",
          "text of recommendation", "recommendation action", "recommendation or action",
          "recommendations and actions", "action", "actions", "action text",
          "action required", "actions required", "agreed action", "agreed actions", "smart action",
          "smart actions", "actions to be taken", "action to be taken", "description", "text",
          "detail", "what needs to improve", "finding", "findings")),
    Field("themes", "Themes", ("theme", "themes", "area for improvement",
          "areas for improvement", "recommendation theme", "theme or area for improvement",
          "recommendation theme or area for improvement", "theme area for improvement",
          "learning theme", "key theme", "key themes", "practice theme")),
    Field("lead_agency", "Lead agency", ("lead agency", "key agency", "agency", "lead",
          "key or lead agency", "lead or key agency", "key lead agency", "lead key agency",
          "lead agencies", "key agencies", "lead organisation", "responsible agency",
          "agency responsible", "lead partner", "organisation")),
    Field("supporting_agencies", "Supporting agencies", ("supporting agencies",
          "supporting agency", "supporting", "supported by", "support agencies",
          "partner agencies", "partners", "other agencies", "other agencies involved",
          "contributing agencies")),
    Field("timescale", "Timescale", ("timescale", "timescales", "timescale for implementation",
          "timescale for completion", "timeframe", "time frame", "timeline", "by when",
          "deadline", "when", "due", "revised timescale", "timescale revised", "current timescale",
          "timescale current", "revised timeframe", "timeframe revised", "new timescale",
          "timescale new", "agreed timescale", "revised deadline", "deadline revised")),
    Field("due_on", "Target date", ("target date", "due date", "date due",
          "target completion date", "target", "due by", "revised target date",
          "target date revised", "revised due date", "due date revised", "revised date",
          "new target date", "current target date")),
    Field("original_timescale", "Original timescale", ("original timescale",
          "original timeframe", "timescale original", "timeframe original", "initial timescale",
          "timescale initial", "original deadline", "deadline original")),
    Field("original_due_on", "Original target date", ("original target date",
          "original due date", "target date original", "due date original", "original date")),
    Field("rating", "Rating", ("rag", "rag rating", "rating", "rag status", "brag",
          "brag rating", "rag rating for progress", "progress rating", "current rag",
          "current rating", "rag progress", "status", "current status", "progress status")),
    Field("owner", "Owner", ("owner", "action owner", "lead officer", "responsible officer",
          "named lead", "named officer", "lead person", "responsible person", "lead contact",
          "officer")),
    Field("evidence_completion", "Evidence of completion", ("evidence",
          "evidence of completion", "completion evidence", "evidence of implementation",
          "evidence of progress")),
    Field("evidence_impact", "Evidence of impact", ("evidence of impact", "impact",
          "impact evidence", "impact on children", "outcome", "outcomes", "difference made")),
    Field("update", "Latest update", ("progress", "update", "progress update",
          "latest update", "latest progress", "latest progress update", "progress to date",
          "update on progress", "progress notes", "progress note", "progress made",
          "progress comments", "updates", "comments", "commentary")),
    Field("created_on", "Date added", ("date added", "added", "created", "date created",
          "date raised", "date opened")),
    Field("update_on", "Update date", ("update date", "date of update",
          "date of latest update", "latest update date", "last updated", "last update",
          "updated", "date updated", "updated on", "progress date",
          "date of progress update")),
)  # fmt: skip

FIELD_NAMES = tuple(f.name for f in FIELDS)
LABELS = {f.name: f.label for f in FIELDS}
_BY_HEADING: dict[str, tuple[str, int]] = {}
for _field in FIELDS:
    for _rank, _heading in enumerate(_field.headings):
        _BY_HEADING.setdefault(_heading, (_field.name, _rank))

# "Progress to 17 July 2013": the update column, whose heading says when it was written.
_DATED_UPDATE = re.compile(
    r"\s*(?:progress|update|position)s?\s+(?:to|as\s+at|as\s+of|at|on)\s+(?P<day>.+?)\s*$",
    re.IGNORECASE,
)


def normalise_heading(heading: str) -> str:
    text = heading.casefold().replace("&", " and ")
    return " ".join(re.sub(r"[\W_]+", " ", text).split())


@dataclass(frozen=True, slots=True)
class HeadingMatch:
    field: str
    rank: int  # lower is a better heading for the field; -1 when the user chose it
    day: date | None = None  # the date in a "Progress to <date>" heading


def match_heading(heading: str) -> HeadingMatch | None:
    """The field a heading feeds, or None when it is not one the importer knows."""
    for candidate in (heading, re.sub(r"\([^)]*\)|\[[^]]*\]", " ", heading)):
        found = _BY_HEADING.get(normalise_heading(candidate))
        if found:
            return HeadingMatch(*found)
    dated = _DATED_UPDATE.fullmatch(heading)
    if dated:
        try:
            return HeadingMatch("update", 50, parse_date(dated["day"]))
        except ValueError:
            return HeadingMatch("update", 50)
    return None


def field_named(name: str) -> str | None:
    """A field given by a user in --map: its name ("lead_agency") or label ("Lead agency").

    Returns "" for "ignore" (leave the column out) and None for a name that is no field.
    """
    wanted = squash(name)
    if wanted in ("", "ignore", "skip", "none"):
        return ""
    for f in FIELDS:
        if wanted in (squash(f.name), squash(f.label)):
            return f.name
    found = _BY_HEADING.get(normalise_heading(name))
    return found[0] if found else None


def parse_mapping(pairs: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """Read ``--map "Heading=field"`` options; ValueError with one sentence if one is wrong."""
    result = []
    for pair in pairs:
        heading, sep, name = pair.partition("=")
        if not sep or not heading.strip():
            raise ValueError(f"--map '{pair}' should read \"Heading=field\".")
        field = field_named(name)
        if field is None:
            known = ", ".join(FIELD_NAMES)
            raise ValueError(f"--map '{pair}': '{name.strip()}' is not a field (use {known}).")
        result.append((heading.strip(), field))
    return tuple(result)


def heading_text(value: Cell) -> str:
    """A heading cell's text, spacing tidied."""
    if value is None:
        return ""
    return " ".join(str(value).split())


def recognise(cells: Sequence[Cell], mapping: Sequence[tuple[str, str]]) -> dict[int, HeadingMatch | None]:
    chosen = {normalise_heading(heading): name for heading, name in mapping}
    found: dict[int, HeadingMatch | None] = {}
    for index, value in enumerate(cells):
        heading = heading_text(value)
        if not heading:
            continue
        key = normalise_heading(heading)
        if key in chosen:
            found[index] = HeadingMatch(chosen[key], -1) if chosen[key] else None
        else:
            found[index] = match_heading(heading)
    return found


def header_score(cells: Sequence[Cell], mapping: Sequence[tuple[str, str]] = ()) -> int:
    """How many different fields a row's cells name: the header row names the most."""
    return len({m.field for m in recognise(cells, mapping).values() if m is not None})
