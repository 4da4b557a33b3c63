// Unit tests of the leaderboard's view (reporter/pages/assets/view.js): URL state, filter, CSV.
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const path = require("node:path");

const V = require(path.join(__dirname, "..", "..", "reporter", "pages", "assets", "view.js"));

const COLUMNS = [{ key: "roc_auc" }, { key: "log_loss" }];
const ROWS = [
  { id: "a/hgb", name: "HGB", experiment: "boosting", status: "completed", tags: ["seed-study"],
    metrics: [0.95, 0.1], params: { "model.max_depth": "8" } },
  { id: "a/lr", name: "Logistic", experiment: "baselines", status: "failed", tags: [],
    metrics: [0.85, null], params: { "model.C": "1.0" } },
];

test("state round-trips through the query string; defaults stay out of it", () => {
  const defaults = { sort: "metrics.roc_auc", desc: true, cols: ["roc_auc"] };
  assert.equal(V.toSearch({ q: "", sort: "metrics.roc_auc", desc: true, cols: ["roc_auc"], runs: [] }, defaults), "");
  const state = { q: "metrics.roc_auc > 0.9 & name ~ 'a b'", sort: "metrics.log,loss", desc: false,
                  cols: ["roc_auc", "a,b"], runs: ["x/1", "y,2", "ü"] };
  const search = V.toSearch(state, defaults);
  assert.ok(!search.includes(" "));
  assert.deepEqual(V.parseState(search), state);
  assert.deepEqual(V.parseState("?q=metrics.roc_auc%20%3E%200.9"),
                   { q: "metrics.roc_auc > 0.9", sort: null, desc: null, cols: null, runs: [] });
  assert.deepEqual(V.parseState("?cols=").cols, []);
  assert.equal(V.parseState("?q=%E0%A4%A").q, "%E0%A4%A");
});

test("plain words filter by name, id, experiment, status and tags", () => {
  const ids = (t) => V.filterRows(t, ROWS, COLUMNS).rows.map((r) => r.id);
  assert.deepEqual(ids("hgb"), ["a/hgb"]);
  assert.deepEqual(ids("BASELINES"), ["a/lr"]);
  assert.deepEqual(ids("seed-study"), ["a/hgb"]);
  assert.deepEqual(ids(""), ["a/hgb", "a/lr"]);
  assert.equal(V.filterRows("hgb", ROWS, COLUMNS).query, false);
});

test("queries filter; an invalid one keeps every row and says where", () => {
  let r = V.filterRows("metrics.roc_auc > 0.9", ROWS, COLUMNS);
  assert.deepEqual(r.rows.map((x) => x.id), ["a/hgb"]);
  assert.equal(r.error, null);
  assert.deepEqual(V.filterRows("params.model.C = 1", ROWS, COLUMNS).rows.map((x) => x.id), ["a/lr"]);
  assert.deepEqual(V.filterRows("tags.seed-study or status = failed", ROWS, COLUMNS).rows.length, 2);
  r = V.filterRows("  metrics.roc_auc >", ROWS, COLUMNS);
  assert.equal(r.rows.length, 2);
  assert.equal(r.error.start, 19);
  r = V.filterRows("metrics.roc_acu > 0.9", ROWS, COLUMNS);
  assert.equal(r.rows.length, 2);
  assert.match(r.error.message, /no run has a metric 'roc_acu'; did you mean 'roc_auc'\?/);
  assert.deepEqual([r.error.start, r.error.end], [0, 15]);
  r = V.filterRows("params.model.depth = 3", ROWS, COLUMNS);
  assert.match(r.error.message, /no run has a parameter 'model.depth'/);
});

test("CSV quotes what needs it and defuses formulas", () => {
  const csv = V.toCsv(["id", "name", "roc_auc"], [
    ["a", 'say "hi", then\nleave', 0.5],
    ["=HYPERLINK(\"x\")", "+1", null],
    ["-x", "@sum", NaN],
    ["t", ["a", "b"], 3],
  ]);
  assert.equal(csv, 'id,name,roc_auc\r\na,"say ""hi"", then\nleave",0.5\r\n' +
    "\"'=HYPERLINK(\"\"x\"\")\",'+1,\r\n'-x,'@sum,\r\nt,a;b,3\r\n");
});
