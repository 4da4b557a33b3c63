/* reporter: the leaderboard, drawn from its rows' JSON; works on direct loads and with
   Material's instant navigation. Independent of plotly.js, so the rows never wait for it. */
(function () {
  "use strict";

  /* ---------- leaderboard ---------- */

  var PAGE_SIZE = 100;

  /* A metric in its column's format: the declared kind (decimal, percent of a fraction,
     integer) with the column's fixed decimals, thousands separated (reporter/pages/numbers.py). */
  function formatNumber(v, column) {
    if (v === null || v === undefined) return "—";
    if (!isFinite(v)) return isNaN(v) ? "NaN" : (v > 0 ? "∞" : "-∞");
    var decimals = column.decimals === undefined ? 4 : column.decimals;
    var fixed = function (x, d) {
      return x.toLocaleString("en-US", { minimumFractionDigits: d, maximumFractionDigits: d });
    };
    if (column.format === "integer") return fixed(Math.round(v), 0);
    if (column.format === "percent") return fixed(v * 100, decimals) + "%";
    return fixed(v, decimals);
  }

  /* A metric name that may wrap after _ @ = / . in a narrow header (never inside a number). */
  function breakable(node, text) {
    text.split(/(?<=[_@=\/])|(?<=\.)(?!\d)/).forEach(function (part, i) {
      if (i) node.appendChild(document.createElement("wbr"));
      node.appendChild(document.createTextNode(part));
    });
    return node;
  }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function Leaderboard(root) {
    this.root = root;
    this.columns = JSON.parse(root.getAttribute("data-columns"));
    this.rows = JSON.parse(root.getAttribute("data-rows"));
    this.rows.forEach(function (r) {
      r._text = [r.name, r.id, r.experiment, r.status].concat(r.tags).join(" ").toLowerCase();
    });
    var primary = root.getAttribute("data-sort");
    var first = this.columns.findIndex(function (c) { return c.key === primary; });
    this.sortKey = first >= 0 ? "m" + first : "created";
    this.sortDesc = first >= 0 ? !this.columns[first].lower : true;
    this.filter = "";
    this.limit = PAGE_SIZE;
    this.comparisons = JSON.parse(root.getAttribute("data-comparisons") || "[]");
    this.selected = {};
    this.build();
    this.render();
  }

  Leaderboard.prototype.headers = function () {
    var heads = [
      { key: "name", label: "Run" },
      { key: "experiment", label: "Experiment", secondary: true },
      { key: "created", label: "Created", secondary: true },
      { key: "status", label: "Status" },
      { key: "tags", label: "Tags", secondary: true },
    ];
    this.columns.forEach(function (c, i) {
      if (c.visible) heads.push({ key: "m" + i, label: c.key, numeric: true, lower: c.lower, title: c.title });
    });
    return heads;
  };

  Leaderboard.prototype.build = function () {
    var self = this;
    this.root.innerHTML = "";
    var bar = el("div", { class: "reporter-toolbar" });
    var input = el("input", { type: "search", placeholder: "Filter runs…", "aria-label": "Filter runs" });
    input.addEventListener("input", function () {
      self.filter = input.value.trim().toLowerCase();
      self.limit = PAGE_SIZE;
      self.render();
    });
    this.count = el("span", { class: "reporter-count", "aria-live": "polite" });
    bar.appendChild(input);
    bar.appendChild(this.count);
    bar.appendChild(this.columnPicker());
    this.root.appendChild(bar);
    this.selectionBar = el("div", { class: "reporter-selection", hidden: "" });
    this.root.appendChild(this.selectionBar);
    /* a focusable region: the table scrolls sideways in it, Run pinned (reporter.css) */
    var wrap = el("div", { class: "reporter-table-wrap", role: "region", tabindex: "0", "aria-label": "Leaderboard" });
    var table = el("table", { class: "reporter-table reporter-sortable" });
    var tr = el("tr");
    this.headerCells(tr);
    var thead = el("thead");
    thead.appendChild(tr);
    table.appendChild(thead);
    this.tbody = el("tbody");
    table.appendChild(this.tbody);
    wrap.appendChild(table);
    this.root.appendChild(wrap);
    this.thead = thead;
    this.more = el("button", { class: "md-button reporter-more", type: "button" }, "Show more");
    this.more.addEventListener("click", function () { self.limit += PAGE_SIZE * 5; self.render(); });
    this.root.appendChild(this.more);
  };

  /* Header cells carry aria-sort; the sort control inside each is a real button. */
  Leaderboard.prototype.headerCells = function (tr) {
    var self = this;
    var pick = el("th", { class: "reporter-pick", scope: "col", title: "tick runs to compare them" });
    pick.appendChild(el("span", { "aria-hidden": "true" }, "✓"));
    pick.appendChild(el("span", { class: "reporter-sr-only" }, "Select"));
    tr.appendChild(pick);
    this.headers().forEach(function (h) {
      var classes = [h.numeric ? "num" : "", h.secondary ? "reporter-secondary" : ""].join(" ").trim();
      var th = el("th", { "data-key": h.key, scope: "col" });
      if (classes) th.className = classes;
      var tip = h.numeric ? (h.title || (h.lower ? "lower is better" : "higher is better")) : "sort by " + h.label.toLowerCase();
      var button = breakable(el("button", { type: "button", class: "reporter-sort", title: tip }), h.label);
      button.addEventListener("click", function () {
        if (self.sortKey === h.key) self.sortDesc = !self.sortDesc;
        else { self.sortKey = h.key; self.sortDesc = h.numeric ? !h.lower : false; }
        self.render();
      });
      th.appendChild(button);
      tr.appendChild(th);
    });
  };

  Leaderboard.prototype.columnPicker = function () {
    var self = this;
    var details = el("div", { class: "reporter-columns" });
    var toggle = el("button", { type: "button", "aria-expanded": "false", "aria-controls": "" }, "Columns ▾");
    details.appendChild(toggle);
    var list = el("div", { class: "reporter-columns__list", role: "group", "aria-label": "Metric columns shown" });
    list.id = "reporter-columns-" + Math.random().toString(36).slice(2, 9);
    toggle.setAttribute("aria-controls", list.id);
    list.hidden = true;
    var open = function (yes) {
      list.hidden = !yes;
      toggle.setAttribute("aria-expanded", String(yes));
    };
    toggle.addEventListener("click", function () { open(list.hidden); });
    /* Escape closes the menu and gives focus back to its button; so does a click elsewhere */
    details.addEventListener("keydown", function (e) {
      if (e.key === "Escape" && !list.hidden) { e.preventDefault(); open(false); toggle.focus(); }
    });
    document.addEventListener("click", function (e) {
      if (!list.hidden && !details.contains(e.target)) open(false);
    });
    this.columns.forEach(function (c) {
      var label = el("label");
      var box = el("input", { type: "checkbox" });
      box.checked = !!c.visible;
      box.addEventListener("change", function () {
        c.visible = box.checked;
        self.rebuildTable();
      });
      label.appendChild(box);
      label.appendChild(document.createTextNode(" " + c.key));
      list.appendChild(label);
    });
    details.appendChild(list);
    return details;
  };

  Leaderboard.prototype.rebuildTable = function () {
    var keep = this.headers().some(function (h) { return h.key === this.sortKey; }, this);
    if (!keep) { this.sortKey = "created"; this.sortDesc = true; }
    var tr = this.thead.querySelector("tr");
    tr.innerHTML = "";
    this.headerCells(tr);
    this.render();
  };

  Leaderboard.prototype.value = function (row, key) {
    if (key.charAt(0) === "m" && /^m\d+$/.test(key)) return row.metrics[Number(key.slice(1))];
    if (key === "tags") return row.tags.join(", ");
    return row[key];
  };

  Leaderboard.prototype.sorted = function () {
    var self = this, key = this.sortKey, dir = this.sortDesc ? -1 : 1;
    var rows = this.filter ? this.rows.filter(function (r) { return r._text.indexOf(self.filter) >= 0; }) : this.rows.slice();
    return rows.sort(function (a, b) {
      var va = self.value(a, key), vb = self.value(b, key);
      var ea = va === null || va === undefined || va === "", eb = vb === null || vb === undefined || vb === "";
      if (ea || eb) return ea === eb ? (a.id < b.id ? -1 : 1) : (ea ? 1 : -1);
      if (va < vb) return -dir;
      if (va > vb) return dir;
      return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
    });
  };

  Leaderboard.prototype.render = function () {
    var self = this;
    var rows = this.sorted();
    var sortedBy = "";
    Array.prototype.forEach.call(this.thead.querySelectorAll("th[data-key]"), function (th) {
      var active = th.getAttribute("data-key") === self.sortKey;
      th.setAttribute("aria-sort", active ? (self.sortDesc ? "descending" : "ascending") : "none");
      if (active) sortedBy = th.textContent;
    });
    var body = document.createDocumentFragment();
    rows.slice(0, this.limit).forEach(function (r) {
      var tr = el("tr");
      var pick = el("td", { class: "reporter-pick" });
      var box = el("input", { type: "checkbox", "aria-label": "select " + r.id });
      box.checked = !!self.selected[r.id];
      box.addEventListener("change", function () {
        if (box.checked) self.selected[r.id] = r; else delete self.selected[r.id];
        self.renderSelection();
      });
      pick.appendChild(box);
      tr.appendChild(pick);
      var name = el("td");
      name.appendChild(el("a", { href: r.url }, r.name));
      name.appendChild(el("br"));
      name.appendChild(runId(r.id));
      tr.appendChild(name);
      var exp = el("td", { class: "reporter-secondary" });
      exp.appendChild(el("a", { href: r.experiment_url }, r.experiment));
      tr.appendChild(exp);
      tr.appendChild(el("td", { class: "reporter-date-cell reporter-secondary" }, r.created));
      var status = el("td");
      if (r.status) status.appendChild(el("span", { class: "reporter-status reporter-status--" + r.status.toLowerCase().replace(/\s+/g, "-") }, r.status));
      tr.appendChild(status);
      var tags = el("td", { class: "reporter-secondary" });
      r.tags.forEach(function (t) { tags.appendChild(el("span", { class: "reporter-tag" }, t)); tags.appendChild(document.createTextNode(" ")); });
      tr.appendChild(tags);
      self.columns.forEach(function (c, i) {
        if (!c.visible) return;
        var v = r.metrics[i];
        var best = v !== null && v !== undefined && v === c.best && r.ranked !== false;
        var cell = el("td", { class: best ? "num reporter-best" : "num" }, formatNumber(v, c));
        if (best) cell.title = "best " + c.key;
        tr.appendChild(cell);
      });
      body.appendChild(tr);
    });
    this.tbody.innerHTML = "";
    this.tbody.appendChild(body);
    var direction = this.sortDesc ? "descending" : "ascending";
    this.count.textContent = (rows.length === this.rows.length
      ? rows.length + " runs" : rows.length + " of " + this.rows.length + " runs") +
      (sortedBy ? ", sorted by " + sortedBy + " (" + direction + ")" : "");
    this.more.hidden = rows.length <= this.limit;
  };

  Leaderboard.prototype.renderSelection = function () {
    var self = this;
    var rows = Object.keys(this.selected).sort().map(function (id) { return self.selected[id]; });
    var bar = this.selectionBar;
    bar.innerHTML = "";
    bar.hidden = rows.length === 0;
    if (!rows.length) return;
    bar.appendChild(el("strong", {}, rows.length + " selected"));
    var common = this.comparisons.map(function (c, i) { return i; }).filter(function (i) {
      return rows.every(function (r) { return r.compare.indexOf(i) >= 0; });
    });
    var found = el("span", { class: "reporter-selection__found" });
    if (common.length) {
      found.appendChild(document.createTextNode(" · in "));
      common.forEach(function (i, k) {
        if (k) found.appendChild(document.createTextNode(", "));
        found.appendChild(el("a", { href: self.comparisons[i].url }, self.comparisons[i].title));
      });
    } else {
      found.appendChild(document.createTextNode(" · no comparison holds all of them yet; declare one:"));
    }
    bar.appendChild(found);
    var snippet = "- title: My comparison\n  select:\n    runs: [" +
      rows.map(function (r) { return JSON.stringify(r.id); }).join(", ") + "]";
    var embed = "```reporter\ncompare: [" + rows.map(function (r) { return JSON.stringify(r.id); }).join(", ") +
      "]\nshow: [table, pr_curve]\n```";
    var pre = el("pre", { class: "reporter-selection__snippet" });
    pre.appendChild(el("code", {}, "# comparisons.yaml\n" + snippet + "\n\n# or in a journal entry\n" + embed));
    bar.appendChild(pre);
    var clear = el("button", { type: "button", class: "reporter-toggle-same" }, "clear selection");
    clear.addEventListener("click", function () { self.selected = {}; self.render(); self.renderSelection(); });
    bar.appendChild(clear);
  };

  /* A run id that wraps after a "/", never inside a folder's name. */
  function runId(id) {
    var code = el("code", { class: "reporter-id" });
    id.split("/").forEach(function (part, i, all) {
      if (i) code.appendChild(document.createElement("wbr"));
      code.appendChild(el("span", { class: "reporter-part" }, part + (i < all.length - 1 ? "/" : "")));
    });
    return code;
  }

  function drawLeaderboards(root) {
    Array.prototype.forEach.call(root.querySelectorAll(".reporter-leaderboard:not([data-drawn])"), function (node) {
      node.setAttribute("data-drawn", "1");
      try { new Leaderboard(node); } catch (e) { node.textContent = "The leaderboard could not be drawn: " + e; }
    });
  }


  if (typeof window.document$ !== "undefined" && window.document$.subscribe) {
    window.document$.subscribe(function () { drawLeaderboards(document); });
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { drawLeaderboards(document); });
  } else {
    drawLeaderboards(document);
  }
})();
