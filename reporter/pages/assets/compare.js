/* reporter: the ad-hoc comparison, `compare/?runs=ID1,ID2,...`, drawn in the browser from the
   chosen runs' data files (assets/reporter/runs/<sha256 of the id>.js, written by the build).
   Only those files load, whatever the number of runs; no server, no other host.

   Ids are separated by literal commas; an id holding a comma (or any other character) is
   percent-encoded (encodeURIComponent), as the leaderboard writes it. */
(function (root, factory) {
  "use strict";
  var api = factory();
  if (typeof module === "object" && module.exports) module.exports = api;
  else {
    root.ReporterCompare = api;
    api.start();
  }
})(typeof self !== "undefined" ? self : this, function () {
  "use strict";

  var DATA_DIR = "assets/reporter/runs";
  var DIGITS = 24;
  var MAX_RUNS = 30;
  /* charts.base.PALETTE: a run's colour comes from its id, as on every page (run_colours) */
  var PALETTE = ["#4477aa", "#e69f00", "#228833", "#ee6677", "#66ccee", "#aa3377", "#ccbb44", "#cc79a7"];

  /* ---------- pure helpers (tested with node) ---------- */

  var K = [
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
  ];

  function utf8(text) {
    if (typeof TextEncoder !== "undefined") return new TextEncoder().encode(text);
    var bytes = [], s = unescape(encodeURIComponent(text));
    for (var i = 0; i < s.length; i++) bytes.push(s.charCodeAt(i));
    return bytes;
  }

  /* SHA-256 of a string's UTF-8 bytes, as hex: the name of a run's data file (the build uses
     Python's hashlib). Written out because crypto.subtle exists only in secure contexts, and
     a site on an internal http:// host is not one. */
  function sha256(text) {
    var bytes = utf8(text), n = bytes.length;
    var words = new Array(((n + 9 + 63) >> 6) << 4).fill(0);
    for (var i = 0; i < n; i++) words[i >> 2] |= bytes[i] << (24 - (i % 4) * 8);
    words[n >> 2] |= 0x80 << (24 - (n % 4) * 8);
    words[words.length - 1] = (n * 8) >>> 0;
    words[words.length - 2] = Math.floor(n / 0x20000000);
    var h = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];
    var w = new Array(64);
    for (var block = 0; block < words.length; block += 16) {
      for (var t = 0; t < 64; t++) {
        if (t < 16) w[t] = words[block + t] | 0;
        else {
          var a = w[t - 15], b = w[t - 2];
          var s0 = ror(a, 7) ^ ror(a, 18) ^ (a >>> 3);
          var s1 = ror(b, 17) ^ ror(b, 19) ^ (b >>> 10);
          w[t] = (w[t - 16] + s0 + w[t - 7] + s1) | 0;
        }
      }
      var v = h.slice();
      for (t = 0; t < 64; t++) {
        var e = v[4];
        var ch = (e & v[5]) ^ (~e & v[6]);
        var t1 = (v[7] + (ror(e, 6) ^ ror(e, 11) ^ ror(e, 25)) + ch + K[t] + w[t]) | 0;
        var x = v[0];
        var maj = (x & v[1]) ^ (x & v[2]) ^ (v[1] & v[2]);
        var t2 = ((ror(x, 2) ^ ror(x, 13) ^ ror(x, 22)) + maj) | 0;
        v = [(t1 + t2) | 0, x, v[1], v[2], (v[3] + t1) | 0, e, v[5], v[6]];
      }
      for (t = 0; t < 8; t++) h[t] = (h[t] + v[t]) | 0;
    }
    return h.map(function (word) { return ("00000000" + (word >>> 0).toString(16)).slice(-8); }).join("");
  }

  function ror(x, r) { return (x >>> r) | (x << (32 - r)); }

  /* Where a run's data file is, relative to the site's root (mirrors urls.run_data). */
  function dataFile(id) {
    var digest = sha256(id).slice(0, DIGITS);
    return DATA_DIR + "/" + digest.slice(0, 2) + "/" + digest + ".js";
  }

  /* The ids of `?runs=a,b%2Cc`: split on literal commas, then decoded; blanks and repeats go. */
  function runsFromSearch(search) {
    var ids = [];
    String(search || "").replace(/^\?/, "").split("&").forEach(function (part) {
      var eq = part.indexOf("=");
      if ((eq < 0 ? part : part.slice(0, eq)) !== "runs") return;
      part.slice(eq + 1).split(",").forEach(function (raw) {
        var id;
        try { id = decodeURIComponent(raw.replace(/\+/g, " ")); } catch (e) { id = raw; }
        if (id && ids.indexOf(id) < 0) ids.push(id);
      });
    });
    return ids;
  }

  /* One colour per run, from its id (mirrors charts.base.run_colours): the first 4 bytes of
     its SHA-256 pick a colour; in id order, a run whose colour is taken gets the next free one. */
  function runColours(ids) {
    var colours = {}, taken = {}, count = 0;
    ids.slice().sort(byCodePoints).forEach(function (id) {
      if (Object.prototype.hasOwnProperty.call(colours, id)) return;
      var slot = parseInt(sha256(id).slice(0, 8), 16) % PALETTE.length;
      if (count < PALETTE.length) while (taken[slot]) slot = (slot + 1) % PALETTE.length;
      if (!taken[slot]) count += 1;
      taken[slot] = 1;
      colours[id] = PALETTE[slot];
    });
    return colours;
  }

  /* Python's string order (by code point), not JavaScript's (by UTF-16 unit). */
  function byCodePoints(a, b) {
    var x = Array.from(a), y = Array.from(b);
    for (var i = 0; i < Math.min(x.length, y.length); i++) {
      var d = x[i].codePointAt(0) - y[i].codePointAt(0);
      if (d) return d;
    }
    return x.length - y.length;
  }

  function compareUrl(ids) {
    return "?runs=" + ids.map(encodeURIComponent).join(",");
  }

  /* Indices of at most `budget` points: first, last and each bucket's min and max (as the
     build's charts.base.downsample), so spikes survive. */
  function downsample(y, budget) {
    var n = y.length;
    if (n <= Math.max(budget, 4)) return range(n);
    var buckets = Math.max(Math.floor((budget - 4) / 2), 1);
    var size = Math.floor((n - 2) / buckets);
    var keep = { 0: 1 };
    keep[n - 1] = 1;
    function extremes(from, to) {
      var lo = from, hi = from;
      for (var i = from; i < to; i++) {
        if (y[i] === null) continue;
        if (y[lo] === null || y[i] < y[lo]) lo = i;
        if (y[hi] === null || y[i] > y[hi]) hi = i;
      }
      keep[lo] = 1;
      keep[hi] = 1;
    }
    for (var b = 0; b < buckets; b++) extremes(1 + b * size, 1 + (b + 1) * size);
    if (1 + buckets * size < n - 1) extremes(1 + buckets * size, n - 1);
    return Object.keys(keep).map(Number).sort(function (a, c) { return a - c; });
  }

  /* At most `budget` evenly spaced indices of n, first and last included (charts' _thin). */
  function thin(n, budget) {
    if (n <= budget) return range(n);
    var seen = {}, out = [], step = (n - 1) / (Math.max(budget, 2) - 1);
    for (var i = 0; i < Math.max(budget, 2); i++) {
      var k = Math.round(i * step);
      if (!seen[k]) { seen[k] = 1; out.push(k); }
    }
    return out;
  }

  function range(n) {
    var out = new Array(n);
    for (var i = 0; i < n; i++) out[i] = i;
    return out;
  }

  function pick(trace, keep) {
    var copy = Object.assign({}, trace);
    ["x", "y", "customdata"].forEach(function (k) {
      if (Array.isArray(trace[k])) copy[k] = keep.map(function (i) { return trace[k][i]; });
    });
    return copy;
  }

  function recolor(trace, color) {
    var copy = Object.assign({}, trace);
    if (copy.line) copy.line = Object.assign({}, copy.line, { color: color });
    if (copy.marker) copy.marker = Object.assign({}, copy.marker, { color: color });
    return copy;
  }

  /* One overlay from each run's figure: its traces in the run's colour (`item.colour`),
     thinned so the chart stays within `budget` points per trace; reference lines once (PR's
     "no skill" only for a single run, as a built comparison draws it), from the run whose log
     axis reaches lowest. Controls that act on some traces only are dropped (their indices were
     one run's). */
  function overlay(items, options) {
    var data = [], downsampled = 0;
    items.forEach(function (item, i) {
      item.part.traces.forEach(function (trace) {
        var n = Array.isArray(trace.y) ? trace.y.length : 0;
        var keep = null;
        if (n > options.budget) keep = options.spikes ? downsample(trace.y, options.budget) : thin(n, options.budget);
        if (keep) downsampled += 1;
        var copy = keep ? pick(trace, keep) : trace;
        data.push(item.colour ? recolor(copy, item.colour) : copy);
      });
    });
    var widest = items[0];
    items.forEach(function (item) {
      var axis = item.part.layout.xaxis || {};
      if (axis.type === "log" && axis.range && axis.range[0] < (widest.part.layout.xaxis || {}).range[0]) widest = item;
    });
    if (items.length && (items.length === 1 || options.references === "always")) {
      data = data.concat(widest.part.references || []);
    }
    var layout = JSON.parse(JSON.stringify(widest.part.layout));
    layout.height = 330 + 20 * Math.floor((data.length + 1) / 2);
    var controls = (widest.part.controls || []).filter(function (c) {
      return !(c.options || []).some(function (o) { return o.traces; });
    });
    var figure = { data: data, layout: layout, downsampled: downsampled };
    if (controls.length) figure.controls = JSON.parse(JSON.stringify(controls));
    return figure;
  }

  /* ---------- the page ---------- */

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function formatNumber(v, format) {
    if (v === null || v === undefined) return "—";
    if (format === "percent") return String(parseFloat((v * 100).toPrecision(3))) + "%";
    if (format === "integer") return Math.round(v).toLocaleString("en-US");
    if (Number.isInteger(v) && Math.abs(v) < 1e15) return v.toLocaleString("en-US");
    return String(parseFloat(v.toPrecision(4)));
  }

  function signed(d) {
    var text = String(parseFloat(d.toPrecision(4)));
    return d > 0 ? "+" + text : text;
  }

  var loading = {};

  function load(base, id) {
    var runs = window.__reporterRuns = window.__reporterRuns || {};
    if (Object.prototype.hasOwnProperty.call(runs, id)) return Promise.resolve(runs[id]);
    var src = base + dataFile(id);
    if (!loading[src]) {
      loading[src] = new Promise(function (resolve) {
        var script = document.createElement("script");
        script.src = src;
        script.onload = script.onerror = function () { resolve(); };
        document.head.appendChild(script);
      });
    }
    return loading[src].then(function () {
      var found = Object.prototype.hasOwnProperty.call(runs, id) ? runs[id] : null;
      if (!found) delete loading[src];  /* a file written since may be there on the next try */
      return found && found.id === id ? found : null;
    });
  }

  function Page(node) {
    this.node = node;
    this.base = node.getAttribute("data-root") || "";
    this.columns = JSON.parse(node.getAttribute("data-columns") || "[]");
    this.primary = node.getAttribute("data-primary") || "";
    this.chartPoints = Number(node.getAttribute("data-chart-points")) || 12000;
    this.maxPoints = Number(node.getAttribute("data-max-points")) || 2000;
    this.leaderboard = node.getAttribute("data-leaderboard") || "";
    this.charts = [];
    this.colours = {};
  }

  Page.prototype.start = function (ids) {
    var self = this;
    this.node.innerHTML = "";
    if (!ids.length) return this.intro();
    var shown = ids.slice(0, MAX_RUNS);
    /* plotly.js loads while the runs' data does (every chart here is a line chart) */
    if (window.ReporterCharts && window.ReporterCharts.preload) window.ReporterCharts.preload(["scatter"]);
    this.node.setAttribute("aria-busy", "true");
    var status = el("p", { class: "reporter-caption", role: "status" }, "Loading " + shown.length + " runs…");
    this.node.appendChild(status);
    return Promise.all(shown.map(function (id) { return load(self.base, id); })).then(function (found) {
      self.node.removeChild(status);
      var runs = found.filter(Boolean);
      var missing = shown.filter(function (id, i) { return !found[i]; });
      self.draw(runs, missing, ids.length - shown.length);
      self.node.removeAttribute("aria-busy");
      self.drawCharts();
      self.node.setAttribute("data-ready-ms", String(Math.round(window.performance ? performance.now() : 0)));
      self.node.setAttribute("data-ready", String(runs.length));
    });
  };

  Page.prototype.intro = function () {
    var p = el("p", {}, "Compare any runs here: tick them in the ");
    p.appendChild(el("a", { href: this.leaderboard }, "leaderboard"));
    p.appendChild(document.createTextNode(" and press “Compare”, or open this page with ?runs=ID1,ID2 in its address."));
    this.node.appendChild(p);
    return Promise.resolve();
  };

  Page.prototype.section = function (title) {
    var h = el("h2", {}, title);
    this.node.appendChild(h);
    return h;
  };

  Page.prototype.draw = function (runs, missing, dropped) {
    var self = this;
    this.node.appendChild(el("h2", { id: "adhoc-comparison" }, "Comparing " + runs.length + (runs.length === 1 ? " run" : " runs")));
    var caption = el("p", { class: "reporter-caption" });
    runs.forEach(function (r, i) {
      if (i) caption.appendChild(document.createTextNode(", "));
      caption.appendChild(el("a", { href: self.base + r.url }, r.name));
    });
    if (runs.length > 1) caption.appendChild(document.createTextNode("; deltas against the first, " + runs[0].name + "."));
    this.node.appendChild(caption);
    if (missing.length) {
      var box = el("div", { class: "admonition failure reporter-missing", role: "alert" });
      box.appendChild(el("p", { class: "admonition-title" }, missing.length === 1 ? "Run not found" : "Runs not found"));
      var list = el("ul");
      missing.forEach(function (id) { list.appendChild(el("li")).appendChild(el("code", {}, id)); });
      box.appendChild(list);
      box.appendChild(el("p", {}, "No run of this site has these ids (or the site was built before they existed)."));
      this.node.appendChild(box);
    }
    if (dropped > 0) this.node.appendChild(el("p", { class: "reporter-caption" }, dropped + " more runs were asked for; at most " + MAX_RUNS + " are compared at once."));
    if (!runs.length) return;
    this.colours = runColours(runs.map(function (r) { return r.id; }));
    this.guard(runs);
    this.section("Summary");
    this.summary(runs);
    if (runs.length > 1) {
      this.section("Configuration differences");
      this.configDiff(runs);
    }
    this.section("Training histories");
    this.histories(runs);
    this.section("Precision-recall curves");
    this.curve(runs, "pr", "None of these runs has predictions to draw a precision-recall curve from.");
    this.section("ROC curves");
    this.curve(runs, "roc", "None of these runs has predictions to draw a ROC curve from.");
    this.section("Operating points");
    this.operating(runs);
    this.section("Keep this comparison");
    this.snippet(runs);
  };

  Page.prototype.guard = function (runs) {
    var keys = [];
    runs.forEach(function (r) { if (r.eval_key && keys.indexOf(r.eval_key) < 0) keys.push(r.eval_key); });
    if (keys.length < 2) return;
    var box = el("div", { class: "admonition warning reporter-guard" });
    box.appendChild(el("p", { class: "admonition-title" }, "These runs were not evaluated on the same data"));
    box.appendChild(el("p", {}, "Their predictions differ in row count, labels or declared evaluation set, so their metrics are not directly comparable."));
    this.node.appendChild(box);
  };

  Page.prototype.shownColumns = function (runs) {
    return this.columns.filter(function (c) {
      return c.visible && runs.some(function (r) { return r.metrics[c.key] !== undefined; });
    });
  };

  Page.prototype.summary = function (runs) {
    var self = this, columns = this.shownColumns(runs);
    var wrap = el("div", { class: "reporter-table-wrap" });
    var table = el("table", { class: "reporter-table reporter-compare-table reporter-adhoc-summary" });
    var head = el("tr");
    head.appendChild(el("th", { scope: "col" }, "Run"));
    columns.forEach(function (c) { head.appendChild(el("th", { class: "num", scope: "col", title: c.title || "" }, c.key)); });
    head.appendChild(el("th", { scope: "col" }, "History"));
    table.appendChild(el("thead")).appendChild(head);
    var body = table.appendChild(el("tbody"));
    var best = {};
    columns.forEach(function (c) {
      if (c.direction === "neutral") return;
      runs.forEach(function (r) {
        var v = r.metrics[c.key];
        if (v === undefined || v === null || !r.ranked) return;
        if (best[c.key] === undefined || (c.lower ? v < best[c.key] : v > best[c.key])) best[c.key] = v;
      });
    });
    runs.forEach(function (r, i) {
      var tr = body.appendChild(el("tr"));
      var name = tr.appendChild(el("td"));
      name.appendChild(el("a", { href: self.base + r.url }, r.name));
      if (i === 0 && runs.length > 1) { name.appendChild(document.createTextNode(" ")); name.appendChild(el("span", { class: "reporter-tag" }, "first")); }
      if (r.status && !r.ranked) { name.appendChild(document.createTextNode(" ")); name.appendChild(el("span", { class: "reporter-status" }, r.status)); }
      name.appendChild(el("br"));
      name.appendChild(el("code", {}, r.id));
      columns.forEach(function (c) {
        var v = r.metrics[c.key];
        var isBest = v !== undefined && best[c.key] === v && r.ranked;
        var td = tr.appendChild(el("td", { class: isBest ? "num reporter-best" : "num" }, formatNumber(v, c.format)));
        var v0 = runs[0].metrics[c.key];
        if (i > 0 && v !== undefined && v0 !== undefined) {
          var d = v - v0;
          var cls = c.direction === "neutral" ? "reporter-neutral" : d === 0 ? "" : ((d < 0) === !!c.lower ? "reporter-better" : "reporter-worse");
          td.appendChild(el("br"));
          td.appendChild(el("small", { class: cls }, signed(d)));
        }
      });
      var hist = tr.appendChild(el("td"));
      if (r.history_url) hist.appendChild(el("a", { href: self.base + r.history_url, download: "" }, r.history_url.split("/").pop()));
    });
    wrap.appendChild(table);
    this.node.appendChild(wrap);
    this.node.appendChild(el("p", { class: "reporter-caption" }, "Best value per metric in bold (failed and killed runs are never best; counts and volumes have none); small print: the difference to the first run."));
  };

  Page.prototype.configDiff = function (runs) {
    var keys = {};
    runs.forEach(function (r) { Object.keys(r.params).forEach(function (k) { keys[k] = 1; }); });
    var all = Object.keys(keys).sort();
    if (!all.length) { this.node.appendChild(el("p", { class: "reporter-empty" }, "None of these runs has parameters.")); return; }
    var differ = all.filter(function (k) {
      var first = runs[0].params[k];
      return runs.some(function (r) { return r.params[k] !== first; });
    });
    var table = el("table", { class: "reporter-table reporter-diff" });
    var head = el("tr");
    head.appendChild(el("th", { scope: "col" }, "Parameter"));
    runs.forEach(function (r) { head.appendChild(el("th", { scope: "col" }, r.name)); });
    table.appendChild(el("thead")).appendChild(head);
    var body = table.appendChild(el("tbody"));
    var same = [];
    all.forEach(function (k) {
      var tr = body.appendChild(el("tr"));
      if (differ.indexOf(k) < 0) { tr.className = "reporter-same"; tr.hidden = true; same.push(tr); }
      tr.appendChild(el("td")).appendChild(el("code", {}, k));
      runs.forEach(function (r) { tr.appendChild(el("td", {}, r.params[k] === undefined ? "—" : r.params[k])); });
    });
    this.node.appendChild(el("div", { class: "reporter-table-wrap" })).appendChild(table);
    var p = el("p", { class: "reporter-caption" }, differ.length + " of " + all.length + " parameters differ. ");
    if (same.length) {
      var button = el("button", { type: "button", class: "reporter-toggle-same", "aria-expanded": "false", "data-ready": "1" }, "Show all parameters");
      button.addEventListener("click", function () {
        var open = button.getAttribute("aria-expanded") === "true";
        same.forEach(function (tr) { tr.hidden = open; });
        button.setAttribute("aria-expanded", String(!open));
        button.textContent = open ? "Show all parameters" : "Show only differences";
      });
      p.appendChild(button);
    }
    this.node.appendChild(p);
  };

  /* A chart as built pages have it (filters.chart): a figure named by its title and summary,
     the plot, the summary and caption under it; reporter.js draws it. */
  Page.prototype.chart = function (figure, summary, caption) {
    var title = (figure.layout.title || {}).text || "Chart";
    var box = el("figure", { class: "reporter-figure", "aria-label": summary ? title + ". " + summary : title });
    var scroll = box.appendChild(el("div", { class: "reporter-chart-scroll" }));
    var div = scroll.appendChild(el("div", { class: "reporter-chart" }));
    delete figure.downsampled;
    div.setAttribute("data-figure", JSON.stringify(figure));
    var types = {};
    (figure.data || []).forEach(function (t) { types[t.type || "scatter"] = 1; });
    div.setAttribute("data-traces", Object.keys(types).sort().join(" "));
    var under = box.appendChild(el("figcaption"));
    if (summary) under.appendChild(el("p", { class: "reporter-summary" }, summary));
    if (caption) under.appendChild(el("p", { class: "reporter-caption" }, caption));
    this.node.appendChild(box);
    this.charts.push(div);
  };

  Page.prototype.histories = function (runs) {
    var self = this, names = {};
    runs.forEach(function (r) { Object.keys(r.histories).forEach(function (n) { names[n] = 1; }); });
    var sorted = Object.keys(names).sort();
    if (!sorted.length) { this.node.appendChild(el("p", { class: "reporter-empty" }, "None of these runs logged a training history.")); return; }
    sorted.forEach(function (name) {
      var items = [];
      runs.forEach(function (r) {
        var h = r.histories[name];
        if (h) {
          items.push({ part: { layout: h.figure.layout, traces: h.figure.data, references: [], controls: h.figure.controls },
                       colour: self.colours[r.id], points: h.points, run: r });
        }
      });
      var budget = Math.max(100, Math.min(self.maxPoints, Math.floor(self.chartPoints / items.length)));
      var figure = overlay(items, { budget: budget, spikes: true });
      var shortened = items.filter(function (it, k) { return it.points > figure.data[k].y.length; }).length;
      var caption = shortened ? shortened + " of " + items.length + " series downsampled to at most " + budget.toLocaleString("en-US") +
        " points (min and max of each bucket kept, so spikes show); the full series are the history files linked in the summary." : "";
      var ends = items.map(function (it, k) {
        var y = figure.data[k].y, last = null;
        for (var j = y.length - 1; j >= 0 && last === null; j--) if (y[j] !== null) last = y[j];
        return it.run.name + " " + formatNumber(last);
      });
      self.chart(figure, name + " of " + items.length + (items.length === 1 ? " run" : " runs") + ", last values: " + ends.join(", ") + ".", caption);
    });
  };

  Page.prototype.curve = function (runs, key, empty) {
    var self = this, items = [];
    runs.forEach(function (r) { if (r[key]) items.push({ part: r[key], colour: self.colours[r.id], run: r }); });
    if (!items.length) { this.node.appendChild(el("p", { class: "reporter-empty" }, empty)); return; }
    var budget = Math.max(50, Math.floor(this.chartPoints / items.length));
    var metric = key === "roc" ? "roc_auc" : "average_precision";
    var summary = (key === "roc" ? "ROC-AUC: " : "Average precision: ") + items.map(function (it) {
      return it.run.name + " " + formatNumber(it.run.metrics[metric]);
    }).join(", ") + ".";
    this.chart(overlay(items, { budget: budget, references: key === "roc" ? "always" : "single" }), summary);
  };

  Page.prototype.operating = function (runs) {
    var self = this;
    var evaluated = runs.filter(function (r) { return r.operating && r.operating.length; });
    if (!evaluated.length) { this.node.appendChild(el("p", { class: "reporter-empty" }, "None of these runs has predictions, so there are no operating points.")); return; }
    var targets = evaluated[0].operating;
    var at = function (r, metric) { return (r.operating || []).filter(function (p) { return p.metric === metric; })[0] || null; };
    var first = targets[0].metric;
    var ordered = evaluated.slice().sort(function (a, b) {
      var va = (at(a, first) || {}).value, vb = (at(b, first) || {}).value;
      if (va === null || va === undefined) return 1;
      if (vb === null || vb === undefined) return -1;
      return vb - va;
    });
    var winners = {};
    targets.forEach(function (t) {
      ordered.forEach(function (r) {
        var p = at(r, t.metric);
        if (!r.ranked || !p || p.value === null) return;
        if (!winners[t.metric] || p.value > winners[t.metric].value) winners[t.metric] = { id: r.id, value: p.value };
      });
    });
    var ks = Object.keys(evaluated[0].precision_at_k || {});
    var table = el("table", { class: "reporter-table reporter-ops" });
    var thead = table.appendChild(el("thead"));
    var top = thead.appendChild(el("tr"));
    top.appendChild(el("th", { rowspan: "2", scope: "col" }, "Run"));
    targets.forEach(function (t) {
      var th = top.appendChild(el("th", { colspan: "3", class: "reporter-group-head", scope: "colgroup" }, t.label));
      if (t.operating) { th.appendChild(document.createTextNode(" ")); th.appendChild(el("span", { class: "reporter-tag" }, "operating point")); }
    });
    ks.forEach(function (k) { top.appendChild(el("th", { class: "reporter-group-head", scope: "col" }, "top " + Number(k).toLocaleString("en-US"))); });
    var sub = thead.appendChild(el("tr"));
    targets.forEach(function (t) {
      sub.appendChild(el("th", { class: "num", scope: "col" }, "threshold"));
      sub.appendChild(el("th", { class: "num", scope: "col" }, t.attr));
      sub.appendChild(el("th", { class: "num", scope: "col" }, t.secondary === "alerts_per_10k" ? "alerts /10k" : t.secondary));
    });
    ks.forEach(function () { sub.appendChild(el("th", { class: "num", scope: "col" }, "precision")); });
    var body = table.appendChild(el("tbody"));
    ordered.forEach(function (r) {
      var tr = body.appendChild(el("tr"));
      tr.appendChild(el("td")).appendChild(el("a", { href: self.base + r.url }, r.name));
      targets.forEach(function (t) {
        var p = at(r, t.metric), won = winners[t.metric] && winners[t.metric].id === r.id;
        tr.appendChild(el("td", { class: "num" }, formatNumber(p ? p.threshold : null)));
        var cell = tr.appendChild(el("td", { class: won ? "num reporter-best" : "num" }));
        cell.appendChild(el("strong", {}, formatNumber(p ? p.value : null)));
        tr.appendChild(el("td", { class: "num" }, formatNumber(p ? p.other : null)));
      });
      ks.forEach(function (k) { tr.appendChild(el("td", { class: "num" }, formatNumber((r.precision_at_k || {})[k]))); });
    });
    this.node.appendChild(el("div", { class: "reporter-table-wrap" })).appendChild(table);
    this.node.appendChild(el("p", { class: "reporter-caption" }, "Every run at the same operating points, best first at " + targets[0].label +
      "; the best run at each target is highlighted (failed and killed runs never are). Thresholds differ per run; alerts per 10,000 scored rows."));
  };

  Page.prototype.snippet = function (runs) {
    var ids = runs.map(function (r) { return JSON.stringify(r.id); }).join(", ");
    var p = el("p", {}, "To make this comparison a page of the site (with its own address, journal embeds and search), add it to ");
    p.appendChild(el("code", {}, "comparisons.yaml"));
    p.appendChild(document.createTextNode(" and rebuild:"));
    this.node.appendChild(p);
    var pre = el("pre", { class: "reporter-adhoc-snippet", tabindex: "0", "aria-label": "comparisons.yaml entry" });
    pre.appendChild(el("code", {}, "- title: My comparison\n  select:\n    runs: [" + ids + "]\n"));
    this.node.appendChild(pre);
  };

  /* reporter.js draws the charts (loading plotly.js on demand, in the page's palette). */
  Page.prototype.drawCharts = function () {
    this.node.setAttribute("data-charts", String(this.charts.length));
    if (this.charts.length && window.ReporterCharts) window.ReporterCharts.draw(this.node);
    return Promise.resolve();
  };

  function drawAll() {
    Array.prototype.forEach.call(document.querySelectorAll(".reporter-adhoc:not([data-started])"), function (node) {
      node.setAttribute("data-started", "1");
      var page = new Page(node);
      page.start(runsFromSearch(window.location.search)).catch(function (e) {
        node.appendChild(el("p", { class: "reporter-empty" }, "This comparison could not be drawn: " + e));
      });
    });
  }

  function start() {
    if (typeof document === "undefined") return;
    if (typeof window.document$ !== "undefined" && window.document$.subscribe) window.document$.subscribe(drawAll);
    else if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", drawAll);
    else drawAll();
  }

  return {
    sha256: sha256,
    dataFile: dataFile,
    runsFromSearch: runsFromSearch,
    compareUrl: compareUrl,
    downsample: downsample,
    runColours: runColours,
    thin: thin,
    overlay: overlay,
    start: start,
  };
});
