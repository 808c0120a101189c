"""Link stage: page names resolved as Logseq resolves them, backlinks, missing
pages, block references and where every claim is made; the experiments under
``examples/``, read statically (:mod:`notegen.link.experiments`), and the checks
between claims and experiments (:mod:`notegen.link.claims`).
"""

from __future__ import annotations

from notegen.link.claims import ExperimentRef, annotation_diagnostics, claim_link_diagnostics
from notegen.link.graph import (
    Backlink,
    BlockSite,
    ClaimSite,
    Graph,
    GraphPage,
    PageKind,
    build_graph,
    link_notes,
)
from notegen.link.load import LoadedGraph, load_notes
from notegen.link.names import GraphConfig, name_from_file, page_key, slugify

__all__ = [
    "Backlink",
    "BlockSite",
    "ClaimSite",
    "ExperimentRef",
    "Graph",
    "GraphConfig",
    "GraphPage",
    "LoadedGraph",
    "PageKind",
    "annotation_diagnostics",
    "build_graph",
    "claim_link_diagnostics",
    "link_notes",
    "load_notes",
    "name_from_file",
    "page_key",
    "slugify",
]
