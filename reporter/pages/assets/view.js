/* reporter: the leaderboard's view as data: its state in the URL (query, sort, visible
   columns, ticked runs), its filter (a query in the language of query.js, or plain words), and
   the CSV of what it shows. No DOM here: leaderboard.js draws, node tests this. */
(function (root, factory) {
  "use strict";
  if (typeof module === "object" && module.exports) module.exports = factory(require("./query.js"));
  else root.ReporterView = factory(root.ReporterQuery);
})(typeof self !== "undefined" ? self : this, function (Query) {
  "use strict";

  /* ---------- URL state ----------
     ?q=<query>&sort=<key>&desc=1&cols=a,b&runs=x,y  (keys: name, experiment, created, status,
     tags or metrics.<name>). Lists are separated by literal commas, each item percent-encoded,
     so any run id or metric name survives. Absent parameters mean the page's defaults. */

  function decode(raw) {
    try { return decodeURIComponent(raw.replace(/\+/g, " ")); } catch (e) { return raw; }
  }

  function encode(text) {
    return encodeURIComponent(text);
  }

  function parseState(search) {
    var state = { q: "", sort: null, desc: null, cols: null, runs: [] };
    String(search || "").replace(/^\?/, "").split("&").forEach(function (part) {
      if (!part) return;
      var eq = part.indexOf("="), key = eq < 0 ? part : part.slice(0, eq), raw = eq < 0 ? "" : part.slice(eq + 1);
      if (key === "q") state.q = decode(raw);
      else if (key === "sort") state.sort = decode(raw) || null;
      else if (key === "desc") state.desc = raw === "1" || raw === "true";
      else if (key === "cols") state.cols = raw ? raw.split(",").map(decode).filter(Boolean) : [];
      else if (key === "runs") state.runs = raw.split(",").map(decode).filter(Boolean);
    });
    return state;
  }

  /* The query string of `state`, leaving out what equals `defaults` (so a fresh view is a
     bare address). */
  function toSearch(state, defaults) {
    var parts = [];
    if (state.q) parts.push("q=" + encode(state.q));
    if (state.sort && (state.sort !== defaults.sort || state.desc !== defaults.desc)) {
      parts.push("sort=" + encode(state.sort));
      parts.push("desc=" + (state.desc ? "1" : "0"));
    }
    if (state.cols && !sameList(state.cols, defaults.cols || [])) parts.push("cols=" + state.cols.map(encode).join(","));
    if (state.runs && state.runs.length) parts.push("runs=" + state.runs.map(encode).join(","));
    return parts.length ? "?" + parts.join("&") : "";
  }

  function sameList(a, b) {
    return a.length === b.length && a.every(function (x, i) { return x === b[i]; });
  }

  /* ---------- filtering ---------- */

  /* A getter per query field over leaderboard rows: metrics by column, params, tags, the
     run's attributes. An unknown metric or parameter is an error naming it, with the closest
     known name. */
  function resolver(columns, paramKeys) {
    var index = {};
    columns.forEach(function (c, i) { index[c.key] = i; });
    return function (field) {
      if (field.kind === "metrics") {
        if (!Object.prototype.hasOwnProperty.call(index, field.name)) {
          throw unknown("metric", field, columns.map(function (c) { return c.key; }));
        }
        var i = index[field.name];
        return function (row) { return row.metrics[i]; };
      }
      if (field.kind === "params") {
        if (paramKeys && !Object.prototype.hasOwnProperty.call(paramKeys, field.name)) {
          throw unknown("parameter", field, Object.keys(paramKeys));
        }
        var name = field.name;
        return function (row) {
          return row.params && Object.prototype.hasOwnProperty.call(row.params, name) ? row.params[name] : undefined;
        };
      }
      if (field.kind === "tags") return function (row) { return row.tags; };
      var attr = field.name;
      return function (row) { return row[attr]; };
    };
  }

  function unknown(what, field, known) {
    var near = Query.closest(field.name, known);
    return new Query.QueryError("no run has a " + what + " '" + field.name + "'" +
      (near ? "; did you mean '" + near + "'?" : ""), field.start, field.end);
  }

  function paramKeysOf(rows) {
    var keys = {};
    rows.forEach(function (r) { Object.keys(r.params || {}).forEach(function (k) { keys[k] = 1; }); });
    return keys;
  }

  function searchText(row) {
    return [row.name, row.id, row.experiment, row.status].concat(row.tags).join(" ").toLowerCase();
  }

  /* The rows `text` keeps: a query (when it reads as one) or words looked for in a run's name,
     id, experiment, status and tags. A query that does not parse keeps every row and says
     where it went wrong: {rows, error: {message, start, end}, query: bool}. */
  function filterRows(text, rows, columns, paramKeys) {
    var trimmed = String(text || "").trim();
    if (!trimmed) return { rows: rows, error: null, query: false };
    if (!Query.isQuery(trimmed)) {
      var needle = trimmed.toLowerCase();
      return {
        rows: rows.filter(function (r) {
          if (r._text === undefined) r._text = searchText(r);
          return r._text.indexOf(needle) >= 0;
        }),
        error: null,
        query: false,
      };
    }
    var offset = String(text).indexOf(trimmed);
    try {
      var keep = Query.compile(Query.parse(trimmed), resolver(columns, paramKeys || paramKeysOf(rows)));
      return { rows: rows.filter(keep), error: null, query: true };
    } catch (e) {
      if (!(e instanceof Query.QueryError)) throw e;
      return { rows: rows, error: { message: e.message, start: e.start + offset, end: e.end + offset }, query: true };
    }
  }

  /* ---------- CSV ---------- */

  /* RFC 4180 CSV; a text cell a spreadsheet would run as a formula (=, +, -, @, tab, CR) gets a
     leading apostrophe, since run names and tags are anyone's text. */
  function csvCell(v) {
    if (v === null || v === undefined) return "";
    if (typeof v === "number") return isFinite(v) ? String(v) : "";
    var s = Array.isArray(v) ? v.join(";") : String(v);
    if (/^[=+\-@\t\r]/.test(s)) s = "'" + s;
    return /[",\r\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
  }

  function toCsv(header, lines) {
    return [header].concat(lines).map(function (cells) { return cells.map(csvCell).join(","); }).join("\r\n") + "\r\n";
  }

  return {
    parseState: parseState,
    toSearch: toSearch,
    resolver: resolver,
    filterRows: filterRows,
    paramKeysOf: paramKeysOf,
    toCsv: toCsv,
    csvCell: csvCell,
  };
});
