"""Linking a graph of notes: page-name resolution, missing pages, backlinks, claims."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from notegen.diagnostics import Code
from notegen.link import Graph, annotation_diagnostics, build_graph

REPO = Path(__file__).resolve().parents[2]


def make_graph(root: Path, files: dict[str, str | bytes]) -> Graph:
    for name, text in files.items():
        path = root / "notes" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
    return build_graph(root / "notes", root)


def test_title_then_alias_then_file_name(tmp_path: Path) -> None:
    graph = make_graph(
        tmp_path,
        {
            "pages/one.md": "title:: Alpha\n\n- x\n",
            "pages/two.md": "alias:: alpha, Beta\n\n- y\n",
            "pages/beta.md": "- z\n",
            "pages/three.md": "title:: Gamma\nalias:: one\n\n- w\n",
        },
    )
    # "alpha" is one.md's title, so two.md's alias does not take it.
    assert graph.resolve("ALPHA").name == "Alpha"  # type: ignore[union-attr]
    # "beta" is the title (file name) of beta.md, before two.md's alias.
    assert graph.resolve("beta").note.path.endswith("beta.md")  # type: ignore[union-attr]
    # "one" is three.md's alias, which comes before one.md's file name.
    assert graph.resolve("One").name == "Gamma"  # type: ignore[union-attr]
    assert graph.resolve("nothing") is None


def test_namespaces_and_percent_escapes_in_file_names(tmp_path: Path) -> None:
    graph = make_graph(
        tmp_path,
        {
            "pages/area___sub.md": "- a\n",
            "pages/old%2Fstyle.md": "- b\n",
            "pages/what%3F.md": "- c\n",
            "pages/links.md": "- [[Area/Sub]] [[OLD/style]] [[What?]]\n",
        },
    )
    assert {p.name for p in graph.notes} == {"area/sub", "old/style", "what?", "links"}
    assert all(p.kind != "missing" for p in graph.pages.values())
    for name in ("area/sub", "old/style", "what?"):
        page = graph.resolve(name)
        assert page is not None
        assert [b.page for b in graph.backlinks[page.key]] == ["links"]


def test_missing_pages_are_generated_with_their_backlinks(tmp_path: Path) -> None:
    graph = make_graph(
        tmp_path,
        {
            "pages/a.md": "tags:: [[T1]], t2\n\n- > quote [[DIN]]\n  - 📝 +[[din]]\n",
            "pages/b.md": "- about #t2 and [[Nowhere]]\n",
        },
    )
    missing = {p.name: p for p in graph.pages.values() if p.kind == "missing"}
    assert set(missing) == {"DIN", "T1", "t2", "Nowhere"}
    assert missing["DIN"].src_uri == "pages/din.md"
    din = graph.backlinks[missing["DIN"].key]
    assert [(b.page, b.block.role if b.block else None) for b in din] == [
        ("a", "highlight"),
        ("a", "annotation"),
    ]
    t2 = graph.backlinks[missing["t2"].key]
    # From a.md's tags:: (no block) and from b.md's block.
    assert [(b.page, b.block is None, b.span.line_start) for b in t2] == [
        ("a", True, 1),
        ("b", False, 1),
    ]


def test_claims_in_effect_are_the_blocks_own_else_the_nearest_ancestors(tmp_path: Path) -> None:
    graph = make_graph(
        tmp_path,
        {
            "pages/a.md": (
                "- claim:: q-claim\n"
                "  > quote\n"
                "  - 📝 inherits\n"
                "    - 📝 inherits from two levels up\n"
                "  - 📝 own\n"
                "    claim:: own-claim\n"
                "- 📝 nothing above\n"
            )
        },
    )
    note = graph.notes[0].note
    assert note is not None
    effective = {
        b.span.line_start: [c.claim_id for c in graph.claims_for("a", b)] for b in note.walk()
    }
    assert effective == {1: ["q-claim"], 3: ["q-claim"], 4: ["q-claim"], 5: ["own-claim"], 7: []}
    assert graph.claims["own-claim"].span.line_start == 6
    assert [d.span.line_start for d in annotation_diagnostics(graph)] == [7]


def test_duplicate_claim_ids_are_errors_naming_both_places(tmp_path: Path) -> None:
    graph = make_graph(
        tmp_path,
        {
            "pages/a.md": "- x\n  claim:: same\n",
            "pages/b.md": "- x\n- claim:: other, same\n  > two\n",
        },
    )
    dups = [d for d in graph.diagnostics if d.code is Code.DUPLICATE_CLAIM]
    assert [str(d.span) for d in dups] == ["notes/pages/a.md:2", "notes/pages/b.md:2"]
    assert "notes/pages/b.md:2" in dups[0].message
    assert "notes/pages/a.md:2" in dups[1].message
    assert all(d.severity == "error" for d in dups)
    assert graph.claims["same"].span.path == "notes/pages/a.md"


def test_block_references(tmp_path: Path) -> None:
    uuid = "64a0c0de-0000-4000-8000-000000000001"
    other = "64a0c0de-0000-4000-8000-00000000ffff"
    graph = make_graph(
        tmp_path,
        {
            "pages/a.md": f"- target\n  id:: {uuid}\n",
            "pages/b.md": f"- see (({uuid.upper()}))\n- and (({other}))\n",
        },
    )
    assert graph.blocks[uuid].block.text == "target"
    (unknown,) = [d for d in graph.diagnostics if d.code is Code.UNKNOWN_BLOCK_REF]
    assert str(unknown.span) == "notes/pages/b.md:2"


def test_two_files_with_one_page_name_warn_at_both(tmp_path: Path) -> None:
    graph = make_graph(
        tmp_path, {"pages/a.md": "title:: Same\n\n- x\n", "pages/b.md": "title:: same\n\n- y\n"}
    )
    dups = [d for d in graph.diagnostics if d.code is Code.DUPLICATE_PAGE]
    assert sorted(d.span.path for d in dups) == ["notes/pages/a.md", "notes/pages/b.md"]
    assert len(graph.notes) == 1


def test_a_note_whose_name_is_taken_is_still_checked(tmp_path: Path) -> None:
    # b.md gets no page (a.md has the name), but nothing in it goes unreported.
    graph = make_graph(
        tmp_path,
        {
            "pages/a.md": "title:: Same\n\n- a\n  claim:: c1\n",
            "pages/b.md": b"title:: same\n\n- b\xff\n  claim:: c1\n- bad\n  claim:: BAD\n"
            b"- ((64a0c0de-0000-4000-8000-00000000ffff))\n",
        },
    )
    found = sorted((str(d.span), d.code) for d in graph.diagnostics)
    assert found == [
        ("notes/pages/a.md:1", Code.DUPLICATE_PAGE),
        ("notes/pages/a.md:4", Code.DUPLICATE_CLAIM),
        ("notes/pages/b.md:1", Code.DUPLICATE_PAGE),
        ("notes/pages/b.md:3", Code.NOT_UTF8),
        ("notes/pages/b.md:4", Code.DUPLICATE_CLAIM),
        ("notes/pages/b.md:6", Code.BAD_CLAIM_ID),
        ("notes/pages/b.md:7", Code.UNKNOWN_BLOCK_REF),
    ]
    assert [p.note.path for p in graph.notes] == ["notes/pages/a.md"]  # type: ignore[union-attr]
    # The shown page's blocks get none of the hidden note's claims.
    (shown,) = graph.notes
    assert shown.note is not None
    in_effect = [graph.claims_for(shown.key, b) for b in shown.note.walk()]
    assert [[c.claim_id for c in sites] for sites in in_effect] == [["c1"]]


def test_journals_are_titled_by_the_graph_config(tmp_path: Path) -> None:
    graph = make_graph(
        tmp_path,
        {
            "logseq/config.edn": '{:journal/page-title-format "yyyy-MM-dd"}\n',
            "journals/2024_01_02.md": "- [[x]]\n",
        },
    )
    (journal,) = graph.notes
    assert (journal.name, journal.kind, journal.src_uri) == (
        "2024-01-02",
        "journal",
        "journals/2024-01-02.md",
    )


def test_bad_files_are_errors_and_the_rest_is_read(tmp_path: Path) -> None:
    notes = tmp_path / "notes" / "pages"
    graph_files: dict[str, str | bytes] = {
        "pages/good.md": "- fine\n",
        "pages/gbk.md": "- 第一行\n".encode() + "- 第二行\n".encode("gbk"),
    }
    notes.mkdir(parents=True)
    os.symlink(tmp_path / "vanished.md", notes / "gone.md")
    graph = make_graph(tmp_path, graph_files)
    assert [p.name for p in graph.notes] == ["gbk", "good"]
    by_code = {d.code: d for d in graph.diagnostics}
    not_utf8 = by_code[Code.NOT_UTF8]
    assert str(not_utf8.span) == "notes/pages/gbk.md:2"
    assert "save the file as UTF-8" in not_utf8.message
    unreadable = by_code[Code.UNREADABLE]
    assert str(unreadable.span) == "notes/pages/gone.md:1"
    assert {not_utf8.severity, unreadable.severity} == {"error"}


@pytest.mark.skipif(not (REPO / "notes" / "pages").is_dir(), reason="needs the repository's notes")
def test_the_seed_graph(tmp_path: Path) -> None:
    graph = build_graph(REPO / "notes", REPO)
    (seed,) = graph.notes
    assert seed.name.startswith("【Reading Highlights】深度 ctr")
    missing = sorted(p.name for p in graph.pages.values() if p.kind == "missing")
    assert missing == sorted(
        ["DIN", "预训练模型", "简悦", "特征工程", "embedding", "reading_highlights"]
    )
    din = graph.resolve("DIN")
    assert din is not None
    assert [b.block.text for b in graph.backlinks[din.key] if b.block] == ["+[[DIN]]"]
    assert [d for d in graph.diagnostics if d.severity == "error"] == []


def test_check_refuses_a_folder_that_holds_no_graph(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from notegen.cli import main

    (tmp_path / "notes" / "pages").mkdir(parents=True)
    (tmp_path / "notes" / "pages" / "a.md").write_text("- x\n  claim:: BAD\n", encoding="utf-8")
    # Given pages/ itself, nothing would be read: say so, name the graph, fail.
    assert main(["check", "--root", str(tmp_path), "--notes", "notes/pages"]) == 2
    err = capsys.readouterr().err
    assert "notes folder 'notes/pages' has no pages/ or journals/ folder" in err
    assert "(here 'notes': pages/ is a folder of the graph)" in err
    assert main(["check", "--root", str(tmp_path), "--notes", "notes"]) == 1  # the bad id
    capsys.readouterr()
