"""Read side: the filtered log, counts, alerts and one item in full — all done in SQL."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import replace
from functools import cache, lru_cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    Text,
    and_,
    case,
    column,
    func,
    literal,
    literal_column,
    or_,
    select,
    table,
)
from sqlalchemy.orm import Session, aliased

from sscp_tui.db import id_lists, search_index
from sscp_tui.db.models import (
    Agency,
    HistoryEntry,
    ItemSearch,
    Priority,
    Rating,
    Review,
    StrategicPlan,
    Theme,
    TrackedItem,
    item_supporting_agencies,
    item_themes,
)
from sscp_tui.services import proposals
from sscp_tui.services.alert_sql import alert_sql, any_alert_sql, awaiting_impact_sql, is_open_sql
from sscp_tui.services.alerts import AlertRules, tally_by_rating
from sscp_tui.services.item_rows import build_rows
from sscp_tui.services.item_rows import review_label as review_label
from sscp_tui.services.records import (
    AgencyMatrixRow,
    AlertCounts,
    AlertKind,
    HistoryRecord,
    ItemDetail,
    ItemFilter,
    ItemRow,
    ItemState,
    OtherChange,
    Page,
    ProgressUpdateRecord,
    SortKey,
)

_Row = Any  # a SQLAlchemy Row of the columns in _ROW_COLUMNS

# A log page's reads (its ids, rows, themes and count) select columns, not mapped objects, so
# they run on the session's connection, past the ORM's steps for loading objects: those were
# half of a page's time (6.2 ms -> 2.9 ms at 10,000 items).


def _row_columns() -> Sequence[Any]:
    return (
        TrackedItem.id,
        TrackedItem.kind,
        TrackedItem.reference,
        TrackedItem.text,
        TrackedItem.timescale,
        TrackedItem.due_on,
        TrackedItem.rating,
        TrackedItem.last_update_on,
        TrackedItem.created_on,
        TrackedItem.evidence_completion,
        Review.kind.label("review_kind"),
        Review.title.label("review_title"),
        Review.year.label("review_year"),
        Agency.short_name.label("lead_short"),
        Priority.number.label("priority_number"),
        StrategicPlan.title.label("plan_title"),
        TrackedItem.timescale_revisions,
        TrackedItem.delivered_on,
        TrackedItem.evidence_impact,
    )


@cache
def _rows_by_id_select(dialect_name: str) -> Select[Any]:
    return _base_select().where(id_lists.among(TrackedItem.id, dialect_name))


def _base_select() -> Select[Any]:
    return (
        select(*_row_columns())
        .outerjoin(Review, TrackedItem.review_id == Review.id)
        .outerjoin(Agency, TrackedItem.lead_agency_id == Agency.id)
        .outerjoin(Priority, TrackedItem.priority_id == Priority.id)
        .outerjoin(StrategicPlan, Priority.plan_id == StrategicPlan.id)
    )


def filter_conditions(f: ItemFilter, rules: AlertRules, flavour: str) -> list[ColumnElement[bool]]:
    item = TrackedItem
    conditions: list[ColumnElement[bool]] = [item.deleted_at.is_(None)]
    if f.state is ItemState.OPEN:
        conditions.append(is_open_sql())
    elif f.state is ItemState.CLOSED:
        conditions.append(item.rating == Rating.BLUE)
    if f.agency_id is not None:
        lead = item.lead_agency_id == f.agency_id
        if f.lead_only:
            conditions.append(lead)
        else:
            supporting = select(item_supporting_agencies.c.item_id).where(
                item_supporting_agencies.c.agency_id == f.agency_id
            )
            conditions.append(or_(lead, item.id.in_(supporting)))
    if f.ratings:
        named = [r for r in f.ratings if r is not None]
        options: list[ColumnElement[bool]] = [item.rating.in_(named)] if named else []
        if None in f.ratings:
            options.append(item.rating.is_(None))
        conditions.append(or_(*options))
    if f.review_id is not None:
        conditions.append(item.review_id == f.review_id)
    if f.review_kind is not None:
        conditions.append(item.review_id.in_(select(Review.id).where(Review.kind == f.review_kind)))
    if f.theme_id is not None:
        themed = select(item_themes.c.item_id).where(item_themes.c.theme_id == f.theme_id)
        conditions.append(item.id.in_(themed))
    if f.alert is not None:
        conditions.append(alert_sql(rules, f.alert))
    if f.kind is not None:
        conditions.append(item.kind == f.kind)
    if f.priority_id is not None:
        conditions.append(item.priority_id == f.priority_id)
    if f.revised_at_least > 0:
        conditions.append(item.timescale_revisions >= f.revised_at_least)
    if f.awaiting_impact:
        conditions.append(awaiting_impact_sql())
    if f.proposals:
        conditions.append(proposals.pending_sql())
    conditions.extend(item.id.in_(_items_matching(term, flavour)) for term in f.text.casefold().split())
    return conditions


_FTS = table("item_fts", column("rowid", Integer), column("item_fts", Text))


def _items_matching(term: str, flavour: str) -> Select[Any]:
    """The ids of items whose words contain ``term``.

    A term of letters is looked up in the full-text index, where there is one, and finds
    the words that begin with it ("curios" finds "curiosity", "care" does not find
    "childcare"). A term with digits or punctuation (a reference such as "1.2" or "R12", or
    "step-up") is matched anywhere in the words, exactly as typed: the index splits such
    terms apart, and references are what people type them for."""
    if flavour == search_index.FTS5 and term.isalpha():
        return select(_FTS.c.rowid).where(_fts_match([term]))
    if flavour == search_index.POSTGRES and term.isalpha():
        return select(ItemSearch.item_id).where(_pg_match([term]))
    return select(ItemSearch.item_id).where(ItemSearch.words.contains(term, autoescape=True))


def rating_severity() -> ColumnElement[int]:
    """Red first, then Amber, unrated, Green, Blue."""
    return case(
        (TrackedItem.rating == Rating.RED, 0),
        (TrackedItem.rating == Rating.AMBER, 1),
        (TrackedItem.rating.is_(None), 2),
        (TrackedItem.rating == Rating.GREEN, 3),
        else_=4,
    )


def alert_rank(rules: AlertRules, *, open_only: bool = False) -> ColumnElement[int]:
    """0 overdue, 1 inconsistent, 2 no timescale, 3 stale, 4 due soon, 5 the rest.

    Over open items only, the conditions shrink to columns of the covering index (an open
    item that is inconsistent is also overdue), so the sort never reads the wide table.
    """
    if open_only:
        item = TrackedItem
        last = func.coalesce(item.last_update_on, item.created_on)
        return case(
            (item.due_on < rules.as_of, 0),
            (item.due_on.is_(None), 2),
            (last < rules.stale_before, 3),
            (item.due_on <= rules.due_soon_until, 4),
            else_=5,
        )
    return case(
        (alert_sql(rules, AlertKind.OVERDUE), 0),
        (alert_sql(rules, AlertKind.INCONSISTENT), 1),
        (alert_sql(rules, AlertKind.NO_TIMESCALE), 2),
        (alert_sql(rules, AlertKind.STALE), 3),
        (alert_sql(rules, AlertKind.DUE_SOON), 4),
        else_=5,
    )


def _order(sort: SortKey, descending: bool, rules: AlertRules, *, open_only: bool = False) -> list[Any]:
    item = TrackedItem
    first_theme = (
        select(func.min(Theme.name))
        .join(item_themes, item_themes.c.theme_id == Theme.id)
        .where(item_themes.c.item_id == item.id)
        .scalar_subquery()
    )
    keys: dict[SortKey, list[Any]] = {
        SortKey.ALERTS: [alert_rank(rules, open_only=open_only), item.due_on, rating_severity()],
        SortKey.REVIEW: [Review.year, Review.title, StrategicPlan.title, Priority.number],
        SortKey.REFERENCE: [item.reference_key],
        SortKey.KIND: [item.kind],
        SortKey.THEME: [first_theme],
        SortKey.LEAD_AGENCY: [Agency.short_name],
        SortKey.DUE: [item.due_on],
        SortKey.RATING: [rating_severity()],
        SortKey.OVERDUE: [item.due_on],
        SortKey.LAST_UPDATE: [item.last_update_on],
        SortKey.REVISIONS: [literal(0) - item.timescale_revisions],
        SortKey.AWAITING: [
            case(
                (
                    awaiting_impact_sql(),
                    func.coalesce(item.delivered_on, item.last_update_on, item.created_on),
                )
            )
        ],
    }
    chosen = keys[sort]
    if descending:
        chosen = [key.desc() for key in chosen]
    ordered = [key.nulls_last() if sort is not SortKey.RATING else key for key in chosen]
    return [*ordered, item.id]


def _themes_for(session: Session, ids: Iterable[int]) -> dict[int, tuple[str, ...]]:
    found: dict[int, list[str]] = defaultdict(list)
    ids = list(ids)
    if not ids:
        return {}
    connection = session.connection()
    for item_id, name in connection.execute(_themes_select(connection.dialect.name), {"ids": ids}):
        found[item_id].append(name)
    return {key: tuple(value) for key, value in found.items()}


@cache
def _themes_select(dialect_name: str) -> Select[Any]:
    return (
        select(item_themes.c.item_id, Theme.name)
        .join(Theme, Theme.id == item_themes.c.theme_id)
        .where(id_lists.among(item_themes.c.item_id, dialect_name))
        .order_by(Theme.name)
    )


def _to_rows(
    session: Session,
    rows: Sequence[_Row],
    rules: AlertRules,
    *,
    with_themes: bool = True,
    with_proposals: bool = False,
) -> tuple[ItemRow, ...]:
    themes = _themes_for(session, (row[0] for row in rows)) if with_themes else {}
    built = build_rows(rows, themes, rules)
    if not with_proposals:
        return built
    pending = proposals.proposals_for(session, [row.id for row in built])
    return tuple(replace(row, proposed=pending[row.id]) if row.id in pending else row for row in built)


def count_items(session: Session, f: ItemFilter, rules: AlertRules) -> int:
    return session.connection().scalar(_count_select(f, rules, search_flavour(session))) or 0


def search_flavour(session: Session) -> str:
    """How this session's database searches (see db.search_index.flavour)."""
    return search_index.flavour(session.connection().dialect.name)


# Statements are built once per filter and sort, not at every page: building one from the
# filter's conditions cost more than running it on a small log. Filters and rules are frozen
# (hashable) values, and a statement is never changed once built (.limit() makes a new one).
# How the database searches is part of the key, as the text conditions differ.
@lru_cache(maxsize=64)
def _count_select(f: ItemFilter, rules: AlertRules, flavour: str) -> Select[Any]:
    statement, f = _searched(select(func.count()), f, flavour)
    return statement.where(*filter_conditions(f, rules, flavour))


def _searched(statement: Select[Any], f: ItemFilter, flavour: str) -> tuple[Select[Any], ItemFilter]:
    """The items, led by the full-text index when the search has words it can answer.

    The words become one MATCH whose rows each find their item by id, and the filter is
    left with the other terms. A word in a third of 100,000 items is then found in about
    half the time of a list of ids that every item is looked up in (filter_conditions'
    form, which the other reads keep: it needs no join)."""
    terms = f.text.casefold().split()
    words = [term for term in terms if term.isalpha()]
    if not words or flavour == search_index.PLAIN:
        return statement.select_from(TrackedItem), f
    rest = " ".join(term for term in terms if not term.isalpha())
    if flavour == search_index.POSTGRES:
        led = statement.select_from(ItemSearch).join(TrackedItem, TrackedItem.id == ItemSearch.item_id)
        return led.where(_pg_match(words)), replace(f, text=rest)
    led = statement.select_from(_FTS).join(TrackedItem, TrackedItem.id == _FTS.c.rowid)
    return led.where(_fts_match(words)), replace(f, text=rest)


def _fts_match(words: Sequence[str]) -> ColumnElement[bool]:
    """The full-text index's rows having every word (each as the beginning of a word)."""
    return _FTS.c.item_fts.op("MATCH")(" AND ".join(search_index.match_query(word) for word in words))


def _pg_match(words: Sequence[str]) -> ColumnElement[bool]:
    """PostgreSQL: the words' rows having every word, each as the beginning of a word, found
    through the stored tsvector column and its GIN index (db.search_index.PG_CREATE)."""
    vector: ColumnElement[Any] = literal_column(f"item_search.{search_index.PG_COLUMN}")
    query = func.to_tsquery(literal_column(f"'{search_index.PG_CONFIG}'"), search_index.pg_query(words))
    return vector.op("@@")(query)


def _id_select(
    session: Session, f: ItemFilter, rules: AlertRules, sort: SortKey, descending: bool
) -> Select[Any]:
    """The ids a filter selects, in order, joining other tables only when the sort needs them."""
    return _id_select_for(f, rules, sort, descending, search_flavour(session))


@lru_cache(maxsize=64)
def _id_select_for(
    f: ItemFilter, rules: AlertRules, sort: SortKey, descending: bool, flavour: str
) -> Select[Any]:
    statement, f = _searched(select(TrackedItem.id), f, flavour)
    if sort is SortKey.REVIEW:
        statement = (
            statement.outerjoin(Review, TrackedItem.review_id == Review.id)
            .outerjoin(Priority, TrackedItem.priority_id == Priority.id)
            .outerjoin(StrategicPlan, Priority.plan_id == StrategicPlan.id)
        )
    elif sort is SortKey.LEAD_AGENCY:
        statement = statement.outerjoin(Agency, TrackedItem.lead_agency_id == Agency.id)
    open_only = f.state is ItemState.OPEN
    return statement.where(*filter_conditions(f, rules, flavour)).order_by(
        *_order(sort, descending, rules, open_only=open_only)
    )


def list_page(
    session: Session,
    f: ItemFilter,
    rules: AlertRules,
    *,
    sort: SortKey = SortKey.ALERTS,
    descending: bool = False,
    offset: int = 0,
    limit: int = 100,
    with_total: bool = True,
    with_proposals: bool = False,
) -> Page:
    """One page: the ids first (narrow, index-only where possible), then those rows in full."""
    ids = _walked_ids(session, f, rules, sort, descending, offset, limit)
    if ids is None:
        ids = list(
            session.connection().scalars(
                _id_select(session, f, rules, sort, descending).offset(offset).limit(limit)
            )
        )
    rows = rows_by_id(session, ids, rules, with_proposals=with_proposals)
    total = count_items(session, f, rules) if with_total else offset + len(rows)
    return Page(rows=rows, total=total, offset=offset)


# From this many items matching the search's words, walking the log in due-date order finds
# a page sooner than reading every match and sorting them (for a word in a third of 100,000
# items: 16 ms against 85). Below it, the matches lead: a rare word is found in a millisecond.
WALK_FROM_MATCHES = 2_000


def _walked_ids(
    session: Session,
    f: ItemFilter,
    rules: AlertRules,
    sort: SortKey,
    descending: bool,
    offset: int,
    limit: int,
) -> list[int] | None:
    """A page of open items sorted by alerts (either way), read a class of alert at a time, or
    None where the usual read is as quick (another sort, closed items, a filter that narrows
    to a few items through an index of its own, or a rare search word).

    The sort puts overdue items first, then those with no timescale, then stale, due soon
    and the rest, each by due date, rating and id. Each class is a range of the due-date
    index walked in order, with the filter checked on the way, so a page is found by reading
    about a page of the index (or as many more as the filter passes over), not by sorting
    every item the filter selects: at 100,000 items, the open log 50 ms to under 1 ms, the
    stale ones 38 ms to 1 ms, the Red ones 8 ms to 1 ms."""
    terms = f.text.casefold().split()
    walkable = (
        sort is SortKey.ALERTS
        and f.state is ItemState.OPEN
        and not _narrowed(f)
        and all(term.isalpha() for term in terms)
    )
    flavour = search_flavour(session)
    if not walkable or (terms and flavour == search_index.PLAIN):
        return None
    connection = session.connection()
    if terms and (connection.scalar(_match_count(" ".join(terms), flavour)) or 0) < WALK_FROM_MATCHES:
        return None
    wanted = offset + limit
    ids: list[int] = []
    for statement in _alert_classes(f, rules, flavour, descending):
        if len(ids) >= wanted:
            break
        ids += connection.scalars(statement.limit(wanted - len(ids)))
    return ids[offset:wanted]


def _narrowed(f: ItemFilter) -> bool:
    """Whether the filter selects items through an index of their own (an agency, a review, a
    priority, a theme, no timescale), or a few the due-date index cannot find in few steps
    (proposals, items awaiting impact, items due soon): sorting those is quicker than walking
    past the rest (at 100,000 items, one agency's overdue items take 2 ms sorted and 12 ms
    walked, and a page past their end 60 ms)."""
    return (
        f.agency_id is not None
        or f.review_id is not None
        or f.priority_id is not None
        or f.theme_id is not None
        or f.proposals
        or f.awaiting_impact
        or f.alert in (AlertKind.DUE_SOON, AlertKind.NO_TIMESCALE)
    )


@lru_cache(maxsize=64)
def _match_count(text: str, flavour: str) -> Select[Any]:
    """How many items the words match, counted only as far as WALK_FROM_MATCHES: whether there
    are that many is all that is asked, and a common word's every match need not be read."""
    if flavour == search_index.POSTGRES:
        matches = select(ItemSearch.item_id).where(_pg_match(text.split()))
    else:
        matches = select(_FTS.c.rowid).where(_fts_match(text.split()))
    return select(func.count()).select_from(matches.limit(WALK_FROM_MATCHES).subquery())


# The classes of alert an alert filter can select: an overdue or an inconsistent open item (Green
# and overdue) is in the first class alone; a stale one may also be overdue or have no timescale.
# The other classes would be walked past without a match.
_CLASSES_OF: dict[AlertKind | None, tuple[int, ...]] = {
    AlertKind.OVERDUE: (0,),
    AlertKind.INCONSISTENT: (0,),
    AlertKind.STALE: (0, 1, 2),
}


@lru_cache(maxsize=64)
def _alert_classes(
    f: ItemFilter, rules: AlertRules, flavour: str, descending: bool = False
) -> tuple[Select[Any], ...]:
    """The open items' classes of alert in the order the sort puts them (see alert_rank and
    _order: reversed, the classes come last first, each by due date and rating reversed, and
    still by id), each in its own order. The search's words are a list each id is checked
    against ("+ 0" keeps SQLite from leading with them), so the due-date index leads."""
    item = TrackedItem
    conditions = [
        *filter_conditions(replace(f, text=""), rules, flavour),
        *((item.id + 0).in_(_items_matching(term, flavour)) for term in f.text.casefold().split()),
    ]
    rank = alert_rank(rules, open_only=True)
    later = item.due_on >= rules.as_of
    due, severity = (
        (item.due_on.desc(), rating_severity().desc()) if descending else (item.due_on, rating_severity())
    )
    classes: list[tuple[ColumnElement[bool], list[Any]]] = [
        (item.due_on < rules.as_of, [due, severity]),  # overdue
        (item.due_on.is_(None), [severity]),  # no timescale
        (and_(later, rank == 3), [due, severity]),  # stale
        (and_(later, rank == 4), [due, severity]),  # due soon
        (and_(later, rank == 5), [due, severity]),  # the rest
    ]
    chosen = [classes[n] for n in _CLASSES_OF.get(f.alert, range(len(classes)))]
    if descending:
        chosen.reverse()
    return tuple(
        select(item.id).where(*conditions, where).order_by(*order, item.id) for where, order in chosen
    )


def ids_matching(
    session: Session, f: ItemFilter, rules: AlertRules, sort: SortKey, descending: bool = False
) -> list[int]:
    """Every id the filter selects, in order (cheap: one integer column)."""
    return list(session.connection().scalars(_id_select(session, f, rules, sort, descending)))


def still_matching(session: Session, f: ItemFilter, rules: AlertRules, ids: Sequence[int]) -> set[int]:
    """Which of ``ids`` the filter still selects (after an edit, which may move an item out)."""
    if not ids:
        return set()
    flavour = search_flavour(session)
    statement, rest = _searched(select(TrackedItem.id), f, flavour)
    statement = statement.where(*filter_conditions(rest, rules, flavour), TrackedItem.id.in_(list(ids)))
    return set(session.connection().scalars(statement))


def alert_rows(
    session: Session, rules: AlertRules, agency_id: int | None, *, awaiting_too: bool = False
) -> tuple[ItemRow, ...]:
    """Open items with any alert, worst first (the alerts command and the dashboard); with
    ``awaiting_too``, items delivered and awaiting evidence of impact as well."""
    f = ItemFilter(agency_id=agency_id, lead_only=True, state=ItemState.OPEN)
    # Every row is wanted, so one ordered query reads them all (not ids first, then the rows
    # in batches), through the connection rather than the ORM's loading.
    statement = (
        _base_select()
        .where(
            *filter_conditions(f, rules, search_flavour(session)),
            or_(any_alert_sql(rules), awaiting_impact_sql()) if awaiting_too else any_alert_sql(rules),
        )
        .order_by(*_order(SortKey.ALERTS, False, rules, open_only=True))
    )
    return _to_rows(session, session.connection().execute(statement).all(), rules, with_themes=False)


def rows_by_id(
    session: Session,
    ids: Sequence[int],
    rules: AlertRules,
    *,
    with_themes: bool = True,
    with_proposals: bool = False,
) -> tuple[ItemRow, ...]:
    if not ids:
        return ()
    found: dict[int, _Row] = {}
    connection = session.connection()
    statement = _rows_by_id_select(connection.dialect.name)
    for start in range(0, len(ids), 500):
        chunk = list(ids[start : start + 500])
        found.update((row[0], row) for row in connection.execute(statement, {"ids": chunk}).all())
    return _to_rows(
        session,
        [found[i] for i in ids if i in found],
        rules,
        with_themes=with_themes,
        with_proposals=with_proposals,
    )


def rating_counts(session: Session, f: ItemFilter, rules: AlertRules) -> dict[Rating | None, int]:
    statement = (
        select(TrackedItem.rating, func.count())
        .where(*filter_conditions(f, rules, search_flavour(session)))
        .group_by(TrackedItem.rating)
    )
    return {rating: count for rating, count in session.execute(statement)}


def alert_counts(session: Session, f: ItemFilter, rules: AlertRules) -> AlertCounts:
    return rating_and_alert_counts(session, f, rules)[1]


def rating_and_alert_counts(
    session: Session, f: ItemFilter, rules: AlertRules
) -> tuple[dict[Rating | None, int], AlertCounts]:
    """Items by rating and by alert, in one pass over the covering index.

    Rows are grouped by rating alone, which the index is already ordered by, and each alert is
    a sum of a condition within the group: no sort of the log is needed (at 100,000 items,
    100 ms against 200 ms for grouping by computed due-date buckets). The alert filter itself
    is set aside, so the counts say what each alert would find. "Blue without evidence" needs
    the evidenced flag, so it is counted among Blue items alone."""
    base = ItemFilter(**{**_as_dict(f), "alert": None})
    where = filter_conditions(base, rules, search_flavour(session))
    item = TrackedItem
    statement = select(item.rating, *_alert_sums(rules)).where(*where).group_by(item.rating)
    ratings, counts = tally_by_rating(session.execute(statement))
    if base.state is not ItemState.OPEN and ratings.get(Rating.BLUE):
        unevidenced = and_(item.rating == Rating.BLUE, item.evidenced.is_(False))
        counts[AlertKind.INCONSISTENT] += (
            session.scalar(select(func.count()).select_from(item).where(*where, unevidenced)) or 0
        )
    return ratings, AlertCounts(counts)


def _alert_sums(rules: AlertRules) -> list[Any]:
    """A group's count, then how many of it are overdue, due soon, without a timescale and
    stale (as alerts.tally_by_rating reads them)."""
    item = TrackedItem

    def number(condition: ColumnElement[bool]) -> Any:
        return func.sum(case((condition, 1), else_=0))

    return [
        func.count(),
        number(and_(item.due_on.is_not(None), item.due_on < rules.as_of)),
        number(and_(item.due_on >= rules.as_of, item.due_on <= rules.due_soon_until)),
        number(item.due_on.is_(None)),
        number(func.coalesce(item.last_update_on, item.created_on) < rules.stale_before),
    ]


def lead_agency_counts(
    session: Session, rules: AlertRules
) -> dict[int | None, tuple[dict[Rating | None, int], AlertCounts]]:
    """Each lead agency's open items by rating and by alert (None: no lead agency), in one
    pass along the index by lead agency, which holds every date an alert is judged on (at
    100,000 items 35-50 ms, against 300 ms for a count of each agency in turn). The same
    counts as ``rating_and_alert_counts`` of each agency's open items it leads."""
    groups: dict[int | None, list[Sequence[Any]]] = defaultdict(list)
    for agency_id, *group in session.execute(lead_agency_counts_select(rules, search_flavour(session))):
        groups[agency_id].append(group)
    found: dict[int | None, tuple[dict[Rating | None, int], AlertCounts]] = {}
    for agency_id, rows in groups.items():
        ratings, counts = tally_by_rating(rows)
        found[agency_id] = (ratings, AlertCounts(counts))
    return found


def lead_agency_counts_select(rules: AlertRules, flavour: str) -> Select[Any]:
    item = TrackedItem
    return (
        select(item.lead_agency_id, item.rating, *_alert_sums(rules))
        .where(*filter_conditions(ItemFilter(), rules, flavour))
        .group_by(item.lead_agency_id, item.rating)
    )


def agency_matrix(session: Session, f: ItemFilter, rules: AlertRules) -> list[AgencyMatrixRow]:
    """Counts by lead agency × rating, every active agency listed, unassigned last."""
    statement = (
        select(TrackedItem.lead_agency_id, TrackedItem.rating, func.count())
        .where(*filter_conditions(f, rules, search_flavour(session)))
        .group_by(TrackedItem.lead_agency_id, TrackedItem.rating)
    )
    counts: dict[int | None, dict[Rating | None, int]] = defaultdict(dict)
    for agency_id, rating, count in session.execute(statement):
        counts[agency_id][rating] = count
    rows = [
        AgencyMatrixRow(agency.id, agency.short_name, agency.name, counts.get(agency.id, {}))
        for agency in session.scalars(select(Agency).order_by(Agency.short_name))
        if agency.active or agency.id in counts
    ]
    if None in counts:
        rows.append(AgencyMatrixRow(None, "—", "No lead agency", counts[None]))
    return rows


def _as_dict(f: ItemFilter) -> dict[str, Any]:
    return {name: getattr(f, name) for name in f.__slots__}


def history_for(session: Session, entity: str, entity_id: int) -> tuple[HistoryRecord, ...]:
    statement = (
        select(HistoryEntry)
        .where(HistoryEntry.entity == entity, HistoryEntry.entity_id == entity_id)
        .order_by(HistoryEntry.changed_at.desc(), HistoryEntry.id.desc())
    )
    return tuple(to_history_record(entry) for entry in session.scalars(statement))


def to_history_record(entry: HistoryEntry) -> HistoryRecord:
    return HistoryRecord(
        id=entry.id,
        entity=entry.entity,
        entity_id=entry.entity_id,
        field=entry.field,
        old_value=entry.old_value,
        new_value=entry.new_value,
        note=entry.note,
        author=entry.author,
        changed_at=entry.changed_at,
        source=entry.source,
        batch=entry.batch,
    )


def item_detail(session: Session, item_id: int, rules: AlertRules) -> ItemDetail | None:
    item = session.get(TrackedItem, item_id)
    if item is None or item.deleted_at is not None:
        return None
    (row,) = rows_by_id(session, [item_id], rules)
    child = aliased(TrackedItem)
    child_ids = list(
        session.scalars(
            select(child.id)
            .where(child.parent_id == item_id, child.deleted_at.is_(None))
            .order_by(child.reference_key)
        )
    )
    return ItemDetail(
        row=row,
        review_id=item.review_id,
        priority_id=item.priority_id,
        parent_reference=item.parent.reference if item.parent else None,
        lead_agency_name=item.lead_agency.name if item.lead_agency else None,
        supporting_agencies=tuple(a.short_name for a in item.supporting_agencies),
        original_timescale=item.original_timescale,
        original_due_on=item.original_due_on,
        owner=item.owner,
        evidence_completion=item.evidence_completion,
        evidence_impact=item.evidence_impact,
        illustrative=item.illustrative,
        created_on=item.created_on,
        updates=tuple(
            ProgressUpdateRecord(u.id, u.written_on, u.author, u.text, u.proposed_rating)
            for u in item.updates
            if u.withdrawn_at is None  # withdrawn: kept, and shown only in the item's history
        ),
        history=history_for(session, "item", item_id),
        children=rows_by_id(session, child_ids, rules),
    )


def changes_since(
    session: Session, seen: int | None, own: Collection[str]
) -> tuple[int, tuple[OtherChange, ...]]:
    """The newest history id, and the changes after ``seen`` not in the batches ``own``
    (at most the latest 200 rows are read: a large import is one change to be told of)."""
    newest = session.scalar(select(func.max(HistoryEntry.id))) or 0
    if seen is None or newest <= seen:
        return newest, ()
    rows = session.execute(
        select(HistoryEntry.batch, HistoryEntry.author, HistoryEntry.changed_at)
        .where(HistoryEntry.id > max(seen, newest - 200))
        .order_by(HistoryEntry.id)
    ).all()
    return newest, tuple(OtherChange(r.author, r.changed_at) for r in rows if r.batch not in own)
