/* reporter: the leaderboard, drawn from its rows' JSON; works on direct loads and with
   Material's instant navigation. Independent of plotly.js, so the rows never wait for it. */
(function () {
  "use strict";

  var View = window.ReporterView;

  /* ---------- leaderboard ---------- */

  var PAGE_SIZE = 100;

  /* One Intl.NumberFormat per number of decimals: toLocaleString with options makes a new one
     on every call, which cost ~0.25 ms a cell (a 100-row redraw of 10,000 runs took 200 ms). */
  var formatters = {};
  function formatter(d) {
    return formatters[d] || (formatters[d] = new Intl.NumberFormat("en-US", { minimumFractionDigits: d, maximumFractionDigits: d }));
  }

  /* A metric in its column's format: the declared kind (decimal, percent of a fraction,
     integer) with the column's fixed decimals, thousands separated (reporter/pages/numbers.py). */
  function formatNumber(v, column) {
    if (v === null || v === undefined) return "—";
    if (!isFinite(v)) return isNaN(v) ? "NaN" : (v > 0 ? "∞" : "-∞");
    var decimals = column.decimals === undefined ? 4 : column.decimals;
    var fixed = function (x, d) { return formatter(d).format(x); };
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
    this.comparePage = root.getAttribute("data-compare") || "";
    this.paramKeys = View.paramKeysOf(this.rows);
    this.selected = {};
    this.defaults = this.state();
    this.applyState(View.parseState(window.location.search));
    this.build();
    this.render();
    this.renderSelection();
    var self = this;
    this.onPopState = function () {
      if (!self.root.isConnected) { window.removeEventListener("popstate", self.onPopState); return; }
      self.applyState(View.parseState(window.location.search));
      self.input.value = self.filter;
      self.syncColumnBoxes();
      self.rebuildTable();
      self.renderSelection();
    };
    window.addEventListener("popstate", this.onPopState);
    quietSiteSearch(this.filter);
  }

  /* Material opens its search box for any `?q=` in the address (its way of sharing a search);
     here `q` is the leaderboard's query, so that box is closed again, without the change
     event that would make Material drop `q` from the address. Material may open it after the
     leaderboard is drawn, hence the second look. */
  function quietSiteSearch(q) {
    if (!q) return;
    var close = function () {
      var toggle = document.querySelector('input[data-md-toggle="search"]');
      var input = document.querySelector("input.md-search__input");
      if (!toggle || !toggle.checked || !input || input.value !== q) return;
      toggle.checked = false;
      input.value = "";
      input.blur();
    };
    close();
    setTimeout(close, 0);
    window.addEventListener("load", close, { once: true });
  }

  /* ---------- the view's state, kept in the address (so a copied URL shows the same view) ---------- */

  Leaderboard.prototype.sortName = function () {
    var key = this.sortKey;
    if (/^m\d+$/.test(key)) return "metrics." + this.columns[Number(key.slice(1))].key;
    return key;
  };

  Leaderboard.prototype.state = function () {
    var self = this;
    return {
      q: this.filter,
      sort: this.sortName(),
      desc: this.sortDesc,
      cols: this.columns.filter(function (c) { return c.visible; }).map(function (c) { return c.key; }),
      runs: Object.keys(this.selected).sort().filter(function (id) { return self.selected[id]; }),
    };
  };

  Leaderboard.prototype.applyState = function (state) {
    var self = this, d = this.defaults;
    this.filter = state.q || "";
    var sort = state.sort || d.sort, desc = state.desc === null ? (state.sort ? false : d.desc) : state.desc;
    if (/^metrics\./.test(sort)) {
      var name = sort.slice("metrics.".length);
      var i = this.columns.findIndex(function (c) { return c.key === name; });
      if (i >= 0) { this.sortKey = "m" + i; this.sortDesc = desc; }
    } else if (["name", "experiment", "created", "status", "tags"].indexOf(sort) >= 0) {
      this.sortKey = sort;
      this.sortDesc = desc;
    }
    var cols = state.cols || d.cols;
    this.columns.forEach(function (c) { c.visible = cols.indexOf(c.key) >= 0; });
    if (!this.headers().some(function (h) { return h.key === self.sortKey; })) {
      var c = this.columns.findIndex(function (col) { return col.key === this.sortName(); }, this);
      if (c >= 0) this.columns[c].visible = true;
    }
    var byId = {};
    this.rows.forEach(function (r) { byId[r.id] = r; });
    this.selected = {};
    (state.runs || []).forEach(function (id) { if (byId[id]) self.selected[id] = byId[id]; });
    this.limit = PAGE_SIZE;
  };

  /* Record the view in the address: a new history entry for a deliberate step (sorting,
     columns, ticks, a finished query), the same entry while typing. */
  Leaderboard.prototype.saveState = function (replace) {
    var search = View.toSearch(this.state(), this.defaults);
    if (search === window.location.search || (!search && !window.location.search)) return;
    var url = window.location.pathname + search + window.location.hash;
    if (replace) window.history.replaceState(window.history.state, "", url);
    else window.history.pushState(window.history.state, "", url);
  };

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
    var input = el("input", {
      type: "search", placeholder: "Filter runs, or query: metrics.roc_auc > 0.9 and tags.seed-study",
      "aria-label": "Filter runs by text or query", "aria-describedby": "reporter-query-error reporter-query-help",
      spellcheck: "false", autocomplete: "off", class: "reporter-query",
    });
    input.value = this.filter;
    /* One history entry per query: the first keystroke adds it, the next ones update it. */
    var typing = false;
    input.addEventListener("input", function () {
      self.filter = input.value;
      self.limit = PAGE_SIZE;
      self.render();
      self.saveState(typing);
      typing = true;
    });
    input.addEventListener("change", function () { typing = false; });
    this.input = input;
    this.count = el("span", { class: "reporter-count", "aria-live": "polite" });
    bar.appendChild(input);
    bar.appendChild(this.count);
    bar.appendChild(this.columnPicker());
    var csv = el("button", { type: "button", class: "reporter-csv" }, "Download CSV");
    csv.addEventListener("click", function () { self.downloadCsv(); });
    bar.appendChild(csv);
    this.root.appendChild(bar);
    this.error = el("div", { id: "reporter-query-error", class: "reporter-query-error", role: "alert" });
    this.error.hidden = true;
    this.root.appendChild(this.error);
    this.root.appendChild(queryHelp());
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
        self.render();
        self.saveState(false);
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
    this.columnBoxes = [];
    this.columns.forEach(function (c) {
      var label = el("label");
      var box = el("input", { type: "checkbox" });
      box.checked = !!c.visible;
      self.columnBoxes.push(box);
      box.addEventListener("change", function () {
        c.visible = box.checked;
        self.rebuildTable();
        self.saveState(false);
      });
      label.appendChild(box);
      label.appendChild(document.createTextNode(" " + c.key));
      list.appendChild(label);
    });
    details.appendChild(list);
    return details;
  };

  Leaderboard.prototype.syncColumnBoxes = function () {
    var self = this;
    (this.columnBoxes || []).forEach(function (box, i) { box.checked = !!self.columns[i].visible; });
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
    var found = View.filterRows(this.filter, this.rows, this.columns, this.paramKeys);
    this.queryError = found.error;
    var rows = found.rows === this.rows ? this.rows.slice() : found.rows;
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
        self.saveState(false);
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
    this.showError();
  };

  /* A query that does not parse: the message, and the query with the faulty place marked;
     every row stays. */
  Leaderboard.prototype.showError = function () {
    var e = this.queryError, box = this.error;
    this.input.setAttribute("aria-invalid", e ? "true" : "false");
    box.innerHTML = "";
    box.hidden = !e;
    if (!e) return;
    box.appendChild(el("strong", {}, "Query error at character " + (e.start + 1) + ": "));
    box.appendChild(document.createTextNode(e.message + ". Every run is shown."));
    var code = el("code", { class: "reporter-query-where" });
    var q = this.filter;
    code.appendChild(document.createTextNode(q.slice(0, e.start)));
    code.appendChild(el("mark", {}, q.slice(e.start, e.end) || " "));
    code.appendChild(document.createTextNode(q.slice(e.end)));
    box.appendChild(el("br"));
    box.appendChild(code);
  };

  /* The rows of the current view (every matching row, not only those drawn), with its
     visible columns. */
  Leaderboard.prototype.csv = function () {
    var columns = this.columns.filter(function (c) { return c.visible; });
    var header = ["id", "name", "experiment", "created", "status", "tags"].concat(columns.map(function (c) { return c.key; }));
    var all = this.columns;
    var lines = this.sorted().map(function (r) {
      return [r.id, r.name, r.experiment, r.created, r.status, r.tags].concat(columns.map(function (c) { return r.metrics[all.indexOf(c)]; }));
    });
    return View.toCsv(header, lines);
  };

  Leaderboard.prototype.downloadCsv = function () {
    var blob = new Blob([this.csv()], { type: "text/csv;charset=utf-8" });
    var a = el("a", { href: URL.createObjectURL(blob), download: "leaderboard.csv" });
    document.body.appendChild(a);
    a.click();
    setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 0);
  };

  Leaderboard.prototype.renderSelection = function () {
    var self = this;
    var rows = Object.keys(this.selected).sort().map(function (id) { return self.selected[id]; });
    var bar = this.selectionBar;
    bar.innerHTML = "";
    bar.hidden = rows.length === 0;
    if (!rows.length) return;
    bar.appendChild(el("strong", {}, rows.length + " selected"));
    if (this.comparePage) {
      bar.appendChild(document.createTextNode(" "));
      var href = this.comparePage + "?runs=" + rows.map(function (r) { return encodeURIComponent(r.id); }).join(",");
      bar.appendChild(el("a", { href: href, class: "md-button md-button--primary reporter-compare-now" },
        rows.length === 1 ? "Open in the comparison page" : "Compare " + rows.length + " runs"));
    }
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
    clear.addEventListener("click", function () { self.selected = {}; self.render(); self.renderSelection(); self.saveState(false); });
    bar.appendChild(clear);
  };

  /* The query language, on the page (the README has the same). */
  function queryHelp() {
    var details = el("details", { class: "reporter-query-help", id: "reporter-query-help" });
    details.appendChild(el("summary", {}, "Query syntax"));
    var p = el("p", {}, "Plain words filter by name, id, experiment, tag or status. A query picks runs by their values, like a tracker's run search:");
    details.appendChild(p);
    var list = el("ul");
    [
      ["metrics.roc_auc > 0.9", "a metric (=, !=, <, <=, >, >=); runs without it never match"],
      ["params.model.max_depth = 8", "a parameter, by its dotted name; numbers compare as numbers, the rest as text"],
      ["tags.seed-study", "runs with a tag; tags.team = fraud for a key=value tag; tags ~ seed for any tag containing it"],
      ["status = completed", "also experiment, name, id, created (text, any case)"],
      ["name ~ hgb", "contains (!~: does not contain)"],
      ["metrics.roc_auc > 0.9 and not (status = failed or tags.baseline)", "and, or, not, parentheses; and binds before or"],
      ["name = 'HGB depth 8'", "quote values with spaces; params.`odd name` quotes a name"],
    ].forEach(function (item) {
      var li = el("li");
      li.appendChild(el("code", {}, item[0]));
      li.appendChild(document.createTextNode(": " + item[1]));
      list.appendChild(li);
    });
    details.appendChild(list);
    return details;
  }

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
