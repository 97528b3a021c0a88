"""A small log with a known history around two Case Review Panel meetings, for the pack tests.

Every change carries its own time, so the data does not depend on the day the tests run:

* set up on 1 Sep 2026 (one item earlier, on 1 Jun, and never updated since);
* the previous panel on 15 Oct 2026;
* between the meetings (20 Nov): a rating worsened, a timescale revised, an item completed;
* the panel on 26 Nov 2026;
* after it (27 Nov, see :func:`edit_after_meeting`): a rating, a text, a new progress update,
  a new item and a deletion — none of which a pack for 26 Nov may show.
"""

from __future__ import annotations

from datetime import date, datetime

from sscp_tui.db.models import (
    Agency,
    AgencyKind,
    ItemKind,
    Rating,
    Review,
    ReviewKind,
    ReviewStatus,
    TrackedItem,
)
from sscp_tui.db.store import Store
from sscp_tui.services.edits import (
    EditContext,
    NewItem,
    add_update,
    change_field,
    create_item,
    delete_items,
    mark_complete,
    revise_timescale,
    set_rating,
)

GROUP = "Case Review Panel"
PREVIOUS = date(2026, 10, 15)
MEETING = date(2026, 11, 26)
SET_UP = datetime(2026, 9, 1, 10, 0)
BETWEEN = datetime(2026, 11, 20, 14, 0)
AFTER = datetime(2026, 11, 27, 9, 30)

MARKUP = "[bold]x[/] <script>alert(1)</script> **x** | a_b"
FORMULA = "=SUM(1,2)"
LATE_TEXT = "Reworded after the meeting."
LATE_UPDATE = "Progress reported after the meeting."

# key: (review, reference, lead, timescale, rating, text, progress update (day, text) or None)
ITEMS = {
    "worsened": ("Child A", "1", "SCC", "31/10/2026", Rating.AMBER,
                 "Agencies should strengthen the assessment of risk.", (date(2026, 9, 2), "Training planned.")),
    "tbc": ("Child A", "2", "SP", "tbc", Rating.GREEN,
            "Police should review referral routes.", (date(2026, 11, 1), "Review under way.")),
    "revised": ("Child A", "3", "SH", "31/12/2026", Rating.AMBER,
                "Health should audit safeguarding supervision.", (date(2026, 11, 2), "Audit started.")),
    "completed": ("Family B", "1", "SCC", "30/09/2026", Rating.GREEN,
                  "Publish a neglect strategy.", (date(2026, 10, 1), "Strategy drafted.")),
    "green_overdue": ("Family B", "2", "SP", "31/10/2026", Rating.GREEN,
                      "Train officers in professional curiosity.", (date(2026, 11, 10), "Sessions booked.")),
    "blue_no_evidence": ("Family B", "3", "SCC", "31/03/2026", Rating.BLUE,
                         "Update the escalation policy.", (date(2026, 8, 1), "Policy updated.")),
    "markup": ("Child A", "4", "SP", "March 2027", Rating.GREEN,
               MARKUP, (date(2026, 11, 3), FORMULA)),
    "deleted_later": ("Child A", "5", "SCC", "June 2027", Rating.AMBER,
                      "Share learning with schools.", (date(2026, 11, 5), "Briefing written.")),
}  # fmt: skip
STALE = ("Family B", "4", "SH", "2027-28", Rating.AMBER, "Review thresholds for early help.")

# What a pack for MEETING must flag, by exception kind (see services/packs/model.py).
EXCEPTIONS_AT_MEETING = {
    "put forward for closure": {"completed"},
    "overdue": {"worsened", "green_overdue"},
    "red": {"worsened"},
    "worsened": {"worsened"},
    "improved": set(),
    "revised": {"revised"},
    "stale": {"stale"},
    "no timescale": {"tbc"},
    "inconsistent": {"green_overdue", "blue_no_evidence"},
    "revised often": set(),
    "awaiting impact": set(),
    "closed with open actions": set(),
}


def build_log(store: Store) -> dict[str, int]:
    """Write the log up to the meeting; return item ids by key (and review ids)."""
    ids: dict[str, int] = {}
    with store.write() as s:
        for name, short in [("Surrey County Council", "SCC"), ("Surrey Police", "SP"),
                            ("Surrey Heartlands", "SH")]:  # fmt: skip
            s.add(Agency(name=name, short_name=short, kind=AgencyKind.STATUTORY, active=True))
        reviews = {
            "Child A": Review(kind=ReviewKind.SCR, title="Child A", year=2019, status=ReviewStatus.PUBLISHED),
            "Family B": Review(
                kind=ReviewKind.LCSPR, title="Family B", year=2021, status=ReviewStatus.PUBLISHED
            ),
        }
        s.add_all(reviews.values())
        s.flush()
        ids["review Child A"], ids["review Family B"] = reviews["Child A"].id, reviews["Family B"].id
        ctx = EditContext(author="Business team", note="Added to the log", source="test", now=SET_UP)
        for key, (review, ref, lead, timescale, rating, text, update) in ITEMS.items():
            item = create_item(s, ctx, _new(reviews[review].id, ref, lead, timescale, rating, text, SET_UP))
            if update:
                add_update(s, ctx, item.id, update[1], written_on=update[0])
            ids[key] = item.id
        early = EditContext(author="Business team", note="Added", source="test", now=datetime(2026, 6, 1, 9))
        review, ref, lead, timescale, rating, text = STALE
        ids["stale"] = create_item(
            s, early, _new(reviews[review].id, ref, lead, timescale, rating, text, early.now)
        ).id

        chair = EditContext(author="Chair", note="Agreed at panel", source="test", now=BETWEEN)
        set_rating(s, chair, [ids["worsened"]], Rating.RED)
        revise_timescale(s, chair, [ids["revised"]], "March 2027")
        mark_complete(s, chair, ids["completed"], "Strategy published; audit report.",
                      "A re-audit found the strategy in use.")  # fmt: skip
    return ids


def edit_after_meeting(store: Store, ids: dict[str, int]) -> None:
    """Changes made the day after the meeting, which a pack for the meeting must ignore."""
    with store.write() as s:
        ctx = EditContext(author="Chair", note="Changed after the meeting", source="test", now=AFTER)
        set_rating(s, ctx, [ids["tbc"]], Rating.RED)
        item = s.get(TrackedItem, ids["worsened"])
        assert item is not None
        change_field(s, ctx, item, "text", LATE_TEXT)
        add_update(s, ctx, ids["worsened"], LATE_UPDATE, written_on=AFTER.date())
        review_id = ids["review Child A"]
        new = _new(review_id, "6", "SCC", "June 2027", Rating.AMBER, "Added after the meeting.", AFTER)
        ids["created_later"] = create_item(s, ctx, new).id
        delete_items(s, ctx, [ids["deleted_later"]])


def _new(
    review_id: int, ref: str, lead: str, timescale: str, rating: Rating, text: str, when: datetime
) -> NewItem:
    return NewItem(
        kind=ItemKind.RECOMMENDATION,
        reference=ref,
        text=text,
        review_id=review_id,
        lead_agency=lead,
        timescale=timescale,
        rating=rating,
        created_on=when.date(),
    )
