"""notegen: compile Logseq reading-highlight notes into a MkDocs-Material site
whose claims are checked by runnable PyTorch experiments.

The pipeline stages live in subpackages, each a plain function from one typed
value to the next::

    parse   notes/**/*.md           -> Page (block tree, properties, source lines)
    model   Page                    -> Note (highlights, annotations, claim ids)
    link    Notes + experiments     -> Graph (page links, backlinks, claim sites)
    store   results/*.json          -> ResultRecord (metrics, verdict, provenance)
    render  Graph + results         -> Markdown pages handed to MkDocs

``cli``, ``pytest_plugin`` and ``mkdocs_plugin`` are thin adapters over them.
"""

from __future__ import annotations

__version__ = "0.1.0"
