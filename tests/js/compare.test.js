// Unit tests of the ad-hoc comparison's pure helpers (reporter/pages/assets/compare.js).
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const crypto = require("node:crypto");
const path = require("node:path");

const C = require(path.join(__dirname, "..", "..", "reporter", "pages", "assets", "compare.js"));

test("sha256 matches node's crypto on every length around the block boundaries and any text", () => {
  const texts = ["", "a", "abc", "fraud/hgb-d8", "ü/日本語/🙂", "a,b%2Cc", "../../etc/passwd", "\u2028\u0000"];
  for (let n = 50; n < 140; n++) texts.push("x".repeat(n));
  for (const text of texts) {
    const want = crypto.createHash("sha256").update(text, "utf8").digest("hex");
    assert.equal(C.sha256(text), want, JSON.stringify(text));
  }
});

test("a run's data file is named by the digest only", () => {
  const file = C.dataFile("../<script>/x");
  assert.match(file, /^assets\/reporter\/runs\/[0-9a-f]{2}\/[0-9a-f]{24}\.js$/);
  assert.equal(file.slice(21, 23), file.slice(24, 26));
});

test("ids from the query string: literal commas separate, encoded ones belong to an id", () => {
  assert.deepEqual(C.runsFromSearch("?runs=a,b%2Cc,d%2Fe"), ["a", "b,c", "d/e"]);
  assert.deepEqual(C.runsFromSearch("?x=1&runs=a,,a,b+c"), ["a", "b c"]);
  assert.deepEqual(C.runsFromSearch("?runs=%E0%A4%A"), ["%E0%A4%A"]);
  assert.deepEqual(C.runsFromSearch(""), []);
  const ids = ["fraud/hgb", "a,b", "ü & 'q'", "?runs=x"];
  assert.deepEqual(C.runsFromSearch(C.compareUrl(ids)), ids);
});

test("downsample keeps first, last and the extremes within the budget", () => {
  const y = Array.from({ length: 10000 }, (_, i) => Math.sin(i / 50));
  y[5000] = 99;
  y[7000] = -99;
  const keep = C.downsample(y, 200);
  assert.ok(keep.length <= 200, String(keep.length));
  assert.equal(keep[0], 0);
  assert.equal(keep[keep.length - 1], 9999);
  assert.ok(keep.includes(5000) && keep.includes(7000));
  assert.deepEqual(keep, [...keep].sort((a, b) => a - b));
  assert.deepEqual(C.downsample([1, 2, 3], 200), [0, 1, 2]);
});

test("thin spaces indices evenly", () => {
  assert.deepEqual(C.thin(5, 10), [0, 1, 2, 3, 4]);
  const kept = C.thin(1001, 11);
  assert.deepEqual(kept, [0, 100, 200, 300, 400, 500, 600, 700, 800, 900, 1000]);
});

test("overlay colours each run, thins to the budget, draws references once", () => {
  const part = (n, low) => ({
    layout: { title: { text: "ROC" }, height: 1, xaxis: { type: "log", range: [low, 0] } },
    traces: [{ type: "scatter", name: "r", line: { color: "#000" }, marker: { color: "#000" },
               x: [...Array(n).keys()], y: [...Array(n).keys()], customdata: [...Array(n).keys()] }],
    references: [{ name: `chance from ${low}`, hoverinfo: "skip" }],
    controls: [{ label: "FPR axis", options: [{ label: "log", relayout: {} }] },
               { label: "runs", options: [{ label: "hidden", restyle: {}, traces: [0] }] }],
  });
  const one = C.overlay([{ part: part(10, -2), colour: "#111111" }], { budget: 100 });
  assert.equal(one.data.length, 2);  // a single run keeps its reference line
  assert.equal(one.data[0].line.color, "#111111");
  assert.equal(one.data[0].marker.color, "#111111");
  const two = C.overlay([{ part: part(1000, -2), colour: "#111111" }, { part: part(10, -3), colour: "#222222" }],
                        { budget: 100 });
  assert.equal(two.data.length, 2);
  assert.equal(two.data[0].x.length, 100);
  assert.equal(two.data[0].customdata.length, 100);
  assert.deepEqual(two.data.map((t) => t.line.color), ["#111111", "#222222"]);
  assert.equal(two.downsampled, 1);
  const roc = C.overlay([{ part: part(10, -2) }, { part: part(10, -3) }], { budget: 100, references: "always" });
  assert.equal(roc.data.length, 3);
  assert.equal(roc.data[2].name, "chance from -3");  // the axis reaching lowest
  assert.deepEqual(roc.layout.xaxis.range, [-3, 0]);
  assert.deepEqual(roc.controls.map((c) => c.label), ["FPR axis"]);  // per-trace controls dropped
});
