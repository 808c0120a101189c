"""The ``notegen`` MkDocs plugin: a thin adapter from MkDocs' events to the pipeline.

On every build (``mkdocs serve`` rebuilds included) it gathers everything first
(reads and links every note of the graph, reads the experiments statically and
every results file), then hands MkDocs the generated pages as virtual files,
and the plots of ``results/`` as files of the site. No experiment ever runs
here: with no ``results/`` every card says "not measured". Each diagnostic
(a bad note, a claim with no result, an unreadable results file, a missing
plot) is logged as a MkDocs warning, so ``mkdocs build`` still builds every
other page and ``mkdocs build --strict`` fails. Stale and broken results are
shown on the cards and logged at info level.
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
from mkdocs.structure.pages import Page

from notegen.diagnostics import Diagnostic, sort_diagnostics
from notegen.link.graph import Graph
from notegen.mkdocs_plugin.config import NotegenConfig
from notegen.render.cards import CardRenderer, ResultCards
from notegen.render.evidence import ResultsIndex

__all__ = ["NotegenPlugin"]

log = logging.getLogger("mkdocs.plugins.notegen")

CSS_URI = "assets/notegen/notegen.css"
"""Where notegen's stylesheet is in the site."""
JS_URI = "assets/notegen/notegen.js"
"""Where notegen's script (sortable, filterable claims table) is in the site."""
_ASSETS = Path(__file__).resolve().parent.parent / "render" / "assets"
GRAPH_ASSETS_DIR = "assets/graph"
"""Where the graph's ``assets/`` folder (images pasted into Logseq) goes in the site."""
_REQUIRED_EXTENSIONS = ("attr_list", "md_in_html")
# Result cards are pymdownx.details blocks with content tabs; experiment pages
# show their source with line numbers whose anchors cards link to.
_CARD_EXTENSIONS: tuple[tuple[str, dict[str, Any]], ...] = (
    ("pymdownx.details", {}),
    ("pymdownx.tabbed", {"alternate_style": True}),
    ("pymdownx.superfences", {}),
    ("pymdownx.highlight", {"anchor_linenums": True, "line_spans": "__span"}),
)


class NotegenPlugin(BasePlugin[NotegenConfig]):  # type: ignore[no-untyped-call]
    """Generate the site's pages from a Logseq graph."""

    def __init__(self) -> None:
        self.root = Path.cwd()
        self.notes_dir = self.root / "notes"
        self.diagnostics: tuple[Diagnostic, ...] = ()
        """The diagnostics of the last build, sorted."""
        self.results: ResultsIndex | None = None
        """Claims, experiments and results of the last build."""

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
        for name, options in _CARD_EXTENSIONS:
            short = name.rsplit(".", 1)[-1]
            present = [e for e in config.markdown_extensions if _extension_name(e) == short]
            if not present:
                config.markdown_extensions.append(name)
                config.mdx_configs[name] = dict(options)
            elif name == "pymdownx.highlight" and isinstance(present[0], str):
                # Cards link to source lines: keep line anchors unless turned off.
                config.mdx_configs.setdefault(present[0], {}).setdefault("anchor_linenums", True)
        if CSS_URI not in [str(x) for x in config.extra_css]:
            config.extra_css.insert(0, CSS_URI)
        if JS_URI not in [str(x) for x in config.extra_javascript]:
            config.extra_javascript.append(_script(JS_URI))
        return config

    @event_priority(50)  # before other plugins look at the files
    def on_files(self, files: Files, /, *, config: MkDocsConfig) -> Files | None:
        """Gather (read and link every note), then emit every page as a virtual file."""
        if not self.config.enabled:
            return None
        from notegen.link import build_graph
        from notegen.render import load_results_index, render_site
        from notegen.store import result_diagnostics

        graph = build_graph(self.notes_dir, self.root)
        results = load_results_index(
            graph,
            self.root / self.config.examples_dir,
            self.root / self.config.results_dir,
            self.root,
        )
        self.results = results
        self.diagnostics = tuple(sort_diagnostics([*graph.diagnostics, *results.diagnostics]))
        for diagnostic in self.diagnostics:
            log.warning(str(diagnostic))
        # Stale and broken results are shown on their cards, not build problems.
        for diagnostic in sort_diagnostics(result_diagnostics(results.results())):
            log.info(str(diagnostic))
        self._teach_search_words(graph, files, config)
        assets = self._add_graph_assets(files, config)
        self._add_plots(results, files, config)
        pages = render_site(
            graph,
            cards=self._cards(results),
            assets=assets,
            tags_index=self.config.tags_index and _has_tags_plugin(config),
            home_title=self.config.home_title,
            results=results,
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
        for uri in (CSS_URI, JS_URI):
            if files.get_file_from_path(uri) is None:
                source = _ASSETS / uri.rsplit("/", 1)[-1]
                files.append(File.generated(config, uri, abs_src_path=str(source)))
        if self.config.nav and config.nav is None:
            config.nav = _nav(pages, generated, files)
        return files

    def on_page_content(
        self, html: str, /, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str | None:
        """Tell MkDocs' anchor check about the line anchors of highlighted source.

        Result cards link to an experiment's first line on its page
        (``#__codelineno-0-N``); MkDocs collects anchors before the highlighted
        code is put back in, so without this every such link would be reported.
        """
        if self.config.enabled and page.present_anchor_ids is not None:
            page.present_anchor_ids |= set(_LINE_ANCHOR.findall(html))
        return None

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

    def _cards(self, results: ResultsIndex) -> CardRenderer:
        """The renderer of the cards under claims and annotations."""
        return ResultCards(results)

    def _add_plots(self, results: ResultsIndex, files: Files, config: MkDocsConfig) -> None:
        """Copy every plot a card or experiment page shows into the site."""
        from notegen.render.evidence import plot_source

        results_dir = self.root / self.config.results_dir
        for name, uri in results.plots.items():
            source = plot_source(results_dir, name)
            if source is not None and files.get_file_from_path(uri) is None:
                files.append(File.generated(config, uri, abs_src_path=str(source)))

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
        # jieba logs four DEBUG lines to stderr ("Building prefix dict ...") on
        # every build; keep them for `mkdocs build --verbose` only.
        if not log.isEnabledFor(logging.DEBUG):
            jieba.setLogLevel(logging.INFO)
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


_LINE_ANCHOR = re.compile(r'\bid="(__codelineno-[\w-]+)"')

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


def _script(uri: str) -> Any:
    """An ``extra_javascript`` entry (MkDocs 1.5+ keeps them as ``ExtraScriptValue``)."""
    try:
        from mkdocs.config.config_options import ExtraScriptValue
    except ImportError:  # pragma: no cover - older MkDocs keeps plain strings
        return uri
    return ExtraScriptValue(uri)


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
    nav += by_kind.get("claims", [])
    sections = (
        ("note", "Notes"),
        ("journal", "Journals"),
        ("experiment", "Experiments"),
        ("missing", "Linked pages"),
    )
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
