/* Option (d) of bench/bench_search.py: Pagefind behind Material's search box.
 * Speaks Material's worker protocol (see worker.js) and asks Pagefind's own JS
 * (pagefind/pagefind.js, an ES module, loaded with import()) for the answers. */
"use strict";

var FIRST = 10, LIMIT = 50;
var base = new URL("../../", self.location.href);  // this file: <site>/search/pagefind-worker/
var pagefind = null;

function escapeHTML(s) {
  return String(s).replace(/[&<>"']/g, function (c) {
    return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
  });
}

function item(d, score) {
  var metric = d.meta && d.meta.metric
    ? '<p class="reporter-search-metric">' + escapeHTML(d.meta.metric) + "</p>" : "";
  return {
    location: d.url.replace(/^\//, ""),
    title: escapeHTML((d.meta && d.meta.title) || d.url),
    // Pagefind's excerpt is page text with <mark> added; its text is not escaped (see report)
    text: metric + "<p>" + d.excerpt + "</p>",
    score: score,
    terms: {}
  };
}

var latest = 0;
self.addEventListener("message", function (ev) {
  var message = ev.data;
  if (message.type === 0) {
    pagefind = import(new URL("pagefind/pagefind.js", base).href).then(function (pf) {
      return pf.options({ basePath: new URL("pagefind/", base).pathname, excerptLength: 24 })
        .then(function () { return pf.init(); })
        .then(function () { return pf; });
    });
    pagefind.then(function () { self.postMessage({ type: 1 }); });
  } else if (message.type === 2) {
    var mine = ++latest;
    var send = function (data) { if (mine === latest) self.postMessage({ type: 3, data: data }); };
    pagefind.then(function (pf) {
      return pf.search(message.data).then(function (r) {
        if (!r || !r.results.length) return send({ items: [] });
        var stage = function (n) {
          return Promise.all(r.results.slice(0, n).map(function (x) { return x.data(); }))
            .then(function (ds) {
              send({ items: ds.map(function (d, i) { return [item(d, r.results[i].score)]; }) });
            });
        };
        return stage(FIRST).then(function () {
          if (r.results.length > FIRST) return stage(LIMIT);
        });
      });
    }).catch(function (err) { console.warn("pagefind:", err); send({ items: [] }); });
  }
});
