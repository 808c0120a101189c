#!/usr/bin/env node
// Logseq's own parser (mldoc), called exactly as Logseq calls it, reduced to
// what notegen's parser is compared on: the top-level nodes with their
// positions (in characters, not bytes), heading levels and property groups.
//
// Input on stdin: a JSON array of documents (strings).
// Output on stdout: a JSON array with, for each document:
//   {nodes: [[type, start, end, extra], ...], page: {...}}
// nodes: mldoc's top-level nodes; extra is {level, unordered, size} for
//   "Heading", {properties: [[key, value], ...]} for "Property_Drawer", and {}
//   otherwise.
// page: the blocks Logseq's graph parser makes of them (a port of
//   logseq.graph-parser.block/extract-blocks and with-parent-and-left, and of
//   the reference collection in with-page-refs/with-block-refs):
//   {properties: [[key, value], ...] | null,
//    blocks: [{start, parent, pre, properties, pages, comma_pages, block_refs}, ...]}
//   where parent is the index of the parent block or -1 for the page, and
//   comma_pages are the pages named by the plain text of tags:: and alias::.
// Offsets count Unicode code points, as Python's str does.
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
  return { nodes, page: extractPage(text, ast, index) };
}

// --- a port of Logseq's graph parser (file graphs) ---------------------------

const UUID_RE = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const isPropertiesAst = (node) => node[0] === "Property_Drawer" || node[0] === "Properties";

// logseq.graph-parser.mldoc/collect-page-properties: directives (front matter)
// become one Properties node in front.
function collectPageProperties(ast) {
  const directives = ast.filter(([node]) => node[0].toLowerCase() === "directive");
  if (!directives.length) return ast;
  const others = ast.filter(([node]) => node[0].toLowerCase() !== "directive");
  const props = directives.map(([node]) => [node[1], node[2], []]);
  return [[["Properties", props], null], ...others];
}

// text/page-ref-un-brackets!: "[[x]]" -> "x"
function unBrackets(s) {
  const m = /^\[\[(.*)\]\]$/s.exec(s);
  return m ? m[1] : s;
}

function getTag(node) {
  if (!Array.isArray(node) || node[0] !== "Tag") return null;
  return node[1]
    .map(([elem, value]) =>
      elem === "Plain" ? value : elem === "Link" ? value.full_text : elem === "Nested_link" ? value.content : ""
    )
    .join("");
}

function pageReference(node) {
  if (!Array.isArray(node)) return null;
  if (node[0] === "Link") {
    const [typ, value] = node[1].url;
    if (typ === "Page_ref" && typeof value === "string") return value;
    if (typ === "Search" && /^\[\[.*\]\]$/s.test(value)) return unBrackets(value);
    return null;
  }
  if (node[0] === "Nested_link") {
    const content = node[1].content;
    return content.slice(2, content.length - 2);
  }
  if (node[0] === "Macro") {
    if (node[1].name !== "embed") return null;
    const arg = unBrackets(node[1].arguments.join(", "));
    // get-page-reference passes "((uuid))" through get-block-ref-id: it is the
    // block reference that blockReference records, not a page.
    if (/^\(\(.*\)\)$/s.test(arg)) return null;
    return arg;
  }
  if (node[0] === "Tag") return unBrackets(getTag(node));
  return null;
}

function blockReference(node) {
  if (!Array.isArray(node)) return null;
  let id = null;
  if (node[0] === "Block_reference") id = node[node.length - 1];
  else if (node[0] === "Link" && node[1] && node[1].url && node[1].url[0] === "Block_ref") id = node[1].url[1];
  else if (node[0] === "Macro" && node[1].name === "embed") {
    const a = node[1].arguments[0];
    if (typeof a === "string" && a.startsWith("((") && a.endsWith("))")) id = a.slice(2, a.length - 2);
  }
  return typeof id === "string" && UUID_RE.test(id) ? id : null;
}

// clojure.walk/prewalk over the AST, skipping custom queries.
function collectRefs(forms, pages, blocks) {
  const visit = (form) => {
    if (Array.isArray(form)) {
      if (form[0] === "Custom" && form[1] === "query") return;
      const page = pageReference(form);
      if (page !== null && page.trim() !== "") pages.add(UUID_RE.test(page) ? page : page);
      const block = blockReference(form);
      if (block !== null) blocks.add(block);
      form.forEach(visit);
    } else if (form && typeof form === "object") {
      Object.values(form).forEach(visit);
    }
  };
  forms.forEach(visit);
}

function propertyRefs(props, pages) {
  for (const [, , refs] of props || []) {
    if (Array.isArray(refs)) collectRefs(refs, pages, new Set());
  }
}

// logseq.graph-parser.text/parse-property for tags:: and alias:: (the keys
// separated-by-commas? knows without a config): besides the refs above, the
// Plain pieces of the value's first paragraph, split by sep-by-comma at
// [,|，] (extract-refs-by-commas); a value wrapped in quotes is text.
const COMMA_KEYS = new Set(["tags", "alias"]);
function commaRefs(props) {
  const names = [];
  for (const [key, value] of props || []) {
    if (!COMMA_KEYS.has(key.toLowerCase())) continue;
    const v = String(value).trim();
    if (v.length >= 2 && v.startsWith('"') && v.endsWith('"')) continue;
    const first = JSON.parse(Mldoc.parseJson(v, CONFIG))[0];
    const inline = first && Array.isArray(first[0][1]) ? first[0][1] : [];
    for (const node of inline) {
      if (!Array.isArray(node) || node[0] !== "Plain") continue;
      for (const piece of node[1].split(/[,|，]/)) {
        if (piece.trim() !== "") names.push(piece.trim());
      }
    }
  }
  return names;
}

function extractPage(text, rawAst, index) {
  if (text.trim() === "") return { properties: null, blocks: [] };
  const ast = collectPageProperties(rawAst);
  const first = ast[0] && ast[0][0];
  const pageProperties = first && isPropertiesAst(first) ? first[1].map((p) => [p[0], p[1]]) : null;

  // extract-blocks: walk the AST backwards; a heading takes the properties
  // and body seen since the previous (later) heading.
  const blocks = [];
  let properties = null;
  let body = [];
  for (let i = ast.length - 1; i >= 0; i--) {
    const [node, pos] = ast[i];
    if (isPropertiesAst(node)) {
      properties = node[1];
    } else if (node[0] === "Heading") {
      const h = node[1];
      const pages = new Set();
      const brefs = new Set();
      collectRefs([h.title, ...body], pages, brefs);
      propertyRefs(properties, pages);
      const comma = commaRefs(properties);
      comma.forEach((name) => pages.add(name));
      blocks.unshift({
        start: index(pos.start_pos),
        level: h.unordered ? h.level : 1,
        pre: false,
        properties: (properties || []).map((p) => [p[0], p[1]]),
        pages: [...pages],
        comma_pages: comma,
        block_refs: [...brefs],
      });
      properties = null;
      body = [];
    } else {
      body.unshift(node);
    }
  }
  const firstStart = blocks.length ? blocks[0].start : null;
  if (!blocks.length || firstStart > 0) {
    const pages = new Set();
    const brefs = new Set();
    collectRefs(body, pages, brefs);
    propertyRefs(properties, pages);
    const comma = commaRefs(properties);
    comma.forEach((name) => pages.add(name));
    blocks.unshift({
      start: 0,
      level: 1,
      pre: true,
      properties: (properties || []).map((p) => [p[0], p[1]]),
      pages: [...pages],
      comma_pages: comma,
      block_refs: [...brefs],
    });
  }
  withParentAndLeft(blocks);
  for (const b of blocks) delete b.level;
  return { properties: pageProperties, blocks };
}

// logseq.graph-parser.block/with-parent-and-left, on block indices.
function withParentAndLeft(blocks) {
  const PAGE = -1;
  let parents = [{ idx: PAGE, spaces: 0, parent: PAGE }];
  let i = 0;
  while (i < blocks.length) {
    const block = blocks[i];
    const spaces = block.spacesOverride !== undefined ? block.spacesOverride : block.level;
    const last = parents[parents.length - 1];
    if (spaces === last.spaces) {
      block.parent = last.parent;
      parents = [...parents.slice(0, -1), { idx: i, spaces, parent: last.parent }];
      i++;
    } else if (spaces > last.spaces) {
      block.parent = last.idx;
      parents = [...parents, { idx: i, spaces, parent: last.idx }];
      i++;
    } else if (parents.some((p) => p.spaces === spaces)) {
      parents = parents.filter((p) => p.spaces <= spaces);
    } else {
      let cut = 0;
      while (cut < parents.length && parents[cut].spaces <= spaces) cut++;
      const f = parents.slice(0, cut);
      const left = parents[cut];
      const parentId = f[f.length - 1].idx;
      block.parent = parentId;
      parents = [...f, { idx: i, spaces: left.spaces, parent: parentId }];
      i++;
    }
  }
  for (const b of blocks) delete b.spacesOverride;
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
