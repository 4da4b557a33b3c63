// Unit tests of the leaderboard's query language (reporter/pages/assets/query.js), run by
// `node --test tests/js/` (tests/pages/test_js_assets.py runs them under pytest).
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const path = require("node:path");

const Q = require(path.join(__dirname, "..", "..", "reporter", "pages", "assets", "query.js"));

const ROWS = [
  { id: "fraud/hgb-d8", name: "HGB depth 8", experiment: "boosting", status: "completed",
    created: "2026-03-02 10:00", tags: ["boosting", "seed-study", "team=fraud"],
    metrics: { roc_auc: 0.95, log_loss: 0.1 }, params: { "model.max_depth": "8", "model.type": "hgb" } },
  { id: "fraud/hgb-d4", name: "HGB depth 4", experiment: "boosting", status: "failed",
    created: "2026-03-01 09:00", tags: ["boosting"],
    metrics: { roc_auc: 0.91, log_loss: null }, params: { "model.max_depth": "4", "model.type": "hgb" } },
  { id: "fraud/logreg", name: "Logistic regression", experiment: "baselines", status: "Completed",
    created: "2026-02-01 08:00", tags: ["baseline", "team:risk"],
    metrics: { roc_auc: 0.88 }, params: { "model.C": "1.0", "model.type": "logreg" } },
];

function resolve(field) {
  if (field.kind === "metrics") {
    if (!["roc_auc", "log_loss"].includes(field.name)) {
      throw new Q.QueryError(`no run has a metric '${field.name}'`, field.start, field.end);
    }
    return (r) => r.metrics[field.name];
  }
  if (field.kind === "params") return (r) => r.params[field.name];
  if (field.kind === "tags") return (r) => r.tags;
  return (r) => r[field.name];
}

function ids(query) {
  const keep = Q.compile(Q.parse(query), resolve);
  return ROWS.filter(keep).map((r) => r.id);
}

function error(query) {
  try {
    Q.compile(Q.parse(query), resolve);
  } catch (e) {
    assert.ok(e instanceof Q.QueryError, `${query}: ${e}`);
    return e;
  }
  assert.fail(`${query} parsed`);
}

test("numeric comparisons on metrics", () => {
  assert.deepEqual(ids("metrics.roc_auc > 0.9"), ["fraud/hgb-d8", "fraud/hgb-d4"]);
  assert.deepEqual(ids("metrics.roc_auc >= 0.91"), ["fraud/hgb-d8", "fraud/hgb-d4"]);
  assert.deepEqual(ids("metrics.roc_auc < 0.91"), ["fraud/logreg"]);
  assert.deepEqual(ids("metrics.roc_auc <= 0.91"), ["fraud/hgb-d4", "fraud/logreg"]);
  assert.deepEqual(ids("metrics.roc_auc = 0.95"), ["fraud/hgb-d8"]);
  assert.deepEqual(ids("metrics.roc_auc == 0.95"), ["fraud/hgb-d8"]);
  assert.deepEqual(ids("metrics.roc_auc != 0.95"), ["fraud/hgb-d4", "fraud/logreg"]);
  assert.deepEqual(ids("metrics.roc_auc<>0.95"), ["fraud/hgb-d4", "fraud/logreg"]);
  assert.deepEqual(ids("metrics.roc_auc>=9.1e-1"), ["fraud/hgb-d8", "fraud/hgb-d4"]);
  assert.deepEqual(ids("metrics.roc_auc > -1"), ROWS.map((r) => r.id));
});

test("a missing value matches no comparison, and `not` takes it back", () => {
  assert.deepEqual(ids("metrics.log_loss < 1"), ["fraud/hgb-d8"]);
  assert.deepEqual(ids("metrics.log_loss != 5"), ["fraud/hgb-d8"]);
  assert.deepEqual(ids("not metrics.log_loss < 1"), ["fraud/hgb-d4", "fraud/logreg"]);
  assert.deepEqual(ids("metrics.log_loss"), ["fraud/hgb-d8"]);
});

test("parameters with dotted names compare as numbers when both sides are numbers", () => {
  assert.deepEqual(ids("params.model.max_depth = 8"), ["fraud/hgb-d8"]);
  assert.deepEqual(ids("params.model.max_depth > 5"), ["fraud/hgb-d8"]);
  assert.deepEqual(ids("params.model.max_depth = '8'"), ["fraud/hgb-d8"]);
  assert.deepEqual(ids("params.model.C = 1"), ["fraud/logreg"]);
  assert.deepEqual(ids("params.model.type = HGB"), ["fraud/hgb-d8", "fraud/hgb-d4"]);
  assert.deepEqual(ids("params.model.C"), ["fraud/logreg"]);
  assert.deepEqual(ids("params.`model.C` = 1"), ["fraud/logreg"]);
});

test("the issue's example", () => {
  assert.deepEqual(ids("metrics.roc_auc > 0.9 and params.model.max_depth = 8"), ["fraud/hgb-d8"]);
});

test("tags: present, by key and value, any tag", () => {
  assert.deepEqual(ids("tags.seed-study"), ["fraud/hgb-d8"]);
  assert.deepEqual(ids("tags.SEED-STUDY"), ["fraud/hgb-d8"]);
  assert.deepEqual(ids("tags.team = fraud"), ["fraud/hgb-d8"]);
  assert.deepEqual(ids("tags.team = risk"), ["fraud/logreg"]);
  assert.deepEqual(ids("tags = baseline"), ["fraud/logreg"]);
  assert.deepEqual(ids("tags ~ boost"), ["fraud/hgb-d8", "fraud/hgb-d4"]);
  assert.deepEqual(ids("tags != boosting"), ["fraud/logreg"]);
  assert.deepEqual(ids("tags !~ team"), ["fraud/hgb-d4"]);
  assert.deepEqual(ids("not tags.seed-study"), ["fraud/hgb-d4", "fraud/logreg"]);
});

test("attributes: status, experiment, name, id, created; text is case-insensitive", () => {
  assert.deepEqual(ids("status = completed"), ["fraud/hgb-d8", "fraud/logreg"]);
  assert.deepEqual(ids("attributes.status = 'FAILED'"), ["fraud/hgb-d4"]);
  assert.deepEqual(ids("experiment = boosting"), ["fraud/hgb-d8", "fraud/hgb-d4"]);
  assert.deepEqual(ids("name ~ hgb"), ["fraud/hgb-d8", "fraud/hgb-d4"]);
  assert.deepEqual(ids("name !~ hgb"), ["fraud/logreg"]);
  assert.deepEqual(ids('name = "Logistic regression"'), ["fraud/logreg"]);
  assert.deepEqual(ids("id ~ d4"), ["fraud/hgb-d4"]);
  assert.deepEqual(ids("created >= 2026-03-01"), ["fraud/hgb-d8", "fraud/hgb-d4"]);
  assert.deepEqual(ids("created < 2026-03"), ["fraud/logreg"]);
  assert.deepEqual(ids("status=completed"), ["fraud/hgb-d8", "fraud/logreg"]);
});

test("and binds tighter than or; not and parentheses", () => {
  assert.deepEqual(ids("status = failed or experiment = baselines and metrics.roc_auc > 0.9"), ["fraud/hgb-d4"]);
  assert.deepEqual(ids("(status = failed or experiment = baselines) and metrics.roc_auc > 0.9"), ["fraud/hgb-d4"]);
  assert.deepEqual(ids("not (status = failed or experiment = baselines)"), ["fraud/hgb-d8"]);
  assert.deepEqual(ids("not not tags.seed-study"), ["fraud/hgb-d8"]);
  assert.deepEqual(ids("NOT status = completed AND tags.boosting"), ["fraud/hgb-d4"]);
  assert.deepEqual(ids("((name ~ hgb))"), ["fraud/hgb-d8", "fraud/hgb-d4"]);
});

test("errors name the place", () => {
  let e = error("metrics.roc_auc > ");
  assert.match(e.message, /expected a value after '>', found the end of the query/);
  assert.equal(e.start, 18);

  e = error("metrics.roc_auc > 0.9 and");
  assert.match(e.message, /expected a field/);
  assert.equal(e.start, 25);

  e = error("(status = failed");
  assert.match(e.message, /expected '\)' to close the '\(' at 1/);

  e = error("status = failed)");
  assert.equal(e.start, 15);

  e = error("colour = red");
  assert.match(e.message, /unknown field 'colour'/);
  assert.deepEqual([e.start, e.end], [0, 6]);

  e = error("metrics.roc_acu > 0.9");
  assert.match(e.message, /no run has a metric 'roc_acu'/);
  assert.deepEqual([e.start, e.end], [0, 15]);

  e = error("name = 'hgb");
  assert.match(e.message, /unclosed quote '/);
  assert.equal(e.start, 7);

  e = error("status = completed extra");
  assert.match(e.message, /expected 'and', 'or' or the end of the query, found 'extra'/);
  assert.equal(e.start, 19);

  e = error("metrics. > 1");
  assert.match(e.message, /a name must follow 'metrics.'/);

  e = error("name ! hgb");
  assert.match(e.message, /unexpected '!'/);
  assert.equal(e.start, 5);

  e = error("status in (a, b)");
  assert.ok(e.start >= 7);

  assert.match(error("   ").message, /empty/);
});

test("plain text is not taken for a query", () => {
  for (const text of ["run 42", "logistic", "hgb depth", "seed-study", "boosting and baseline"]) {
    assert.equal(Q.isQuery(text), false, text);
  }
  for (const text of ["metrics.roc_auc > 0.9", "tags.seed-study", "status = completed", "name ~ hgb",
                      "(a)", "params.model.C"]) {
    assert.equal(Q.isQuery(text), true, text);
  }
});

test("did you mean", () => {
  assert.equal(Q.closest("roc_acu", ["roc_auc", "log_loss"]), "roc_auc");
  assert.equal(Q.closest("zzz", ["roc_auc", "log_loss"]), null);
});

test("hostile text never runs or throws anything but a QueryError", () => {
  for (const text of ["name = '</script><img src=x onerror=alert(1)>'", "name ~ \"${alert(1)}\"",
                      "constructor.prototype", "__proto__ = 1", "tags.__proto__"]) {
    try {
      ids(text);
    } catch (e) {
      assert.ok(e instanceof Q.QueryError, `${text}: ${e}`);
    }
  }
  assert.deepEqual(ids("name = '</script><img src=x onerror=alert(1)>'"), []);
});
