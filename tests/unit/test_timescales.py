"""Reading, writing and describing the free-text timescales on recommendations and actions."""

from __future__ import annotations

import dataclasses
from calendar import monthrange
from datetime import date, timedelta

import pytest

from sscp_tui.services.timescales import (
    Timescale,
    TimescaleForm,
    format_timescale,
    parse_date,
    parse_timescale,
)

F = TimescaleForm
DATED_FORMS = (F.DATE, F.END_OF_MONTH, F.MONTH, F.QUARTER, F.FINANCIAL_YEAR, F.YEAR)
UNDATED_FORMS = (F.ONGOING, F.TBC, F.RELATIVE, F.NONE, F.UNPARSED)

DATED_CASES: list[tuple[str, TimescaleForm, date]] = [
    # Dates, UK day-first, with or without filler words.
    ("31/03/2021", F.DATE, date(2021, 3, 31)),
    ("31 March 2021", F.DATE, date(2021, 3, 31)),
    ("2021-03-31", F.DATE, date(2021, 3, 31)),
    ("2021/03/31", F.DATE, date(2021, 3, 31)),
    ("31.3.21", F.DATE, date(2021, 3, 31)),
    ("31-Mar-2021", F.DATE, date(2021, 3, 31)),
    ("31-03-2021", F.DATE, date(2021, 3, 31)),
    ("31 Mar 21", F.DATE, date(2021, 3, 31)),
    ("03/04/2021", F.DATE, date(2021, 4, 3)),
    ("1/2/21", F.DATE, date(2021, 2, 1)),
    ("31st March 2021", F.DATE, date(2021, 3, 31)),
    ("1st April 2022", F.DATE, date(2022, 4, 1)),
    ("22nd Sept 2021", F.DATE, date(2021, 9, 22)),
    ("3rd of June 2023", F.DATE, date(2023, 6, 3)),
    ("21 Sept 2021", F.DATE, date(2021, 9, 21)),
    ("30 SEPT. 2021", F.DATE, date(2021, 9, 30)),
    ("March 31, 2021", F.DATE, date(2021, 3, 31)),
    ("29/02/2024", F.DATE, date(2024, 2, 29)),
    ("by 31 March 2021", F.DATE, date(2021, 3, 31)),
    ("Target: 31/03/2021", F.DATE, date(2021, 3, 31)),
    ("Deadline 31/3/21", F.DATE, date(2021, 3, 31)),
    ("due by 1 Feb 2022", F.DATE, date(2022, 2, 1)),
    ("before 30 June 2021.", F.DATE, date(2021, 6, 30)),
    # Months: last day of the month; "Sept 21" is September 2021, not 21 September.
    ("Sept 21", F.MONTH, date(2021, 9, 30)),
    ("September 2021", F.MONTH, date(2021, 9, 30)),
    ("Sep-21", F.MONTH, date(2021, 9, 30)),
    ("Sept. 21", F.MONTH, date(2021, 9, 30)),
    ("Sep '21", F.MONTH, date(2021, 9, 30)),
    ("Sep \u201921", F.MONTH, date(2021, 9, 30)),
    ("March 2021", F.MONTH, date(2021, 3, 31)),
    ("03/2021", F.MONTH, date(2021, 3, 31)),
    ("12/2021", F.MONTH, date(2021, 12, 31)),
    ("By Sept 21", F.MONTH, date(2021, 9, 30)),
    ("december 2021", F.MONTH, date(2021, 12, 31)),
    ("MAY 2022", F.MONTH, date(2022, 5, 31)),
    ("Jun 22", F.MONTH, date(2022, 6, 30)),
    ("Feb 24", F.MONTH, date(2024, 2, 29)),
    ("Feb 23", F.MONTH, date(2023, 2, 28)),
    ("Feb 2100", F.MONTH, date(2100, 2, 28)),
    # End of a month.
    ("end of March 2021", F.END_OF_MONTH, date(2021, 3, 31)),
    ("by end of Mar 21", F.END_OF_MONTH, date(2021, 3, 31)),
    ("end March 2021", F.END_OF_MONTH, date(2021, 3, 31)),
    ("End-March 2021", F.END_OF_MONTH, date(2021, 3, 31)),
    ("by the end of February 2024", F.END_OF_MONTH, date(2024, 2, 29)),
    ("end of 04/2022", F.END_OF_MONTH, date(2022, 4, 30)),
    # UK financial-year quarters: Q1 Apr-Jun, Q2 Jul-Sep, Q3 Oct-Dec, Q4 Jan-Mar.
    ("Q3 2021-22", F.QUARTER, date(2021, 12, 31)),
    ("Q4 2021-22", F.QUARTER, date(2022, 3, 31)),
    ("Q1 2021/22", F.QUARTER, date(2021, 6, 30)),
    ("Q2 2021/2022", F.QUARTER, date(2021, 9, 30)),
    ("Q3 21/22", F.QUARTER, date(2021, 12, 31)),
    ("Quarter 3 2021/22", F.QUARTER, date(2021, 12, 31)),
    ("Q3 FY21/22", F.QUARTER, date(2021, 12, 31)),
    ("q1 of 2023/24", F.QUARTER, date(2023, 6, 30)),
    ("2021-22 Q2", F.QUARTER, date(2021, 9, 30)),
    ("by end of Q4 2022-23", F.QUARTER, date(2023, 3, 31)),
    ("Q3 2021\u201322", F.QUARTER, date(2021, 12, 31)),
    # Financial years end on 31 March.
    ("2021-22", F.FINANCIAL_YEAR, date(2022, 3, 31)),
    ("2021/22", F.FINANCIAL_YEAR, date(2022, 3, 31)),
    ("2021/2022", F.FINANCIAL_YEAR, date(2022, 3, 31)),
    ("2021-2022", F.FINANCIAL_YEAR, date(2022, 3, 31)),
    ("FY21/22", F.FINANCIAL_YEAR, date(2022, 3, 31)),
    ("FY 2021-22", F.FINANCIAL_YEAR, date(2022, 3, 31)),
    ("end of 2021-22", F.FINANCIAL_YEAR, date(2022, 3, 31)),
    ("by end of financial year 2023/24", F.FINANCIAL_YEAR, date(2024, 3, 31)),
    ("2021\u201322", F.FINANCIAL_YEAR, date(2022, 3, 31)),
    ("2099-00", F.FINANCIAL_YEAR, date(2100, 3, 31)),
    # Calendar years end on 31 December.
    ("2021", F.YEAR, date(2021, 12, 31)),
    ("end of 2021", F.YEAR, date(2021, 12, 31)),
    ("by 2025", F.YEAR, date(2025, 12, 31)),
]

UNDATED_CASES: list[tuple[str | None, TimescaleForm]] = [
    ("ongoing", F.ONGOING),
    ("Ongoing", F.ONGOING),
    ("on-going", F.ONGOING),
    ("ON GOING", F.ONGOING),
    ("continuous", F.ONGOING),
    ("tbc", F.TBC),
    ("TBC", F.TBC),
    ("T.B.C.", F.TBC),
    ("to be confirmed", F.TBC),
    ("tba", F.TBC),
    ("to be agreed", F.TBC),
    ("timeframe tbc", F.TBC),
    ("Date TBC", F.TBC),
    ("by next panel", F.RELATIVE),
    ("next meeting", F.RELATIVE),
    ("at the next board meeting", F.RELATIVE),
    ("within 3 months", F.RELATIVE),
    ("within six weeks", F.RELATIVE),
    ("immediate", F.RELATIVE),
    ("Immediately", F.RELATIVE),
    ("asap", F.RELATIVE),
    ("ASAP", F.RELATIVE),
    ("", F.NONE),
    (None, F.NONE),
    ("  ", F.NONE),
    ("\t\n", F.NONE),
    # Not real calendar dates: never corrected.
    ("31/02/2021", F.UNPARSED),
    ("13/13/2021", F.UNPARSED),
    ("29/02/2023", F.UNPARSED),
    ("31 April 2021", F.UNPARSED),
    ("2021-13-01", F.UNPARSED),
    ("13/2021", F.UNPARSED),
    ("0000", F.UNPARSED),
    ("Q4 9999-00", F.UNPARSED),
    # Ambiguous: seasons, calendar-year quarters, relative years, bare pairs, ISO months.
    ("Spring 2022", F.UNPARSED),
    ("summer", F.UNPARSED),
    ("Q3 2021", F.UNPARSED),
    ("Q5 2021-22", F.UNPARSED),
    ("next year", F.UNPARSED),
    ("end of year", F.UNPARSED),
    ("21/22", F.UNPARSED),
    ("03/04", F.UNPARSED),
    ("2021-12", F.UNPARSED),
    ("21 Sept", F.UNPARSED),
    ("Sept", F.UNPARSED),
    ("21", F.UNPARSED),
    # Financial years whose second year does not follow the first.
    ("2021-23", F.UNPARSED),
    ("2021/2023", F.UNPARSED),
    ("FY21/23", F.UNPARSED),
    ("Q3 2021-20", F.UNPARSED),
    # Two possible dates: we never choose one silently.
    ("Dec 2020 / Jan 2021", F.UNPARSED),
    ("March 2021 (revised from Dec 2020)", F.UNPARSED),
    ("31/03/2021 or 30/04/2021", F.UNPARSED),
    ("Mar-Apr 2021", F.UNPARSED),
    ("2021-22 / 2022-23", F.UNPARSED),
    # Other text.
    ("tbc pending review", F.UNPARSED),
    ("see action 3.2", F.UNPARSED),
    ("by", F.UNPARSED),
    ("end of", F.UNPARSED),
]


@pytest.mark.parametrize(("text", "form", "due_on"), DATED_CASES)
def test_dated_timescales(text: str, form: TimescaleForm, due_on: date) -> None:
    timescale = parse_timescale(text)
    assert (timescale.form, timescale.due_on) == (form, due_on)
    assert timescale.derivable
    assert not timescale.needs_attention


@pytest.mark.parametrize(("text", "form"), UNDATED_CASES)
def test_undated_timescales(text: str | None, form: TimescaleForm) -> None:
    timescale = parse_timescale(text)
    assert (timescale.form, timescale.due_on) == (form, None)
    assert not timescale.derivable
    assert timescale.needs_attention


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("  by   Sept\t21 ", "by Sept 21"),
        ("TBC", "TBC"),
        ("Q3  2021-22", "Q3 2021-22"),
        ("Sept. 21", "Sept. 21"),
        ("2021\u201322", "2021\u201322"),
        ("March 2021 (revised from\nDec 2020)", "March 2021 (revised from Dec 2020)"),
        ("\u00a0Spring 2022\u00a0", "Spring 2022"),
        (None, ""),
        ("   ", ""),
    ],
)
def test_text_is_kept_as_written_with_whitespace_normalised(text: str | None, kept: str) -> None:
    assert parse_timescale(text).text == kept


@pytest.mark.parametrize(
    "text",
    ["\x00", "9" * 500, "31/12/9999", "01/01/0001", "Q4 0000-01", "???", "🙂 2021", "((", "-", "/"],
)
def test_parse_timescale_never_raises(text: str) -> None:
    assert isinstance(parse_timescale(text), Timescale)


def _end_of_period(day: date, form: TimescaleForm) -> date:
    """The due date a period of this form containing ``day`` should read back as."""
    if form is F.DATE:
        return day
    if form is F.YEAR:
        return date(day.year, 12, 31)
    fy_end = day.year + 1 if day.month >= 4 else day.year
    if form is F.FINANCIAL_YEAR:
        return date(fy_end, 3, 31)
    month = day.month
    if form is F.QUARTER:  # UK financial quarters end with the calendar ones
        month = ((month - 1) // 3 + 1) * 3
    return date(day.year, month, monthrange(day.year, month)[1])


# Every 17th day across 2019-2026, plus the days where periods turn over.
ROUND_TRIP_DAYS = [
    *(date(2019, 1, 1) + timedelta(days=n) for n in range(0, (date(2027, 1, 1) - date(2019, 1, 1)).days, 17)),
    *(date(2020, 2, 29), date(2024, 2, 29), date(2021, 3, 31), date(2021, 4, 1)),
    *(date(2021, 12, 31), date(2022, 1, 1), date(2099, 12, 31), date(2100, 3, 1)),
]


@pytest.mark.parametrize("form", DATED_FORMS)
def test_format_then_parse_gives_the_end_of_the_period(form: TimescaleForm) -> None:
    for day in ROUND_TRIP_DAYS:
        timescale = parse_timescale(format_timescale(day, form))
        assert (timescale.form, timescale.due_on) == (form, _end_of_period(day, form)), day


@pytest.mark.parametrize(
    ("form", "expected"),
    [
        (F.DATE, "31/03/2022"),
        (F.MONTH, "March 2022"),
        (F.END_OF_MONTH, "end of March 2022"),
        (F.QUARTER, "Q4 2021-22"),
        (F.FINANCIAL_YEAR, "2021-22"),
        (F.YEAR, "2022"),
    ],
)
def test_format_timescale(form: TimescaleForm, expected: str) -> None:
    assert format_timescale(date(2022, 3, 31), form) == expected


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2021, 4, 1), "Q1 2021-22"),
        (date(2021, 6, 30), "Q1 2021-22"),
        (date(2021, 7, 1), "Q2 2021-22"),
        (date(2021, 10, 1), "Q3 2021-22"),
        (date(2021, 12, 31), "Q3 2021-22"),
        (date(2022, 1, 1), "Q4 2021-22"),
        (date(2099, 5, 1), "Q1 2099-00"),
    ],
)
def test_format_quarter_boundaries(day: date, expected: str) -> None:
    assert format_timescale(day, F.QUARTER) == expected


@pytest.mark.parametrize("form", UNDATED_FORMS)
def test_format_timescale_refuses_forms_without_a_date(form: TimescaleForm) -> None:
    with pytest.raises(ValueError, match="has no date"):
        format_timescale(date(2022, 3, 31), form)


@pytest.mark.parametrize(
    ("text", "described"),
    [
        ("2021-22", "due 31 Mar 2022 (financial year 2021-22)"),
        ("Q3 2021-22", "due 31 Dec 2021 (Q3 2021-22)"),
        ("end of March 2021", "due 31 Mar 2021 (end of March 2021)"),
        ("Sept 21", "due 30 Sep 2021 (September 2021)"),
        ("2021", "due 31 Dec 2021 (calendar year 2021)"),
        ("31/03/2021", "due 31 Mar 2021"),
        ("1/2/21", "due 1 Feb 2021"),
        ("tbc", "no date: to be confirmed"),
        ("ongoing", "no date: ongoing"),
        ("by next panel", "no date: relative timescale 'by next panel'"),
        ("", "no timescale given"),
        ("Spring 2022", "no date: could not read 'Spring 2022'"),
    ],
)
def test_describe(text: str, described: str) -> None:
    assert parse_timescale(text).describe() == described


def test_every_form_is_met_and_described() -> None:
    by_form: dict[TimescaleForm, Timescale] = {}
    texts = [text for text, _, _ in DATED_CASES] + [text for text, _ in UNDATED_CASES]
    for text in texts:
        timescale = parse_timescale(text)
        by_form.setdefault(timescale.form, timescale)
    assert set(by_form) == set(TimescaleForm)
    for timescale in by_form.values():
        assert timescale.describe().strip()
        assert timescale.needs_attention is (timescale.form in UNDATED_FORMS)
        assert timescale.derivable is (timescale.form in DATED_FORMS)


def test_forms_are_strings_and_there_are_no_seasons() -> None:
    assert F("quarter") is F.QUARTER
    assert str(F.FINANCIAL_YEAR) == f"{F.FINANCIAL_YEAR}" == "financial_year"
    assert {form.value for form in F} == {
        "date",
        "end_of_month",
        "month",
        "quarter",
        "financial_year",
        "year",
        "ongoing",
        "tbc",
        "relative",
        "none",
        "unparsed",
    }


def test_timescale_is_frozen() -> None:
    timescale = parse_timescale("2021-22")
    with pytest.raises(dataclasses.FrozenInstanceError):
        timescale.text = "2022-23"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2021-03-31", date(2021, 3, 31)),
        ("31/03/2021", date(2021, 3, 31)),
        ("31/3/21", date(2021, 3, 31)),
        ("31-03-2021", date(2021, 3, 31)),
        ("31 March 2021", date(2021, 3, 31)),
        ("31 Mar 2021", date(2021, 3, 31)),
        ("31st March 2021", date(2021, 3, 31)),
        ("03/04/2021", date(2021, 4, 3)),
        (" 29/02/2024 ", date(2024, 2, 29)),
    ],
)
def test_parse_date(text: str, expected: date) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("31/02/2021", "'31/02/2021' is not a real date."),
        ("2021-13-01", "'2021-13-01' is not a real date."),
        (
            "yesterday",
            "Could not read 'yesterday' as a date; write it as DD/MM/YYYY or YYYY-MM-DD.",
        ),
        (
            "March 2021",
            "Could not read 'March 2021' as a date; write it as DD/MM/YYYY or YYYY-MM-DD.",
        ),
        ("by 31/03/2021", "Could not read 'by 31/03/2021' as a date"),
        ("", "No date given; write it as DD/MM/YYYY or YYYY-MM-DD."),
    ],
)
def test_parse_date_explains_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(ValueError) as raised:
        parse_date(text)
    assert str(raised.value).startswith(message)
