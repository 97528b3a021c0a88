"""The rows of an import as read from the sheet, before they meet the tracker.

:func:`read_rows` turns a :class:`~sscp_tui.services.sheets.Table` into :class:`ReadRow`
values: every cell parsed (ratings, dates, timescales, review names), blank rows dropped,
notes and repeated headings marked as skipped, and a blank Review cell under a filled one
read as "the same review" (logs often merge the review cell down its recommendations).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date

from sscp_tui.db.models import ItemKind, Rating, ReviewKind
from sscp_tui.services.imports.cells import (
    cell_date,
    cell_text,
    cell_timescale,
    cell_year,
    item_kind_of,
    parse_rating,
    parse_yes,
    review_kind_of,
    split_names,
    split_review_name,
)
from sscp_tui.services.imports.headings import match_heading, normalise_heading
from sscp_tui.services.sheets import Cell, SheetRow, Table, header_score
from sscp_tui.services.timescales import Timescale


@dataclass(frozen=True, slots=True)
class ReadRow:
    number: int
    review: str = ""
    review_kind: ReviewKind | None = None  # the type written with the row (a column, the name)
    context_kind: ReviewKind | None = None  # the type its sheet, title or section row gives
    year: int | None = None
    plan: str = ""
    priority: str = ""
    priority_title: str = ""
    reference: str = ""
    parent: str = ""  # the reference of the item this one belongs under
    illustrative: bool = False
    kind: ItemKind | None = None
    text: str = ""
    themes: tuple[str, ...] = ()
    lead_agency: str = ""
    supporting_agencies: tuple[str, ...] = ()
    timescale: Timescale | None = None
    due_on: date | None = None
    original_timescale: Timescale | None = None
    original_due_on: date | None = None
    rating: Rating | None = None
    owner: str = ""
    evidence_completion: str = ""
    evidence_impact: str = ""
    update: str = ""
    update_on: date | None = None
    created_on: date | None = None
    problem: str = ""  # values that could not be read: the row is rejected
    skip: str = ""  # a note or a repeated heading: the row is left out
    default_kind: ItemKind = ItemKind.RECOMMENDATION


_SOURCE_FIELDS = ("review", "review_kind", "year", "plan", "priority", "priority_title")


def _default_kind(table: Table) -> ItemKind:
    for column in table.columns:
        if column.field == "text":
            heading = normalise_heading(column.heading)
            if heading.startswith(("action", "agreed action")):
                return ItemKind.ACTION
    return ItemKind.RECOMMENDATION


def read_rows(
    table: Table,
    *,
    default_review: str = "",
    mapping: tuple[tuple[str, str], ...] = (),
    progress: Callable[[int], None] | None = None,
) -> Iterator[ReadRow]:
    """Each non-blank row below the header, read."""
    where = {c.field: c.index for c in table.columns if c.field}
    default_kind = _default_kind(table)
    heading_fields = len(where)
    carried: dict[str, Cell] = {}
    earlier: dict[tuple[tuple[Cell, ...], tuple[tuple[str, Cell], ...]], int] = {}
    for position, row in enumerate(table.rows):
        if progress and position % 1000 == 0:
            progress(position)
        cells = row.cells
        values = {name: cells[index] if index < len(cells) else None for name, index in where.items()}
        texts = {name: cell_text(value) for name, value in values.items()}
        filled = {name for name, text in texts.items() if text}
        if not filled and not any(c is not None and cell_text(c) for c in cells):
            continue
        if _repeats_header(values, cells, heading_fields, mapping):
            yield ReadRow(row.number, skip="a repeated heading row", default_kind=default_kind)
            continue
        if "text" not in filled and "review" in filled and _is_review_heading(texts, filled):
            carried = {name: values.get(name) for name in _SOURCE_FIELDS}
            yield ReadRow(row.number, skip="a review heading for the rows below it",
                          default_kind=default_kind)  # fmt: skip
            continue
        if "text" not in filled and len(filled) <= 1:
            note = next((cell_text(c) for c in cells if cell_text(c)), "")
            note = note if len(note) <= 60 else note[:57] + "…"
            yield ReadRow(row.number, skip=f"a note, not a recommendation: '{note}'",
                          default_kind=default_kind)  # fmt: skip
            continue
        if not filled & {"review", "plan", "priority"}:
            values.update(carried)
            texts.update({name: cell_text(value) for name, value in carried.items()})
        else:
            carried = {name: values.get(name) for name in _SOURCE_FIELDS}
        # A row the same as an earlier one, cell for cell and under the same review, is a copy
        # (pasted twice, or left from a filter): it is skipped, not refused as a clash.
        same = (cells, tuple(carried.items()))
        if same in earlier:
            yield ReadRow(row.number, skip=f"the same as row {earlier[same]}", default_kind=default_kind)
            continue
        earlier[same] = row.number
        yield _read(row, values, texts, default_review, table.update_day, default_kind)


def _is_review_heading(texts: dict[str, str], filled: set[str]) -> bool:
    """A row naming only a review ("SCR Child A", or a name with its type or year beside it)
    heads the rows below it, which leave their Review cell blank. Other lone cells are notes."""
    if not filled <= set(_SOURCE_FIELDS):
        return False
    return len(filled) > 1 or split_review_name(texts["review"])[0] is not None


def _repeats_header(
    values: dict[str, Cell],
    cells: tuple[Cell, ...],
    heading_fields: int,
    mapping: tuple[tuple[str, str], ...],
) -> bool:
    """Whether a row is the header again (long logs repeat it); cheap for ordinary rows."""
    text = cell_text(values.get("text"))
    if heading_fields < 2 or not text or len(text) > 60 or match_heading(text) is None:
        return False
    return header_score(cells, mapping) >= max(2, heading_fields // 2)


def _read(
    row: SheetRow,
    values: dict[str, Cell],
    texts: dict[str, str],
    default_review: str,
    update_day: date | None,
    default_kind: ItemKind,
) -> ReadRow:
    problems: list[str] = []

    def attempt(reader: Callable[[], object]) -> object:
        try:
            return reader()
        except ValueError as exc:
            problems.append(str(exc))
            return None

    def text(name: str) -> str:
        return texts.get(name, "")

    kind_text = text("kind")
    kind = item_kind_of(kind_text) if kind_text else None
    review_kind_text = text("review_kind")
    review_kind = review_kind_of(review_kind_text) if review_kind_text else None
    if review_kind_text and review_kind is None:
        problems.append(
            f"The review type '{review_kind_text}' is not one sscp-tui knows "
            f"({', '.join(k.value for k in ReviewKind)})."
        )
    if kind_text and kind is None:
        as_review = review_kind_of(kind_text)
        if as_review is not None and review_kind is None:
            review_kind = as_review
        elif as_review is None:
            problems.append(f"The kind '{kind_text}' is neither recommendation nor action.")
    rating = attempt(lambda: parse_rating(values.get("rating")))
    illustrative = attempt(lambda: parse_yes(texts.get("illustrative", ""), "illustrative"))
    year = attempt(lambda: cell_year(values.get("year")))
    due_on = attempt(lambda: cell_date(values.get("due_on"), "target date"))
    original_due = attempt(lambda: cell_date(values.get("original_due_on"), "original target date"))
    update_on = attempt(lambda: cell_date(values.get("update_on"), "update date"))
    created_on = attempt(lambda: cell_date(values.get("created_on"), "date added"))
    return ReadRow(
        number=row.number,
        review=text("review") or default_review.strip(),
        review_kind=review_kind,
        year=year if isinstance(year, int) else None,
        plan=text("plan"),
        priority=text("priority"),
        priority_title=text("priority_title"),
        reference=text("reference"),
        parent=text("parent"),
        illustrative=illustrative is True,
        kind=kind,
        text=text("text"),
        themes=split_names(text("themes")),
        lead_agency=" ".join(text("lead_agency").split()),
        supporting_agencies=split_names(text("supporting_agencies")),
        timescale=cell_timescale(values.get("timescale")),
        due_on=due_on if isinstance(due_on, date) else None,
        original_timescale=cell_timescale(values.get("original_timescale")),
        original_due_on=original_due if isinstance(original_due, date) else None,
        rating=rating if isinstance(rating, Rating) else None,
        owner=text("owner"),
        evidence_completion=text("evidence_completion"),
        evidence_impact=text("evidence_impact"),
        update=text("update"),
        update_on=(update_on if isinstance(update_on, date) else None) or update_day,
        created_on=created_on if isinstance(created_on, date) else None,
        problem=" ".join(problems),
        default_kind=default_kind,
    )
