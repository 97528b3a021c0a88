"""The rows of an import as read from the sheet, before they meet the tracker.

:func:`read_rows` turns a :class:`~sscp_tui.services.imports.table.Table` into :class:`ReadRow`
values: every cell parsed (ratings, dates, timescales, review names), blank rows dropped,
notes and repeated headings marked as skipped, and a blank Review cell under a filled one
read as "the same review" (logs often merge the review cell down its recommendations).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from operator import itemgetter

from sscp_tui.db.models import ItemKind, Rating, ReviewKind
from sscp_tui.services.imports.cells import (
    Update,
    cell_date,
    cell_text,
    cell_timescale,
    cell_year,
    fill_rating,
    item_kind_of,
    names_a_review,
    parse_rating,
    parse_yes,
    review_kind_of,
    split_names,
    split_review_name,
    split_updates,
    style_rating,
)
from sscp_tui.services.imports.headings import header_score, match_heading, normalise_heading
from sscp_tui.services.imports.table import Table
from sscp_tui.services.timescales import Timescale, impossible_date
from sscp_tui.services.transfer import Cell, SheetRow
from sscp_tui.text_safety import clean, has_controls


@dataclass(frozen=True, slots=True)
class ReadRow:
    number: int
    sheet: str = ""  # the sheet it is on ("" for CSV)
    line: int = 0  # its place among all the rows read, unique across sheets
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
    updates: tuple[Update, ...] = ()  # its progress updates, oldest first
    created_on: date | None = None
    problem: str = ""  # values that could not be read: the row is rejected
    skip: str = ""  # a note or a repeated heading: the row is left out
    note: str = ""  # how something was read that the dry run should say
    default_kind: ItemKind = ItemKind.RECOMMENDATION

    @property
    def update(self) -> str:
        """The latest progress update's text."""
        return self.updates[-1].text if self.updates else ""

    @property
    def update_on(self) -> date | None:
        return self.updates[-1].on if self.updates else None

    @property
    def where(self) -> str:
        """ "row 12", or "'Closed' row 12" in a workbook of several sheets."""
        return f"'{self.sheet}' row {self.number}" if self.sheet else f"row {self.number}"


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
    sheet: str = "",
    key: Mapping[str, Rating] | None = None,
    default_review: str = "",
    mapping: tuple[tuple[str, str], ...] = (),
    first_line: int = 0,
    progress: Callable[[int], None] | None = None,
) -> Iterator[ReadRow]:
    """Each non-blank row below the header, read. ``sheet`` names the rows' place ("" where the
    workbook gave one table); ``key`` is the workbook's own colour key; ``first_line`` numbers
    the rows on from those of earlier sheets."""
    where = {c.field: c.index for c in table.columns if c.field}
    context = _Context(
        table=table,
        key=key or {},
        sheet=sheet,
        review=table.review or default_review.strip(),
        default_kind=_default_kind(table),
        rating_at=where.get("rating"),
    )
    heading_fields = len(where)
    groups = _Groups() if "parent_text" in where else None
    carried: dict[str, Cell] = {}
    earlier: dict[tuple[tuple[Cell, ...], tuple[tuple[str, Cell], ...]], int] = {}
    line = first_line
    names, width = tuple(where), max(where.values(), default=-1) + 1
    pick = (
        itemgetter(*where.values())
        if len(where) > 1
        else (lambda cells: tuple(cells[i] for i in where.values()))
    )
    for position, row in enumerate(table.rows):
        if progress and position % 1000 == 0:
            progress(position)
        cells = row.cells
        values = dict(
            zip(names, pick(cells if len(cells) >= width else cells + (None,) * width), strict=True)
        )
        if table.formulas:  # a formula saved without its value is kept as its text, never run
            for name, index in where.items():
                formula = table.formulas.get((row.number, index))
                if formula is not None and values[name] is None:
                    values[name] = formula
        texts = {name: cell_text(value) for name, value in values.items()}
        filled = {name for name, text in texts.items() if text}
        if not filled and not any(c is not None and cell_text(c) for c in cells):
            continue  # a spacer row
        line += 1
        skip = _not_an_item(values, texts, filled, cells, heading_fields, mapping)
        if skip == _SECTION:
            named = next(text for text in (cell_text(c) for c in cells) if text)
            carried = (
                {"review": named} if "review" not in filled else {n: values.get(n) for n in _SOURCE_FIELDS}
            )
            yield context.skipped(row, line, f"a section row: the rows below it are {named}")
            continue
        if skip:
            yield context.skipped(row, line, skip)
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
            yield context.skipped(row, line, f"the same as row {earlier[same]}")
            continue
        earlier[same] = row.number
        read = _read(context, row, line, values, texts)
        if groups is None:
            yield read
            continue
        recommendation, action = groups.place(read, texts.get("parent_text", ""), line)
        if recommendation is not None:
            line += 1
            yield recommendation
        if action.text or recommendation is None:  # a recommendation with no action yet stands alone
            yield replace(action, line=line)


_SECTION = "section"
_TOTALS = re.compile(r"(?i)^\s*(grand\s+)?(sub-?\s*)?totals?\b|^\s*(count|number of|key)\b")


def _not_an_item(
    values: dict[str, Cell],
    texts: dict[str, str],
    filled: set[str],
    cells: tuple[Cell, ...],
    heading_fields: int,
    mapping: tuple[tuple[str, str], ...],
) -> str:
    """Why a row is not an item ("" when it is one), or _SECTION for a row naming the review of
    the rows below it: a repeated header, a section row, a note, a totals or key row."""
    if _repeats_header(values, cells, heading_fields, mapping):
        return "a repeated heading row"
    if "text" in filled or "parent_text" in filled:
        return "a colour key" if _is_key(texts) else ""
    if "review" in filled and _is_review_heading(texts, filled):
        return _SECTION
    written = list(dict.fromkeys(text for text in (cell_text(c) for c in cells) if text))
    if len(written) == 1 and names_a_review(written[0]):
        return _SECTION
    if (written and _TOTALS.match(written[0])) or all(_is_number(c) for c in cells if cell_text(c)):
        return "a totals or key row, not an item"
    if len(filled) <= 1:
        note = written[0] if written else ""
        note = note if len(note) <= 60 else note[:57] + "…"
        return f"a note, not a recommendation: '{note}'"
    return ""


def _is_number(value: Cell) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_key(texts: dict[str, str]) -> bool:
    """A row of a colour key under the table ("Red", "Amber", "Green" in the item columns)."""
    written = [text for text in texts.values() if text]
    if len(written) < 2 or any(len(text) > 30 for text in written):
        return False
    try:
        return all(parse_rating(text) is not None for text in written)
    except ValueError:
        return False


@dataclass
class _Groups:
    """Actions under the recommendation written over them (a merged cell, or a value given on
    the first row of its group): each recommendation becomes an item of its own, before its
    first action, and each action an item under it. A recommendation without a number is
    numbered in its review (1, 2 …) and an action without one after it (1.1, 1.2 …)."""

    current: tuple[str, str, str] = ("", "", "")  # review, recommendation text, its reference
    actions: int = 0
    numbers: dict[str, int] = field(default_factory=dict)  # review -> recommendations numbered

    def place(self, row: ReadRow, text: str, line: int) -> tuple[ReadRow | None, ReadRow]:
        text = text or (self.current[1] if self.current[0] == row.review else "")
        if not text:
            return None, row
        made = None
        if (row.review, text) != self.current[:2] or (row.parent and row.parent != self.current[2]):
            number = self.numbers.get(row.review, 0) + 1
            self.numbers[row.review] = number
            reference = row.parent or str(number)
            self.current, self.actions = (row.review, text, reference), 0
            made = replace(
                row, line=line, kind=ItemKind.RECOMMENDATION, text=text, reference=reference, parent="",
                rating=None, timescale=None, due_on=None, original_timescale=None, original_due_on=None,
                updates=(), owner="", evidence_completion="", evidence_impact="", supporting_agencies=(),
                note="the recommendation written over its actions",
            )  # fmt: skip
        self.actions += 1
        reference = row.reference or f"{self.current[2]}.{self.actions}"
        action = replace(row, kind=row.kind or ItemKind.ACTION, parent=self.current[2], reference=reference)
        return made, action


@dataclass(frozen=True, slots=True)
class _Context:
    """What every row of one table is read with."""

    table: Table
    key: Mapping[str, Rating]
    sheet: str
    review: str
    default_kind: ItemKind
    rating_at: int | None

    def skipped(self, row: SheetRow, line: int, reason: str) -> ReadRow:
        return ReadRow(row.number, self.sheet, line, skip=reason, default_kind=self.default_kind)

    def rated_by_fill(self, number: int) -> Rating | None:
        """The rating a blank rating cell's fill colour or cell style gives, if any."""
        if self.rating_at is None:
            return None
        where = (number, self.rating_at)
        colour = self.table.fills.get(where)
        if colour is not None:
            found = self.key.get(colour) or fill_rating(colour)
            if found is not None:
                return found
        style = self.table.styles.get(where)
        return style_rating(style) if style else None


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
    context: _Context, row: SheetRow, line: int, values: dict[str, Cell], texts: dict[str, str]
) -> ReadRow:
    problems: list[str] = []
    notes: list[str] = []
    # One search of the row's text finds whether any cell holds a control character.
    controlled = (
        [name for name, written in texts.items() if has_controls(written)]
        if has_controls("\n".join(texts.values()))
        else []
    )
    if controlled:  # never stored: they would reach a terminal (see text_safety)
        texts = {**texts, **{name: clean(texts[name]) for name in controlled}}
        notes.append(f"control characters removed from its {', '.join(sorted(controlled))}")

    def attempt(reader: Callable[..., object], *given: object) -> object:
        try:
            return reader(*given)
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
    rating = attempt(parse_rating, values.get("rating"))
    coloured = context.rated_by_fill(row.number)
    if coloured is not None and not text("rating"):
        rating = coloured
        notes.append(f"rated {coloured.label} by its cell's colour")
    elif coloured is not None and isinstance(rating, Rating) and rating is not coloured:
        notes.append(f"rated {rating.label} as written, though its cell is coloured {coloured.label}")
    if rating is None and not text("rating") and context.table.closed:
        rating = Rating.BLUE
        notes.append(f"on the '{context.table.sheet}' sheet of closed items, so read as Blue")
    illustrative = attempt(parse_yes, texts.get("illustrative", ""), "illustrative")
    year = attempt(cell_year, values.get("year"))
    due_on = attempt(cell_date, values.get("due_on"), "target date")
    original_due = attempt(cell_date, values.get("original_due_on"), "original target date")
    update_on = attempt(cell_date, values.get("update_on"), "update date")
    created_on = attempt(cell_date, values.get("created_on"), "date added")
    timescale = cell_timescale(values.get("timescale"))
    original = cell_timescale(values.get("original_timescale"))
    for found, label in ((timescale, "timescale"), (original, "original timescale")):
        if found is not None and found.due_on is None and (why := impossible_date(found.text)):
            problems.append(f"The {label}: {why}")  # never kept as a timescale with no date
    if timescale is None and original is not None:  # no revised date: the original stands
        timescale = original
    day = (update_on if isinstance(update_on, date) else None) or context.table.update_day
    return ReadRow(
        number=row.number,
        sheet=context.sheet,
        line=line,
        review=text("review") or context.review,
        context_kind=context.table.context_kind,
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
        timescale=timescale,
        due_on=due_on if isinstance(due_on, date) else None,
        original_timescale=original,
        original_due_on=original_due if isinstance(original_due, date) else None,
        rating=rating if isinstance(rating, Rating) else None,
        owner=text("owner"),
        evidence_completion=text("evidence_completion"),
        evidence_impact=text("evidence_impact"),
        updates=split_updates(text("update"), day),
        created_on=created_on if isinstance(created_on, date) else None,
        problem=" ".join(problems),
        note="; ".join(notes),
        default_kind=context.default_kind,
    )
