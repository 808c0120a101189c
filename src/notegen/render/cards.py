"""The seam where a result card goes: under every block that carries a claim and
under every annotation.

The page renderer asks a :class:`CardRenderer` for Markdown at each such place
and puts whatever it returns there, inside the block's ``<div>`` (so Material's
admonitions, details and tabs work in it). notegen's default,
:func:`claim_chips`, only names the claims; the result cards that show verdicts,
metrics and plots plug in here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from notegen.link.graph import ClaimSite, Graph, GraphPage
from notegen.model import NoteBlock
from notegen.render.inline import escape_text

__all__ = ["CardRenderer", "CardRequest", "claim_chips", "no_cards"]


@dataclass(frozen=True, slots=True)
class CardRequest:
    """One place on a page where a result card may go."""

    graph: Graph
    """The whole linked graph."""
    page: GraphPage
    """The page being rendered."""
    block: NoteBlock
    """The block the card goes under."""
    claims: tuple[ClaimSite, ...]
    """The claims in effect for the block: its own, else its nearest ancestor's
    (empty for an annotation with no claim on it or above it)."""
    inherited: bool
    """Whether :attr:`claims` are an ancestor's rather than the block's own."""

    @property
    def src_uri(self) -> str:
        """The page's path in the site, to make relative links from."""
        return self.page.src_uri


class CardRenderer(Protocol):
    """Markdown for the card under one block ("" for none)."""

    def __call__(self, request: CardRequest, /) -> str: ...


def no_cards(request: CardRequest, /) -> str:
    """Render no card anywhere."""
    return ""


def claim_chips(request: CardRequest, /) -> str:
    """Name the block's own claims, as a line of chips (no results shown).

    Inherited claims are not repeated under annotations: the chips above them,
    on the block that makes the claim, already say it.
    """
    if request.inherited or not request.claims:
        return ""
    chips = " ".join(
        f'<span class="ng-claim" title="claim id">{escape_text(site.claim_id)}</span>'
        for site in request.claims
    )
    return f'<p class="ng-claims">Claim: {chips}</p>'
