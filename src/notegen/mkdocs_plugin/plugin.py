"""The ``notegen`` MkDocs plugin: a thin adapter from MkDocs' events to the pipeline.

On every build (``mkdocs serve`` rebuilds included) it gathers everything first
(reads and links every note of the graph), then hands MkDocs the generated
pages as virtual files. Each diagnostic is logged as a MkDocs warning, so
``mkdocs build`` still builds every other note and ``mkdocs build --strict``
fails.
"""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.livereload import LiveReloadServer
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import File, Files

from notegen.diagnostics import Diagnostic, sort_diagnostics
from notegen.link.graph import Graph
from notegen.mkdocs_plugin.config import NotegenConfig
from notegen.render.cards import CardRenderer

__all__ = ["NotegenPlugin"]

log = logging.getLogger("mkdocs.plugins.notegen")

CSS_URI = "assets/notegen/notegen.css"
"""Where notegen's stylesheet is in the site."""
GRAPH_ASSETS_DIR = "assets/graph"
"""Where the graph's ``assets/`` folder (images pasted into Logseq) goes in the site."""
_REQUIRED_EXTENSIONS = ("attr_list", "md_in_html")


class NotegenPlugin(BasePlugin[NotegenConfig]):  # type: ignore[no-untyped-call]
    """Generate the site's pages from a Logseq graph."""

    def __init__(self) -> None:
        self.root = Path.cwd()
        self.notes_dir = self.root / "notes"
        self.diagnostics: tuple[Diagnostic, ...] = ()
        """The diagnostics of the last build, sorted."""

    def on_startup(self, *, command: str, dirty: bool) -> None:
        """Keep one plugin object across ``mkdocs serve`` rebuilds (state is rebuilt each time)."""

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig | None:
        """Resolve the plugin's paths; make sure the Markdown extensions notegen's
        pages rely on are on; add notegen's stylesheet."""
        if not self.config.enabled:
            return None
        self.root = Path(os.path.dirname(os.path.abspath(config.config_file_path or "mkdocs.yml")))
        self.notes_dir = self.root / self.config.notes_dir
        if not self.notes_dir.is_dir():
            raise PluginError(
                f"notegen: notes_dir {self.config.notes_dir!r} is not a folder "
                f"(looked for {self.notes_dir}); set plugins: - notegen: notes_dir: "
                "to your Logseq graph's folder"
            )
        self.search_words: Path | None = None
        if self.config.search_words:
            self.search_words = self.root / self.config.search_words
            if not self.search_words.is_file():
                raise PluginError(
                    f"notegen: search_words {self.config.search_words!r} is not a file "
                    f"(looked for {self.search_words}); create it (one word a line) or "
                    "remove the setting"
                )
        for name in _REQUIRED_EXTENSIONS:
            if not any(_extension_name(e) == name for e in config.markdown_extensions):
                config.markdown_extensions.append(name)
        if CSS_URI not in [str(x) for x in config.extra_css]:
            config.extra_css.insert(0, CSS_URI)
        return config

    @event_priority(50)  # before other plugins look at the files
    def on_files(self, files: Files, /, *, config: MkDocsConfig) -> Files | None:
        """Gather (read and link every note), then emit every page as a virtual file."""
        if not self.config.enabled:
            return None
        from notegen.link import build_graph
        from notegen.render import render_site

        graph = build_graph(self.notes_dir, self.root)
        self.diagnostics = tuple(sort_diagnostics(graph.diagnostics))
        for diagnostic in self.diagnostics:
            log.warning(str(diagnostic))
        self._teach_search_words(graph, files, config)
        assets = self._add_graph_assets(files, config)
        pages = render_site(
            graph,
            cards=self._cards(),
            assets=assets,
            tags_index=self.config.tags_index and _has_tags_plugin(config),
            home_title=self.config.home_title,
        )
        generated: list[str] = []
        for page in pages:
            if files.get_file_from_path(page.src_uri) is not None:
                log.info(
                    f"notegen: {page.src_uri} in {config.docs_dir} replaces the page notegen "
                    "would generate there"
                )
                continue
            files.append(File.generated(config, page.src_uri, content=page.markdown))
            generated.append(page.src_uri)
        css = Path(__file__).resolve().parent.parent / "render" / "assets" / "notegen.css"
        if files.get_file_from_path(CSS_URI) is None:
            files.append(File.generated(config, CSS_URI, abs_src_path=str(css)))
        if self.config.nav and config.nav is None:
            config.nav = _nav(pages, generated, files)
        return files

    def on_serve(
        self, server: LiveReloadServer, /, *, config: MkDocsConfig, builder: Any
    ) -> LiveReloadServer | None:
        """Rebuild when notes, experiments or results change."""
        if not self.config.enabled:
            return None
        for folder in (self.config.notes_dir, self.config.examples_dir, self.config.results_dir):
            path = self.root / folder
            if path.exists():
                server.watch(str(path))
        return server

    def _cards(self) -> CardRenderer:
        # SEAM (issue 5): the renderer that shows measured results (from
        # self.config.results_dir) under claims and annotations plugs in here.
        from notegen.render import claim_chips

        return claim_chips

    def _teach_search_words(self, graph: Graph, files: Files, config: MkDocsConfig) -> None:
        words = [p.name for p in graph.pages.values() if _CJK_WORD.fullmatch(p.name)]
        if self.search_words is not None:
            words += read_search_words(self.search_words)
            # The word list is an input of the build, not a page of the site.
            docs = Path(config.docs_dir).resolve()
            if self.search_words.resolve().is_relative_to(docs):
                listed = files.get_file_from_path(
                    self.search_words.resolve().relative_to(docs).as_posix()
                )
                if listed is not None:
                    files.remove(listed)
        try:
            import jieba
        except ImportError:  # Material's search then does not segment either
            return
        for word in dict.fromkeys(words):
            jieba.add_word(word)

    def _add_graph_assets(self, files: Files, config: MkDocsConfig) -> dict[str, str]:
        assets: dict[str, str] = {}
        folder = self.notes_dir / "assets"
        if not folder.is_dir():
            return assets
        for path in sorted(folder.rglob("*")):
            if not path.is_file() or any(p.startswith(".") for p in path.relative_to(folder).parts):
                continue
            name = path.relative_to(folder).as_posix()
            uri = f"{GRAPH_ASSETS_DIR}/{name}"
            files.append(File.generated(config, uri, abs_src_path=str(path)))
            assets[name] = uri
        return assets


# A word jieba may not know: a run of CJK ideographs, as page names and tags often are.
_CJK_WORD = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]{2,16}")


def read_search_words(path: Path) -> list[str]:
    """The words of a ``search_words`` file: each line's first field; ``#`` starts a comment."""
    words = []
    for line in path.read_text(encoding="utf-8").splitlines():
        fields = line.split("#", 1)[0].split()
        if fields:
            words.append(fields[0])
    return words


def _extension_name(extension: object) -> str:
    name = extension if isinstance(extension, str) else type(extension).__module__
    return str(name).rsplit(".", 1)[-1]


def _has_tags_plugin(config: MkDocsConfig) -> bool:
    return any(name in ("tags", "material/tags") for name in config.plugins)


def _nav(pages: Any, generated: list[str], files: Files) -> list[Any]:
    made = set(generated)
    by_kind: dict[str, list[str]] = {}
    for page in pages:
        if page.src_uri in made or files.get_file_from_path(page.src_uri) is not None:
            by_kind.setdefault(page.kind, []).append(page.src_uri)
    nav: list[Any] = []
    nav += by_kind.get("home", [])
    sections = (("note", "Notes"), ("journal", "Journals"), ("missing", "Linked pages"))
    for kind, title in sections:
        if by_kind.get(kind):
            nav.append({title: by_kind[kind]})
    nav += by_kind.get("tags", [])
    ours = {uri for uris in by_kind.values() for uri in uris}
    nav += [
        f.src_uri
        for f in files.documentation_pages()
        if f.src_uri not in ours and f.generated_by is None
    ]
    return nav
