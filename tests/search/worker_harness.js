// Runs reporter's search worker (reporter/search/worker.js) in node against an index folder:
//   node worker_harness.js WORKER INDEX_DIR < {"queries": [...]}  ->  {"results": [...]}
// `fetch` reads the index's files; each query's last RESULT message is printed.
//   {"typed": ["r", "ru", "run"]}: sent at once, as keystrokes -> {"results": [every RESULT
//   message], "fetched": [index paths, in order]}
"use strict";
const fs = require("fs"), path = require("path"), vm = require("vm");
const [worker, root] = process.argv.slice(2);
let onMessage = null;
const posted = [];
const fetched = [];
const context = {
  self: {
    location: { href: "http://localhost/search/reporter/worker.js?v=1" },
    addEventListener(type, fn) { if (type === "message") onMessage = fn; },
    postMessage(message) { posted.push(message); },
  },
  fetch(url) {
    const rel = new URL(url).pathname.replace(/^\/search\/reporter\//, "");
    fetched.push(rel);
    const file = path.join(root, rel);
    return Promise.resolve(fs.existsSync(file)
      ? { ok: true, status: 200, json: () => Promise.resolve(JSON.parse(fs.readFileSync(file, "utf8"))) }
      : { ok: false, status: 404, json: () => Promise.reject(new Error("404")) });
  },
  URL, Map, Promise, console,
};
vm.createContext(context);
vm.runInContext(fs.readFileSync(worker, "utf8"), context);
const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

(async () => {
  const { queries, typed } = JSON.parse(fs.readFileSync(0, "utf8"));
  onMessage({ data: { type: 0, data: { config: {}, docs: [] } } });
  await settle();
  if (!posted.some((m) => m.type === 1)) throw new Error("no READY");
  if (typed) {
    posted.length = 0;
    fetched.length = 0;
    for (const query of typed) onMessage({ data: { type: 2, data: query } });
    await settle();
    const answers = posted.filter((m) => m.type === 3).map((m) => m.data.items);
    console.log(JSON.stringify({ results: answers, fetched }));
    return;
  }
  const results = [];
  for (const query of queries) {
    posted.length = 0;
    onMessage({ data: { type: 2, data: query } });
    await settle();
    const answers = posted.filter((m) => m.type === 3);
    results.push(answers.length ? answers[answers.length - 1].data.items : null);
  }
  console.log(JSON.stringify({ results }));
})().catch((err) => { console.error(err); process.exit(1); });
