"""Random Logseq-like pages, for comparing the parser with mldoc and for hypothesis."""

from __future__ import annotations

import random

INDENTS = ["", "", "", "  ", "    ", "\t", "\t\t", " ", "   ", "  \t", "\t  "]
TEXT = [
    "text", "more words here", "x", "中文内容", "[[page]] ref", "#tag word", "a:: b", "k::v",
    ":: novalue", "**bold**", "`code`", "end ```", "$x$", "a - b", "-not", "--", "1 apple",
    "2020 year", "#[[multi word]] tag", "((6571a6b5-52a4-4bbc-9e5a-b0f4c3e1a2f0))",
    "[[a [[nested]] link]]", "[label]([[target]])", "see https://x.com/#frag", "{{embed [[e]]}}",
    "`[[in code]]`", "[[unclosed", "emoji 📝 text", "tags:: [[x]], y",
    "**bold #tag** _it #t_", "a*#t #x_y_", "[label #t [[p]]](https://x.com)",
    "x((6571a6b5-52a4-4bbc-9e5a-b0f4c3e1a2f0))", "https://x.com/a)#t", "~~s #t~~ ==h [[p]]==",
]  # fmt: skip
AFTER_BULLET = [
    "```", "```js", "$$", "$$ x $$", ":LOGBOOK:", "<div>", "#+BEGIN_QUOTE", "> q", "k:: v",
    "collapsed:: true", "[^1]: foot note", "| a |", "1. x", "* x", "TODO x", "DONE [#A] x",
    "\\begin{eq}", "id:: 1", "> quote with [[ref]] #tag",
]  # fmt: skip


def _fragment(r: random.Random) -> str:
    ind = r.choice(INDENTS)
    k = r.randrange(40)
    if k < 6:
        return ind + "- " + r.choice(TEXT)
    if k < 8:
        return ind + "- " + r.choice(AFTER_BULLET)
    if k < 9:
        return ind + "-"
    if k < 10:
        return ind + "- "
    if k < 13:
        return ind + r.choice(TEXT)
    if k < 14:
        return r.choice(TEXT)
    if k < 17:
        key = r.choice(["k", "Key_A", "id", "collapsed", "tags", "a-b", "alias"])
        value = r.choice(["v", "true", "[[x]], y", "", "http://a.b/c", "#t, [[u v]]", '"q [[n]]"'])
        return f"{ind}{key}:: {value}"
    if k < 18:
        return ind + r.choice(["k::", "empty::", ":: v", "a b:: c"])
    if k < 20:
        return ind + r.choice(["```", "```python", "~~~", "````"])
    if k < 22:
        return ind + r.choice(["> ", ">", "- > "]) + r.choice(TEXT)
    if k < 24:
        return ind + r.choice(["* ", "+ ", "1. ", "2. ", "10. ", "* [ ] "]) + r.choice(TEXT)
    if k < 25:
        return ind + r.choice(["| a | b |", "|---|---|", "| x"])
    if k < 26:
        return ind + r.choice([":LOGBOOK:", ":END:", ":PROPERTIES:", ":foo: x", ":end:", ":k: v"])
    if k < 27:
        return ind + r.choice(["<div>", "</div>", "<span>a</span> - x", "<!-- c", "-->", "<br />"])
    if k < 28:
        return ind + r.choice(["$$", "$$ x $$", "a $$"])
    if k < 29:
        return ind + r.choice(
            ["#+BEGIN_QUOTE", "#+END_QUOTE", "#+begin_src", "#+end_src", "#+title: t"]
        )
    if k < 31:
        return ind + r.choice(["# ", "## ", "#", "- # ", "- ## "]) + r.choice(TEXT)
    if k < 32:
        return ind + r.choice(["[^1]: note text", "[^a]: x"])
    if k < 33:
        return ind + r.choice(["---", "***", "- ---"])
    if k < 36:
        return ""
    if k < 37:
        return ind + " "
    if k < 38:
        return ind + r.choice(["\\begin{eq}", "\\end{eq}"])
    return ind + "- " + r.choice(TEXT)


def random_page(r: random.Random, max_lines: int = 12) -> str:
    """A random page mixing bullets, properties, code, quotes, lists and more."""
    lines = [_fragment(r) for _ in range(r.randrange(1, max_lines))]
    eol = "\r\n" if r.random() < 0.1 else "\n"
    text = eol.join(lines)
    if r.random() < 0.5:
        text += eol
    if r.random() < 0.05:
        text = "---\ntitle: T\n---\n" + text
    return text


def random_pages(seed: int, count: int) -> list[str]:
    r = random.Random(seed)
    return [random_page(r) for _ in range(count)]
