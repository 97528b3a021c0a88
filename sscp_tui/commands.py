"""The command palette: jump to any review, agency or item by reference or words."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, cast

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.fuzzy import Matcher

from sscp_tui.services.records import ItemFilter, ItemState

if TYPE_CHECKING:
    from sscp_tui.app import SSCPApp


def highlight(matcher: Matcher, candidate: str) -> Content:
    """Like ``Matcher.highlight``, but the candidate is plain text, never markup."""
    content = Content(candidate)
    score, offsets = matcher.fuzzy_search.match(matcher.query, candidate)
    if score:
        for offset in offsets:
            if not candidate[offset].isspace():
                content = content.stylize(matcher.match_style, offset, offset + 1)
    return content


class JumpProvider(Provider):
    @property
    def sscp(self) -> SSCPApp:
        return cast("SSCPApp", self.app)

    async def discover(self) -> Hits:
        for name, mode in self.sscp.SCREEN_NAMES.items():
            yield DiscoveryHit(f"Go to {name}", partial(self.sscp.switch_mode, mode), help="Screen")

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        tracker = self.sscp.tracker
        for name, mode in self.sscp.SCREEN_NAMES.items():
            score = matcher.match(f"Go to {name}")
            if score:
                yield Hit(score, highlight(matcher, f"Go to {name}"), partial(self.sscp.switch_mode, mode))
        reviews = await self.sscp.run_in_thread(tracker.reviews)
        adding = query.strip().casefold().startswith("add")
        for review in reviews:
            score = matcher.match(review.label)
            if score:
                action = partial(self.sscp.open_log, ItemFilter(review_id=review.id, state=ItemState.ALL))
                yield Hit(score, highlight(matcher, review.label), action, help="Review")
            # "add …": a review's recommendations and actions, added in its form.
            label = f"Add items to {review.label}"
            score = matcher.match(label) if adding else 0
            if score:
                action = partial(self.sscp.add_items_to, review.id)
                yield Hit(score, highlight(matcher, label), action, help="Add recommendations or actions")
        agencies = await self.sscp.run_in_thread(tracker.agencies)
        for agency in agencies:
            label = f"{agency.short_name} — {agency.name}"
            score = matcher.match(label)
            if score:
                action = partial(self.sscp.open_log, ItemFilter(agency_id=agency.id))
                yield Hit(score, highlight(matcher, label), action, help="Agency: its open items")
        if len(query.strip()) >= 2:
            page = await self.sscp.run_in_thread(
                partial(tracker.page, ItemFilter(text=query, state=ItemState.ALL), limit=12, with_total=False)
            )
            for row in page.rows:
                label = f"{row.source} {row.reference}: {' '.join(row.text.split())[:70]}"
                yield Hit(0.5, Content(label), partial(self.sscp.open_item, row.id), help="Item")
