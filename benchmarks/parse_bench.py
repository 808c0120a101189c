"""How fast notegen parses a large generated Logseq graph.

Usage: python benchmarks/parse_bench.py [--pages N] [--seed S]

The graph mixes the seed note's shape (highlights with annotations, long
SimpRead links, Chinese text) with random pages of every construct the parser
knows (tests/parse/generate.py), and one very large page. Prints pages/s and
MB/s for parse_page, and the slowest page. Not a test: timings vary by machine.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from notegen.parse import parse_page  # noqa: E402
from tests.parse.generate import random_page  # noqa: E402

SEED = next((ROOT / "notes" / "pages").glob("*Reading Highlights*.md")).read_bytes()


def highlight_page(r: random.Random, highlights: int) -> str:
    lines = ["title:: A generated reading note", "tags:: [[a]], [[b]]", "", ""]
    for i in range(highlights):
        lines.append(
            f"- > 第 {i} 段高亮: "
            + "文本" * r.randrange(20, 200)
            + f"  ([🌐 摘要链接](https://example.com/{i}#:~:text=%E9%A2%84))"
        )
        for _ in range(r.randrange(0, 4)):
            lines.append(f"  - 📝 批注 [[page {r.randrange(50)}]] #tag{r.randrange(9)}")
        lines.append("")
    return "\n".join(lines)


def graph(count: int, seed: int) -> list[bytes]:
    r = random.Random(seed)
    pages: list[bytes] = []
    for i in range(count):
        kind = i % 4
        if kind == 0:
            pages.append(SEED)
        elif kind == 1:
            pages.append(highlight_page(r, r.randrange(5, 40)).encode())
        else:
            pages.append("\n".join(random_page(r, 40) for _ in range(5)).encode())
    pages.append(highlight_page(r, 3000).encode())  # one very large page
    return pages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    pages = graph(args.pages, args.seed)
    size = sum(len(p) for p in pages)
    slowest = (0.0, 0)
    start = time.perf_counter()
    blocks = 0
    for index, data in enumerate(pages):
        t0 = time.perf_counter()
        page = parse_page(data, f"page{index}.md")
        dt = time.perf_counter() - t0
        blocks += sum(1 for _ in page.walk())
        slowest = max(slowest, (dt, index))
    total = time.perf_counter() - start
    print(f"{len(pages)} pages, {size / 1e6:.1f} MB, {blocks} blocks in {total:.2f} s")
    print(f"{len(pages) / total:.0f} pages/s, {size / 1e6 / total:.2f} MB/s")
    dt, index = slowest
    print(f"slowest: page {index} ({len(pages[index]) / 1e3:.0f} kB) in {dt * 1e3:.0f} ms")


if __name__ == "__main__":
    main()
