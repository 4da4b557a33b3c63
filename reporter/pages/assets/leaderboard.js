/* reporter: the leaderboard, drawn from its rows' JSON; works on direct loads and with
   Material's instant navigation. Independent of plotly.js, so the rows never wait for it. */
(function () {
  "use strict";

  /* ---------- leaderboard ---------- */

  var PAGE_SIZE = 100;

  /* A metric in its declared format (decimal, percent of a fraction, integer). */
  function formatNumber(v, format) {
    if (v === null || v === undefined) return "—";
    if (format === "percent") return String(parseFloat((v * 100).toPrecision(3))) + "%";
    if (format === "integer") return Math.round(v).toLocaleString("en-US");
    if (Number.isInteger(v) && Math.abs(v) < 1e15) return v.toLocaleString("en-US");
    return String(parseFloat(v.toPrecision(4)));
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
      { key: "experiment", label: "Experiment" },
      { key: "created", label: "Created" },
      { key: "status", label: "Status" },
      { key: "tags", label: "Tags" },
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
    this.count = el("span", { class: "reporter-count" });
    bar.appendChild(input);
    bar.appendChild(this.count);
    bar.appendChild(this.columnPicker());
    this.root.appendChild(bar);
    this.selectionBar = el("div", { class: "reporter-selection", hidden: "" });
    this.root.appendChild(this.selectionBar);
    var wrap = el("div", { class: "reporter-table-wrap" });
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

  Leaderboard.prototype.headerCells = function (tr) {
    var self = this;
    tr.appendChild(el("th", { class: "reporter-pick", title: "tick runs to compare them" }, "✓"));
    this.headers().forEach(function (h) {
      var th = el("th", { "data-key": h.key, class: h.numeric ? "num" : "", tabindex: "0", role: "button",
                          title: h.numeric ? (h.title || (h.lower ? "lower is better" : "higher is better")) : "sort" });
      th.textContent = h.label;
      var sort = function () {
        if (self.sortKey === h.key) self.sortDesc = !self.sortDesc;
        else { self.sortKey = h.key; self.sortDesc = h.numeric ? !h.lower : false; }
        self.render();
      };
      th.addEventListener("click", sort);
      th.addEventListener("keydown", function (e) { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); sort(); } });
      tr.appendChild(th);
    });
  };

  Leaderboard.prototype.columnPicker = function () {
    var self = this;
    var details = el("div", { class: "reporter-columns" });
    var toggle = el("button", { type: "button", "aria-expanded": "false" }, "Columns ▾");
    details.appendChild(toggle);
    var list = el("div", { class: "reporter-columns__list" });
    list.hidden = true;
    toggle.addEventListener("click", function () {
      list.hidden = !list.hidden;
      toggle.setAttribute("aria-expanded", String(!list.hidden));
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
    Array.prototype.forEach.call(this.thead.querySelectorAll("th"), function (th) {
      var active = th.getAttribute("data-key") === self.sortKey;
      th.setAttribute("aria-sort", active ? (self.sortDesc ? "descending" : "ascending") : "none");
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
      name.appendChild(el("code", {}, r.id));
      tr.appendChild(name);
      var exp = el("td");
      exp.appendChild(el("a", { href: r.experiment_url }, r.experiment));
      tr.appendChild(exp);
      tr.appendChild(el("td", { class: "reporter-date-cell" }, r.created));
      var status = el("td");
      if (r.status) status.appendChild(el("span", { class: "reporter-status reporter-status--" + r.status.toLowerCase().replace(/\s+/g, "-") }, r.status));
      tr.appendChild(status);
      var tags = el("td");
      r.tags.forEach(function (t) { tags.appendChild(el("span", { class: "reporter-tag" }, t)); tags.appendChild(document.createTextNode(" ")); });
      tr.appendChild(tags);
      self.columns.forEach(function (c, i) {
        if (!c.visible) return;
        var v = r.metrics[i];
        var best = v !== null && v !== undefined && v === c.best && r.ranked !== false;
        tr.appendChild(el("td", { class: best ? "num reporter-best" : "num" }, formatNumber(v, c.format)));
      });
      body.appendChild(tr);
    });
    this.tbody.innerHTML = "";
    this.tbody.appendChild(body);
    this.count.textContent = rows.length === this.rows.length
      ? rows.length + " runs" : rows.length + " of " + this.rows.length + " runs";
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
