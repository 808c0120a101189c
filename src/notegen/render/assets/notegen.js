/* notegen: a sortable, filterable claims table. No dependencies, no requests.
   Tables inside an element with class "ng-sortable" sort when a column header is
   clicked (or activated with Enter/Space); a filter box above the table keeps
   the rows that hold its text; the verdict counts (".ng-counts [data-verdict]",
   each the number of rows with that verdict) toggle a filter on that verdict. */
(function () {
  "use strict";

  function cellText(row, i) {
    var cell = row.cells[i];
    if (!cell) return "";
    return (cell.getAttribute("data-sort") || cell.textContent || "").trim();
  }

  function number(text) {
    // Numbers as notegen writes them: a Unicode minus, "…" ranges left aside.
    var m = /^[−+-]?\d+(\.\d+)?/.exec(text.replace("−", "-"));
    return m && m[0].length === text.replace("−", "-").length ? parseFloat(m[0]) : NaN;
  }

  function compare(a, b) {
    var x = number(a), y = number(b);
    if (!isNaN(x) && !isNaN(y)) return x - y;
    return a.localeCompare(b, undefined, { numeric: true, sensitivity: "base" });
  }

  function makeSortable(table) {
    var head = table.tHead;
    if (!head || !head.rows.length || table.getAttribute("data-ng-sortable")) return;
    table.setAttribute("data-ng-sortable", "1");
    var headers = Array.prototype.slice.call(head.rows[0].cells);
    headers.forEach(function (th, i) {
      th.classList.add("ng-sort");
      th.tabIndex = 0;
      th.title = "Sort by this column";
      function sort() {
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        headers.forEach(function (other) { other.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          return compare(cellText(a, i), cellText(b, i)) * (ascending ? 1 : -1);
        });
        rows.forEach(function (row) { body.appendChild(row); });
      }
      th.addEventListener("click", sort);
      th.addEventListener("keydown", function (event) {
        if (event.key === "Enter" || event.key === " ") {
          event.preventDefault();
          sort();
        }
      });
    });
  }

  function addFilter(container, table) {
    if (container.querySelector(".ng-filter")) return;
    var input = document.createElement("input");
    input.type = "search";
    input.className = "ng-filter";
    input.placeholder = "Filter: claim, note, experiment, summary…";
    input.setAttribute("aria-label", "Filter the table");
    container.insertBefore(input, container.firstChild);
    var state = { text: "", verdict: null };
    var counts = Array.prototype.slice.call(document.querySelectorAll(".ng-counts [data-verdict]"));

    function apply() {
      Array.prototype.forEach.call(table.tBodies[0].rows, function (row) {
        var text = (row.textContent || "").toLowerCase();
        var badge = row.querySelector("[data-verdict]");
        var verdict = badge ? badge.getAttribute("data-verdict") : null;
        row.hidden = !((!state.text || text.indexOf(state.text) >= 0) &&
                       (!state.verdict || verdict === state.verdict));
      });
    }

    input.addEventListener("input", function () {
      state.text = input.value.trim().toLowerCase();
      apply();
    });
    counts.forEach(function (count) {
      count.setAttribute("role", "button");
      count.setAttribute("aria-pressed", "false");
      count.tabIndex = 0;
      count.title = "Show only these rows (again: show all)";
      function toggle() {
        var verdict = count.getAttribute("data-verdict");
        state.verdict = state.verdict === verdict ? null : verdict;
        counts.forEach(function (other) {
          other.setAttribute("aria-pressed", String(other.getAttribute("data-verdict") === state.verdict));
        });
        apply();
      }
      count.addEventListener("click", toggle);
      count.addEventListener("keydown", function (event) {
        if (event.key === "Enter" || event.key === " ") {
          event.preventDefault();
          toggle();
        }
      });
    });
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll(".ng-sortable"), function (container) {
      var table = container.querySelector("table");
      if (table && table.tBodies.length) {
        makeSortable(table);
        addFilter(container, table);
      }
    });
  }

  // Material's instant navigation swaps pages without reloading: run on each.
  if (typeof window.document$ !== "undefined" && window.document$.subscribe) {
    window.document$.subscribe(init);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
