"""Reading the values of a spreadsheet's cells as people type them.

Ratings: "R", "Red", "amber", "A/G", "Green - complete", "Complete", "Blue". A colour named
in the cell wins; two colours ("A/G", "R/A") read as the worse of the two, the cautious
reading. With no colour, status words: "Off track" and "Overdue" read as Red; "Some
slippage", "At risk" and "In progress" as Amber; "On track" and "Delivered" as Green;
"Complete and evidenced", "Complete", "Closed" and "Done" as Blue. Words meaning "not rated"
("unrated", "n/a", "new", "tbc", "not started") read as no rating.

Dates: Excel date cells, Excel day numbers, and text the foundation's :func:`parse_date`
reads (day first). Each reader raises ValueError with one sentence naming the value.
"""

from __future__ import annotations

import colorsys
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache

from sscp_tui.db.models import ItemKind, Rating, ReviewKind
from sscp_tui.services.catalog import squash
from sscp_tui.services.spreadsheet_safety import restored
from sscp_tui.services.timescales import Timescale, parse_date, parse_timescale
from sscp_tui.services.transfer import Cell

_EXCEL_EPOCH = date(1899, 12, 30)
_SERIALS = range(20000, 80000)  # Excel day numbers for 1954-2119: clearly dates, not years

_LETTERS = re.compile(r"[rabg](?:\s*[/\\,&+-]?\s*[rabg])*", re.IGNORECASE)
_LETTER_RATING = {"r": Rating.RED, "a": Rating.AMBER, "g": Rating.GREEN, "b": Rating.BLUE}
_WORST_FIRST = (Rating.RED, Rating.AMBER, Rating.GREEN, Rating.BLUE)
_UNRATED = {"", "unrated", "notrated", "notyetrated", "none", "na", "nk", "new", "tbc",
            "notapplicable", "notstarted"}  # fmt: skip
_DONE = {"complete", "completed", "closed", "done", "achieved", "implemented", "finished"}
# Status words logs use instead of a colour, as the partnership's BRAG scale reads them
# (DOMAIN.md): the first phrase found decides, so "complete and evidenced" is read before
# "complete", and "not complete" before it too.
_STATUS_PHRASES: tuple[tuple[str, Rating], ...] = (
    ("not complete", Rating.AMBER), ("not yet complete", Rating.AMBER), ("incomplete", Rating.AMBER),
    ("complete and evidenced", Rating.BLUE), ("completed and evidenced", Rating.BLUE),
    ("evidenced", Rating.BLUE), ("embedded", Rating.BLUE),
    ("off track", Rating.RED), ("overdue", Rating.RED), ("not on track", Rating.RED),
    ("significant slippage", Rating.RED), ("not achieved", Rating.RED),
    ("some slippage", Rating.AMBER), ("slippage", Rating.AMBER), ("slipped", Rating.AMBER),
    ("at risk", Rating.AMBER), ("delayed", Rating.AMBER), ("behind", Rating.AMBER),
    ("in progress", Rating.AMBER), ("ongoing", Rating.AMBER), ("partially", Rating.AMBER),
    ("on track", Rating.GREEN), ("on target", Rating.GREEN), ("delivered", Rating.GREEN),
)  # fmt: skip


def _status_rating(phrase: str, words: set[str]) -> set[Rating]:
    padded = f" {phrase} "
    for status, rating in _STATUS_PHRASES:
        if f" {status} " in padded:
            return {rating}
    return {Rating.BLUE} if words & _DONE else set()


def cell_text(value: Cell) -> str:
    """A cell as text: numbers without a stray ".0", dates day first, an apostrophe that
    our own export put before formula-like text removed, spacing trimmed."""
    if value is None:
        return ""
    if type(value) is str:
        # Most cells: no apostrophe before a formula-like text, no carriage return.
        return value.strip() if value[:1] != "'" and "\r" not in value else _text(value)
    if type(value) is date:  # the next most: a date cell (strftime takes five times as long)
        return f"{value.day:02d}/{value.month:02d}/{value.year:04d}"
    if type(value) is float:
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, datetime):
        day = f"{value.day:02d}/{value.month:02d}/{value.year:04d}"
        return day if value.time() == time(0, 0) else f"{day} {value.hour:02d}:{value.minute:02d}"
    if isinstance(value, date):
        return f"{value.day:02d}/{value.month:02d}/{value.year:04d}"
    if isinstance(value, time):
        return f"{value:%H:%M}"
    return _text(value)


def _text(value: str) -> str:
    value = restored(value)  # the apostrophe our export put before formula-like text
    if "\r" in value:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    return value.strip()


def parse_rating(value: Cell) -> Rating | None:
    return _rating(cell_text(value))


@lru_cache(maxsize=512)  # a log holds a handful of different ratings, typed many times
def _rating(text: str) -> Rating | None:
    if squash(text) in _UNRATED:
        return None
    if _LETTERS.fullmatch(text):
        found = {_LETTER_RATING[ch] for ch in text.lower() if ch in _LETTER_RATING}
    else:
        words = set(re.findall(r"[a-z]+", text.lower()))
        found = {rating for rating in Rating if rating.value in words}
        if not found:
            found = _status_rating(" ".join(re.findall(r"[a-z]+", text.lower())), words)
    for rating in _WORST_FIRST:
        if rating in found:
            return rating
    raise ValueError(
        f"The rating '{text}' is not one sscp-tui reads: use Blue, Green, Amber or Red "
        "(or B, G, A, R), or leave it blank."
    )


# Fill colours by hue, in degrees: Excel's standard reds; its oranges, ambers and yellows (a
# yellow cell reads as Amber); its greens and light greens; its blues. Greys, white, black and
# purples say nothing. The Good/Neutral/Bad cell styles' fills fall in the same bands.
_HUES: tuple[tuple[float, float, Rating], ...] = (
    (0, 15, Rating.RED), (15, 70, Rating.AMBER), (70, 170, Rating.GREEN), (170, 260, Rating.BLUE),
    (330, 360, Rating.RED),
)  # fmt: skip
_STYLES = {"good": Rating.GREEN, "neutral": Rating.AMBER, "bad": Rating.RED}


@lru_cache(maxsize=256)
def fill_rating(colour: str) -> Rating | None:
    """The rating a cell's fill colour ("RRGGBB") stands for, by Excel's usual colours."""
    try:
        red, green, blue = (int(colour[i : i + 2], 16) / 255 for i in (0, 2, 4))
    except ValueError:
        return None
    hue, lightness, saturation = colorsys.rgb_to_hls(red, green, blue)
    if saturation < 0.25 or lightness > 0.96 or lightness < 0.08:
        return None
    degrees = hue * 360
    return next((rating for low, high, rating in _HUES if low <= degrees < high), None)


def style_rating(style: str) -> Rating | None:
    """Excel's Good, Neutral and Bad cell styles as Green, Amber and Red."""
    return _STYLES.get(style.strip().casefold())


@dataclass(frozen=True, slots=True)
class Update:
    """One dated entry of a progress cell ("19/04/23 – training delivered")."""

    on: date | None
    text: str


# An entry of a progress cell that keeps a dated log: a date at the start of a line, then a dash
# or colon ("04/02/23 – Audit started", "19 April 2023: re-audit booked").
_DATED_ENTRY = re.compile(
    r"(?m)^[ \t]*(?P<day>\d{1,2}[/.\-]\d{1,2}[/.\-]\d{2,4}"
    r"|\d{1,2}(?:st|nd|rd|th)?\s+[A-Za-z]{3,9},?\s+\d{2,4})"
    r"[ \t]*(?:[-–—:]+[ \t]*|\n|$)"
)


def split_updates(text: str, day: date | None) -> tuple[Update, ...]:
    """A progress cell as its updates, oldest first. A cell that keeps several dated entries
    ("04/02/23 – …", "19/04/23 – …") gives one update each, dated as written; any other cell is
    one update dated ``day`` (its row's update date, if any)."""
    if not text:
        return ()
    if "\n" not in text and not text[:1].isdigit():  # one line, not starting with a date
        return (Update(day, text),)
    found = [m for m in _DATED_ENTRY.finditer(text) if _real_day(m["day"]) is not None]
    if not found:
        return (Update(day, text),)
    entries: list[Update] = []
    lead = text[: found[0].start()].strip()
    if lead:
        entries.append(Update(day, lead))
    for match, following in zip(found, [*found[1:], None], strict=True):
        body = text[match.end() : following.start() if following else len(text)].strip()
        if body:
            entries.append(Update(_real_day(match["day"]), body))
    dated = sorted((e for e in entries if e.on is not None), key=lambda e: e.on or date.min)
    return tuple([e for e in entries if e.on is None] + dated) or (Update(day, text),)


def _real_day(text: str) -> date | None:
    try:
        return _date(text)
    except ValueError:
        return None


def parse_yes(text: str, label: str) -> bool:
    """A yes/no cell: "Yes", "Y", "x", "true", "1" (blank is no)."""
    wanted = squash(text)
    if wanted in ("yes", "y", "x", "true", "1", label):
        return True
    if wanted in ("", "no", "n", "false", "0"):
        return False
    raise ValueError(f"The {label} cell '{text}' should be Yes or left blank.")


def cell_date(value: Cell, label: str) -> date | None:
    """A date cell; None when blank. ValueError naming ``label`` when it is not a date."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if int(value) in _SERIALS:
            return _EXCEL_EPOCH + timedelta(days=int(value))
        raise ValueError(f"The {label} '{cell_text(value)}' is not a date.")
    try:
        return _date(cell_text(value))
    except ValueError as exc:
        raise ValueError(f"The {label}: {exc}") from None


@lru_cache(maxsize=4096)
def _date(text: str) -> date:
    return parse_date(re.sub(r"[ T]00:00(?::00(?:\.0+)?)?$", "", text))  # "2021-03-31 00:00:00"


def cell_timescale(value: Cell) -> Timescale | None:
    """A timescale cell: an Excel date becomes "DD/MM/YYYY"; None when blank."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and int(value) in _SERIALS:
        value = _EXCEL_EPOCH + timedelta(days=int(value))
    text = cell_text(value)
    return _timescale(text) if text else None


_timescale = lru_cache(maxsize=4096)(parse_timescale)


def cell_year(value: Cell) -> int | None:
    if isinstance(value, (datetime, date)):
        return value.year
    text = cell_text(value)
    return _year(text) if text else None


_YEAR_AT_START = re.compile(r"\s*((?:19|20)\d\d)\b")


@lru_cache(maxsize=1024)  # a log gives a handful of years, thousands of times
def _year(text: str) -> int:
    found = _YEAR_AT_START.match(text)
    if not found:
        raise ValueError(f"The year '{text}' is not a year such as 2019.")
    return int(found[1])


_KIND_WORDS: tuple[tuple[str, ReviewKind], ...] = (
    ("serious case review", ReviewKind.SCR),
    ("scr", ReviewKind.SCR),
    ("local child safeguarding practice review", ReviewKind.LCSPR),
    ("child safeguarding practice review", ReviewKind.LCSPR),
    ("lcspr", ReviewKind.LCSPR),
    ("cspr", ReviewKind.LCSPR),
    ("rapid review", ReviewKind.RAPID),
    ("thematic review", ReviewKind.THEMATIC),
    ("thematic", ReviewKind.THEMATIC),
    ("domestic homicide review", ReviewKind.DHR),
    ("dhr", ReviewKind.DHR),
    ("joint targeted area inspection", ReviewKind.INSPECTION),
    ("jtai", ReviewKind.INSPECTION),
    ("ofsted", ReviewKind.INSPECTION),
    ("inspection", ReviewKind.INSPECTION),
    ("section 11 audit", ReviewKind.SECTION_11),
    ("section 11", ReviewKind.SECTION_11),
    ("s11", ReviewKind.SECTION_11),
    ("multi agency audit", ReviewKind.MULTI_AGENCY_AUDIT),
    ("multiagency audit", ReviewKind.MULTI_AGENCY_AUDIT),
    ("maca", ReviewKind.MULTI_AGENCY_AUDIT),
)
# Names that say what kind a review is without being part of its title ("SCR Child A").
_PREFIX_KINDS = {ReviewKind.SCR, ReviewKind.LCSPR, ReviewKind.RAPID, ReviewKind.DHR}


def _words(text: str) -> str:
    return " ".join(re.sub(r"[^\w]+", " ", text.casefold()).split())


@lru_cache(maxsize=256)  # a type column repeats a handful of values down the whole log
def review_kind_of(text: str) -> ReviewKind | None:
    """A review type as written ("SCR", "Serious Case Review", "LCSPR", "Section 11")."""
    wanted = _words(text)
    for kind in ReviewKind:
        if wanted == _words(kind.value):
            return kind
    for words, kind in _KIND_WORDS:
        if wanted == words:
            return kind
    return None


def kinds_mentioned(text: str) -> set[ReviewKind]:
    """The review types a sheet's name or a title mentions: "SCR tracker" -> {SCR};
    "SCR / LCSPR log" -> {SCR, LCSPR}; "Recommendations" -> set()."""
    padded = f" {_words(text)} "
    return {kind for words, kind in _KIND_WORDS if f" {words} " in padded}


_YEAR = r"(?:19|20)\d\d"
# "(2019)", "(SCR)", "(SCR 2018)", "(LCSPR, 2021)", "(Serious Case Review 2017)" at the end of a name
_BRACKETED = re.compile(r"(?P<head>.*?)\s*\((?P<inner>[^()]*)\)\s*$")
# "Baby Q — SCR", "Child A - LCSPR", "Family M: Serious Case Review" at the end of a name
_DASHED = re.compile(r"(?P<head>.*?\S)\s*[-–—:|]+\s*(?P<tail>[^-–—:|]+?)\s*$")


def _kind_and_year(text: str) -> tuple[ReviewKind | None, int | None] | None:
    """ "SCR 2018" -> (SCR, 2018); "2019" -> (None, 2019); "LCSPR" -> (LCSPR, None); None when
    the text is something else (a bracketed aside that is part of the name)."""
    year_found = re.search(rf"\b({_YEAR})\b", text)
    year = int(year_found[1]) if year_found else None
    rest = re.sub(rf"\b{_YEAR}\b", " ", text)
    rest = " ".join(re.sub(r"[,;/]+", " ", rest).split())
    if not rest:
        return (None, year) if year else None
    kind = review_kind_of(rest)
    return (kind, year) if kind is not None else None


@lru_cache(maxsize=1024)
def split_review_name(text: str) -> tuple[ReviewKind | None, str, int | None]:
    """A review's name as logs write it, split into its type, title and year:
    "SCR Child A (2019)" -> (SCR, "Child A", 2019); "Child R (LCSPR)" -> (LCSPR, "Child R",
    None); "Family T (SCR 2018)" -> (SCR, "Family T", 2018); "Baby Q — SCR" -> (SCR, "Baby
    Q", None); "JTAI 2023" -> (Inspection, "JTAI 2023", None); "Child A" -> (None, "Child A",
    None). A type not written is None: the importer then looks elsewhere, or asks."""
    title = " ".join(text.split())
    kind: ReviewKind | None = None
    year = None
    bracketed = _BRACKETED.fullmatch(title)
    if bracketed and bracketed["head"]:
        found = _kind_and_year(bracketed["inner"])
        if found is not None:
            kind, year = found
            title = bracketed["head"]
    dashed = _DASHED.fullmatch(title)
    if dashed and kind is None:
        found = _kind_and_year(dashed["tail"])
        if found is not None and found[0] is not None:
            kind, year = found[0], year or found[1]
            title = dashed["head"]
    folded = _words(title)
    for words, prefix_kind in _KIND_WORDS:
        if folded == words or folded.startswith(words + " "):
            if prefix_kind in _PREFIX_KINDS:
                pattern = r"\W*".join(re.escape(w) for w in words.split())
                rest = re.sub(rf"(?i)^\W*{pattern}\b[\s:\-–—,.]*", "", title).strip()
                # "Rapid Review 2019-02" keeps its whole name: a number alone is no title
                named = rest if re.search(r"[^\W\d_]", rest) else title
                return kind or prefix_kind, named, year
            return kind or prefix_kind, title, year
    return kind, title, year


# The anonymised subjects reviews are named by: "Child A", "Children U and V", "Baby KK", "Family M".
_SUBJECT = re.compile(r"(?i)^\s*(child|children|baby|babies|family|sibling|siblings|young person)\b\s*\S")


def names_a_review(text: str) -> bool:
    """Whether a lone cell or a title reads as a review's name: one that gives its type ("Baby Q
    — SCR", "Child R (LCSPR)") or names its anonymised subject ("Family M")."""
    if not text or len(text) > 80:
        return False
    return split_review_name(text)[0] is not None or _SUBJECT.match(text) is not None


def item_kind_of(text: str) -> ItemKind | None:
    wanted = squash(text)
    if wanted in ("recommendation", "recommendations", "rec", "r"):
        return ItemKind.RECOMMENDATION
    if wanted in ("action", "actions", "a", "agreedaction"):
        return ItemKind.ACTION
    return None


@lru_cache(maxsize=4096)  # the same agencies and themes, row after row
def split_names(text: str) -> tuple[str, ...]:
    """A list typed in one cell: "; " as our export writes it, or one name a line."""
    parts = re.split(r"[;\n]", text)
    return tuple(dict.fromkeys(p.strip() for p in parts if p.strip()))


def split_loose(text: str) -> tuple[str, ...]:
    """A list of agencies typed more loosely: "SCC / Surrey Police & NHS"."""
    parts = re.split(r"[;,/&+\n]|\band\b", text)
    return tuple(dict.fromkeys(p.strip(" .") for p in parts if p.strip(" .")))


def named_with_short(text: str) -> tuple[str, str | None]:
    """ "Surrey County Council (SCC)" -> ("Surrey County Council", "SCC")."""
    found = re.fullmatch(r"(.*\S)\s*\(([^()]{1,40})\)", text.strip())
    if found:
        return found[1].strip(), found[2].strip()
    return text.strip(), None
