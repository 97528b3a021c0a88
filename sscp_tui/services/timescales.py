"""Reading and writing the timescales written against recommendations and actions.

Partnership documents give timescales as free text: "Sept 21", "Q3 2021-22", "end of March
2021", "by next panel", "tbc". This module derives a due date where one follows from the text
without guessing, and otherwise keeps the text as written and says why there is no date.

Rules:

* A due date is the *end* of the period named: a month gives its last day, a quarter the last
  day of its last month, a financial year "2021-22" gives 31 March 2022, a year 31 December.
* Quarters and financial years are the UK's: Q1 is April to June, Q4 January to March.
* Numeric dates are day-first ("03/04/2021" is 3 April 2021); two-digit years are 2000-2099.
* Anything ambiguous ("Spring 2022", "Q3 2021", "Dec 2020 / Jan 2021", "21/22") or not a real
  calendar date ("31/02/2021") is left UNPARSED: kept as written, with no date, never corrected.

Standard library only.
"""

from __future__ import annotations

import re
from calendar import monthrange
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

__all__ = ["Timescale", "TimescaleForm", "format_timescale", "parse_date", "parse_timescale"]


class TimescaleForm(StrEnum):
    """How a timescale was written, which decides how its due date was derived."""

    DATE = "date"  # 31/03/2021, 31 March 2021, 2021-03-31
    END_OF_MONTH = "end_of_month"  # end of March 2021
    MONTH = "month"  # Sept 21, March 2021, 03/2021
    QUARTER = "quarter"  # Q3 2021-22 (UK financial-year quarter)
    FINANCIAL_YEAR = "financial_year"  # 2021-22, FY 2021/22
    YEAR = "year"  # 2021
    ONGOING = "ongoing"  # ongoing, continuous
    TBC = "tbc"  # tbc, to be confirmed, to be agreed
    RELATIVE = "relative"  # by next panel, within 3 months, immediately
    NONE = "none"  # nothing written
    UNPARSED = "unparsed"  # anything else, kept as written


_UNDATED = frozenset(
    {
        TimescaleForm.NONE,
        TimescaleForm.TBC,
        TimescaleForm.ONGOING,
        TimescaleForm.RELATIVE,
        TimescaleForm.UNPARSED,
    }
)

_MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_MONTH_NUMBERS = {name[:3].lower(): number for number, name in enumerate(_MONTH_NAMES, 1)}
_QUARTER_LAST_MONTH = (6, 9, 12, 3)

# Building blocks. Text is lower-cased, dash-folded and whitespace-normalised before matching,
# and every pattern must match the whole of what is left once leading filler words are gone.
_MON = (
    r"(?P<mon>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_YEAR = r"(?P<y>\d{4}|\d{2})"
_ORDINAL = r"(?:st|nd|rd|th)?"
_FY = r"(?P<fy>(?:fy|financial\s+year)\s*)?(?P<y1>\d{4}|\d{2})\s*[-/]\s*(?P<y2>\d{4}|\d{2})"
_QTR = r"(?:q|quarter)\s*(?P<q>[1-4])"


def _compile(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.ASCII)


_DATE_PATTERNS = (
    _compile(r"(?P<y>\d{4})(?P<sep>[-/.])(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})"),  # ISO
    _compile(rf"(?P<d>\d{{1,2}})\s*(?P<sep>[-/.])\s*(?P<m>\d{{1,2}})\s*(?P=sep)\s*{_YEAR}"),
    _compile(rf"(?P<d>\d{{1,2}}){_ORDINAL}(?:\s+of)?[\s-]*{_MON}[\s,'-]*{_YEAR}"),
    _compile(rf"{_MON}\s*(?P<d>\d{{1,2}}){_ORDINAL},?\s+(?P<y>\d{{4}})"),  # March 31, 2021
)
_NAMED_MONTH = _compile(rf"{_MON}[\s,'/-]*{_YEAR}")
_NUMERIC_MONTH = _compile(r"(?P<m>\d{1,2})\s*[-/.]\s*(?P<y>\d{4})")
_QUARTERS = (
    _compile(rf"{_QTR}(?:\s*of)?[\s,]*{_FY}"),
    _compile(rf"{_FY}[\s,]*{_QTR}"),
)
_FINANCIAL_YEAR = _compile(_FY)
_CALENDAR_YEAR = _compile(r"(?P<y>\d{4})")

_LEAD = _compile(
    r"(?:(?:by|before|due|deadline|target|date|timescales?|timeframe|no\s+later\s+than|the)"
    r"\b\s*:?\s*)*"
    r"(?P<end>end\b(?:\s*of\b)?(?:\s*the\b)?[\s-]*)?"
)
_NUMBER = r"(?:\d+|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)"
_KEYWORDS = (
    (_compile(r"on[\s-]?going|continuous(?:ly)?|continual(?:ly)?"), TimescaleForm.ONGOING),
    (
        _compile(r"t\.?b\.?[acd]|to\s+be\s+(?:confirmed|agreed|decided|determined|arranged|set)"),
        TimescaleForm.TBC,
    ),
    (
        _compile(
            r"(?:at\s+)?(?:the\s+)?(?:next|following)\s+"
            r"(?:panel|meeting|board|committee|sub-?group|partnership|executive)"
            r"(?:\s+(?:meeting|board))?"
            rf"|(?:with)?in\s+{_NUMBER}\s+(?:days?|weeks?|months?|years?)"
            r"|immediate(?:ly)?|asap|as\s+soon\s+as\s+possible"
        ),
        TimescaleForm.RELATIVE,
    ),
)
_FOLD = str.maketrans({"\u2010": "-", "\u2011": "-", "\u2013": "-", "\u2014": "-", "\u2019": "'"})


@dataclass(frozen=True, slots=True)
class Timescale:
    """A timescale as written, with the due date derived from it (if any) and its form."""

    text: str
    due_on: date | None
    form: TimescaleForm

    @property
    def derivable(self) -> bool:
        """Whether a due date could be derived from the text."""
        return self.due_on is not None

    @property
    def needs_attention(self) -> bool:
        """Whether this raises the "no timescale" alert: there is no date to hold anyone to."""
        return self.form in _UNDATED or self.due_on is None

    def describe(self) -> str:
        """A short sentence fragment, e.g. "due 31 Mar 2022 (financial year 2021-22)"."""
        if self.due_on is None:
            if self.form is TimescaleForm.NONE:
                return "no timescale given"
            if self.form is TimescaleForm.TBC:
                return "no date: to be confirmed"
            if self.form is TimescaleForm.ONGOING:
                return "no date: ongoing"
            if self.form is TimescaleForm.RELATIVE:
                return f"no date: relative timescale '{self.text}'"
            return f"no date: could not read '{self.text}'"
        due = f"due {self.due_on.day} {_MONTH_NAMES[self.due_on.month - 1][:3]} {self.due_on.year}"
        if self.form is TimescaleForm.DATE or self.form in _UNDATED:
            return due
        period = format_timescale(self.due_on, self.form)
        if self.form is TimescaleForm.FINANCIAL_YEAR:
            period = f"financial year {period}"
        elif self.form is TimescaleForm.YEAR:
            period = f"calendar year {period}"
        return f"{due} ({period})"


def parse_timescale(text: str | None) -> Timescale:
    """Read a timescale as written. Never raises: unreadable text comes back UNPARSED."""
    written = " ".join(("" if text is None else str(text)).split())
    if not written:
        return Timescale(written, None, TimescaleForm.NONE)
    body = _fold(written).rstrip(". ")
    body, end = _strip_lead(body)
    for pattern, form in _KEYWORDS:
        if pattern.fullmatch(body):
            return Timescale(written, None, form)
    try:
        found = _dated(body, end=end)
    except ValueError:  # the shape of a date, but not a real one (31/02/2021, month 13, ...)
        found = None
    if found is None:
        return Timescale(written, None, TimescaleForm.UNPARSED)
    return Timescale(written, found[0], found[1])


def impossible_date(text: str | None) -> str | None:
    """Why a timescale written as a date is not one ("31/02/2027"), or None: such a text must
    be refused where it is typed, never kept as a timescale with no date."""
    written = " ".join(("" if text is None else str(text)).split())
    if not written:
        return None
    body, end = _strip_lead(_fold(written).rstrip(". "))
    try:
        _dated(body, end=end)
    except ValueError:
        return f"'{written}' is not a real date; check the day and the month."
    return None


def format_timescale(due_on: date, form: TimescaleForm) -> str:
    """Write the period of the given form containing ``due_on``, e.g. QUARTER -> "Q4 2021-22".

    ``parse_timescale`` reads the result back to the end of that period, in the same form.
    """
    month = _MONTH_NAMES[due_on.month - 1]
    start = due_on.year if due_on.month >= 4 else due_on.year - 1
    financial_year = f"{start:04d}-{(start + 1) % 100:02d}"
    match form:
        case TimescaleForm.DATE:
            return f"{due_on.day:02d}/{due_on.month:02d}/{due_on.year:04d}"
        case TimescaleForm.MONTH:
            return f"{month} {due_on.year:04d}"
        case TimescaleForm.END_OF_MONTH:
            return f"end of {month} {due_on.year:04d}"
        case TimescaleForm.QUARTER:
            return f"Q{(due_on.month - 4) % 12 // 3 + 1} {financial_year}"
        case TimescaleForm.FINANCIAL_YEAR:
            return financial_year
        case TimescaleForm.YEAR:
            return f"{due_on.year:04d}"
    raise ValueError(f"A '{form}' timescale has no date, so it cannot be written from one.")


def parse_date(text: str) -> date:
    """Strictly read one calendar date typed by a user (DD/MM/YYYY, YYYY-MM-DD, 31 March 2021).

    Raises ValueError with a one-sentence message fit to show the user.
    """
    cleaned = " ".join(text.split())
    if not cleaned:
        raise ValueError("No date given; write it as DD/MM/YYYY or YYYY-MM-DD.")
    parts = _date_parts(_fold(cleaned))
    if parts is None:
        raise ValueError(f"Could not read '{cleaned}' as a date; write it as DD/MM/YYYY or YYYY-MM-DD.")
    try:
        return date(*parts)
    except ValueError:
        raise ValueError(f"'{cleaned}' is not a real date.") from None


def _fold(text: str) -> str:
    """Lower-case and turn typographic dashes and apostrophes into plain ones."""
    return text.lower().translate(_FOLD)


def _strip_lead(body: str) -> tuple[str, bool]:
    """Drop leading filler ("by", "target:", "by the end of"); say whether "end" was among it."""
    lead = _LEAD.match(body)
    if lead is None:  # cannot happen: every part of the pattern is optional
        return body, False
    return body[lead.end() :], lead["end"] is not None


def _year(digits: str) -> int:
    """A written year; two digits mean 2000-2099."""
    return 2000 + int(digits) if len(digits) == 2 else int(digits)


def _month_end(year: int, month: int) -> date:
    """The last day of a month; ValueError if the month does not exist."""
    return date(year, month, monthrange(year, month)[1])


def _date_parts(body: str) -> tuple[int, int, int] | None:
    """(year, month, day) if the body is written as a single date, not yet checked as real."""
    for pattern in _DATE_PATTERNS:
        if match := pattern.fullmatch(body):
            groups = match.groupdict()
            month = int(groups["m"]) if groups.get("m") else _MONTH_NUMBERS[groups["mon"][:3]]
            return _year(match["y"]), month, int(match["d"])
    return None


def _fy_start(match: re.Match[str], *, short_ok: bool) -> int | None:
    """The first year of a financial year "2021-22", or None if the two years do not follow on.

    A bare two-digit pair ("21/22", "03/04") is only a financial year when marked as one ("FY",
    a quarter), since it could as easily be a day and month.
    """
    first, second = match["y1"], match["y2"]
    if len(first) == 2 and not (short_ok or match["fy"]):
        return None
    start = _year(first)
    following = start + 1 if len(second) == 4 else (start + 1) % 100
    return start if int(second) == following else None


def _dated(body: str, *, end: bool) -> tuple[date, TimescaleForm] | None:
    """The due date and form of a dated timescale, None if not one; ValueError if not real."""
    if (parts := _date_parts(body)) is not None:
        return date(*parts), TimescaleForm.DATE
    if match := _NAMED_MONTH.fullmatch(body):
        month_end = _month_end(_year(match["y"]), _MONTH_NUMBERS[match["mon"][:3]])
    elif match := _NUMERIC_MONTH.fullmatch(body):
        month_end = _month_end(int(match["y"]), int(match["m"]))
    else:
        month_end = None
    if month_end is not None:
        return month_end, TimescaleForm.END_OF_MONTH if end else TimescaleForm.MONTH
    for pattern in _QUARTERS:
        match = pattern.fullmatch(body)
        if match and (start := _fy_start(match, short_ok=True)) is not None:
            quarter = int(match["q"])
            year = start + 1 if quarter == 4 else start
            return _month_end(year, _QUARTER_LAST_MONTH[quarter - 1]), TimescaleForm.QUARTER
    match = _FINANCIAL_YEAR.fullmatch(body)
    if match and (start := _fy_start(match, short_ok=False)) is not None:
        return date(start + 1, 3, 31), TimescaleForm.FINANCIAL_YEAR
    if match := _CALENDAR_YEAR.fullmatch(body):
        return date(int(match["y"]), 12, 31), TimescaleForm.YEAR
    return None
