#!/usr/bin/env node
// Logseq's own parser (mldoc), called exactly as Logseq calls it, reduced to
// what notegen's parser is compared on: the top-level nodes with their
// positions (in characters, not bytes), heading levels and property groups.
//
// Input on stdin: a JSON array of documents (strings).
// Output on stdout: a JSON array with, for each document, a list of nodes
//   [type, start, end, extra]
// where extra is {level, unordered, size} for "Heading",
// {properties: [[key, value], ...]} for "Property_Drawer" / "Properties",
// and {} otherwise. Offsets count Unicode code points, as Python's str does.
"use strict";

const path = require("path");
let Mldoc;
try {
  ({ Mldoc } = require(path.join(__dirname, "node_modules", "mldoc")));
} catch (e) {
  process.stderr.write(
    "mldoc is not installed: run `npm ci --prefix tests/mldoc`\n" + e.message + "\n"
  );
  process.exit(3);
}

const CONFIG = JSON.stringify({
  toc: false,
  parse_outline_only: false,
  heading_number: false,
  keep_line_break: true,
  format: "Markdown",
  heading_to_list: false,
  export_md_remove_options: [],
});

// mldoc reports UTF-8 byte offsets; map them to code point offsets.
function byteToIndex(text) {
  const map = new Map();
  let bytes = 0;
  let points = 0;
  for (const ch of text) {
    map.set(bytes, points);
    bytes += Buffer.byteLength(ch, "utf8");
    points += 1;
  }
  map.set(bytes, points);
  return (b) => (map.has(b) ? map.get(b) : -1);
}

function outline(text) {
  const ast = JSON.parse(Mldoc.parseJson(text, CONFIG));
  const index = byteToIndex(text);
  const nodes = [];
  for (const [node, pos] of ast) {
    const type = node[0];
    const start = pos ? index(pos.start_pos) : -1;
    const end = pos ? index(pos.end_pos) : -1;
    let extra = {};
    if (type === "Heading") {
      extra = { level: node[1].level, unordered: node[1].unordered, size: node[1].size };
    } else if (type === "Property_Drawer" || type === "Properties") {
      extra = { properties: node[1].map((p) => [p[0], p[1]]) };
    } else if (type === "Directive") {
      extra = { properties: [[node[1], node[2]]] };
    }
    nodes.push([type, start, end, extra]);
  }
  return nodes;
}

let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", () => {
  const docs = JSON.parse(input);
  const out = docs.map((text) => {
    try {
      return outline(text);
    } catch (e) {
      return { error: String(e && e.message ? e.message : e) };
    }
  });
  process.stdout.write(JSON.stringify(out));
});
