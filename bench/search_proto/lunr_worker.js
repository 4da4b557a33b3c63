/* Option (c) of bench/bench_search.py: a lunr index serialised at build time (lunr.py),
 * loaded with lunr.Index.load instead of being built in the browser. Material's own worker
 * cannot take a serialised index (it always calls lunr() on the documents it is sent), so
 * this replaces it and speaks Material's worker protocol. lunr.js sits beside this file. */
"use strict";

importScripts("lunr.js");
var FIRST = 10, LIMIT = 50;
var loaded = null;

function escapeHTML(s) {
  return String(s).replace(/[&<>"']/g, function (c) {
    return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
  });
}

var latest = 0;
self.addEventListener("message", function (ev) {
  var message = ev.data;
  if (message.type === 0) {
    loaded = fetch(new URL("lunr_index.json", self.location.href)).then(function (r) { return r.json(); })
      .then(function (data) {
        lunr.tokenizer.separator = new RegExp(data.separator);
        return { index: lunr.Index.load(data.index), docs: data.docs };
      });
    loaded.then(function () { self.postMessage({ type: 1 }); });
  } else if (message.type === 2) {
    var mine = ++latest;
    loaded.then(function (l) {
      var q = message.data.trim().split(new RegExp(lunr.tokenizer.separator.source, "g"))
        .filter(Boolean).map(function (t) { return t.replace(/[:~^*+-]/g, "") + "*"; }).join(" ");
      var hits = [];
      try { hits = q ? l.index.search(q) : []; } catch (e) { hits = []; }
      var items = hits.slice(0, LIMIT).map(function (h) {
        var d = l.docs[h.ref];
        return [{ location: h.ref, title: escapeHTML(d[0]), text: "<p>" + escapeHTML(d[1]) + "</p>",
                  score: h.score, terms: {} }];
      });
      if (mine === latest) self.postMessage({ type: 3, data: { items: items } });
    });
  }
});
