/* Search worker for reporter sites: answers Material for MkDocs' search UI from a sharded
 * static index (search/reporter/), fetching only the shards a query needs.
 *
 * Material talks to its search worker with four messages (its `config.search` names the
 * worker's URL): {type: 0 SETUP, data: {config, docs, options}} -> {type: 1 READY};
 * {type: 2 QUERY, data: "text"} -> {type: 3 RESULT, data: {items: [[article, ...sections]]}}.
 * Material inserts titles, texts and tags as HTML: everything from the index is escaped here.
 * The tokeniser mirrors reporter/search/tokens.py (tests/search/test_tokens.py compares the two).
 */
"use strict";

var CJK = "\\u3040-\\u30ff\\u3400-\\u4dbf\\u4e00-\\u9fff\\uf900-\\ufaff";
var JOINERS = "._@\\-&/:+#'";
var WORD = "(?:(?![" + CJK + "])[\\p{L}\\p{N}])+";
var CHUNK = new RegExp("[" + CJK + "]+|" + WORD + "(?:[" + JOINERS + "_]+" + WORD + ")*", "gu");
var IS_CJK = new RegExp("^[" + CJK + "]", "u");
var MAX_TOKEN = 64;
var FIRST = 10;  // results Material shows before any scrolling

function normalise(text) { return text.normalize("NFKC").toLowerCase(); }

function queryTerms(query) {
  var terms = [];
  var chunks = normalise(query).match(CHUNK) || [];
  chunks.forEach(function (value) {
    var chars = Array.from(value);
    if (IS_CJK.test(value) && chars.length > 1) {
      for (var i = 0; i + 1 < chars.length; i++) terms.push(chars[i] + chars[i + 1]);
    } else {
      terms.push(chars.slice(0, MAX_TOKEN).join(""));
    }
  });
  return terms.filter(function (t, i) { return terms.indexOf(t) === i; });
}

function shardOf(token, shards, split) {
  // the first two characters pick the shard, one more while the prefix is split (tokens.py)
  var chars = Array.from(token), k = 2;
  while (split && chars.length > k && split.indexOf(chars.slice(0, k).join("")) >= 0) k++;
  var h = 0x811c9dc5;
  chars.slice(0, k).forEach(function (ch) {
    h ^= ch.codePointAt(0);
    h = Math.imul(h, 0x01000193) >>> 0;
  });
  return h % shards;
}

/* ---- index files ---- */

var base = new URL("./", self.location.href);
var meta = null;
var files = new Map();

function getJSON(path, mode) {
  return fetch(new URL(path, base), { cache: mode || "default" }).then(function (r) {
    if (!r.ok) throw new Error(r.status + " " + path);
    return r.json();
  });
}

function loadMeta(mode) {
  meta = getJSON("meta.json", mode || "no-cache");
  files.clear();
  return meta;
}

function file(m, path) {
  var key = m.id + "/" + path;
  if (!files.has(key)) {
    var p = getJSON(key);
    p.catch(function () { files.delete(key); });
    files.set(key, p);
  }
  return files.get(key);
}

/* ---- search ---- */

function postingsOf(m, shard, term) {
  // every token of the shard the term is a prefix of; one character only matches itself; a
  // split prefix (its longer tokens live in other shards) matches itself and, through its
  // entry "term*", every token it starts (index.py: PREFIX_MARK)
  var out = [];
  var n = Array.from(term).length;
  if (n === 1 || m.split.indexOf(term) >= 0) {
    if (shard.hasOwnProperty(term)) out.push({ token: term, list: shard[term] });
    if (n > 1 && shard.hasOwnProperty(term + "*")) out.push({ token: term + "*", list: shard[term + "*"] });
    return out;
  }
  Object.keys(shard).forEach(function (token) {
    if (token.lastIndexOf(term, 0) === 0 && token.indexOf("*") < 0) out.push({ token: token, list: shard[token] });
  });
  return out;
}

function decode(list) {
  // [delta*16 + weight, ...]; a negative n repeats the previous entry -n more times
  var docs = [], weights = [], doc = 0, prev = 0;
  for (var i = 0; i < list.length; i++) {
    var v = list[i], times = 1;
    if (v < 0) { times = -v; v = prev; }
    for (var k = 0; k < times; k++) { doc += v >> 4; docs.push(doc); weights.push(v & 15); }
    prev = v;
  }
  return { docs: docs, weights: weights };
}

function scoreTerm(m, shard, term) {
  var scores = new Map();
  postingsOf(m, shard, term).forEach(function (hit) {
    var p = decode(hit.list);
    var idf = Math.log(1 + m.docs / p.docs.length);
    var fit = hit.token === term ? 1
      : hit.token === term + "*" ? 0.5  // some longer token of a split prefix
      : 0.3 + 0.5 * term.length / hit.token.length;
    for (var i = 0; i < p.docs.length; i++) {
      var s = p.weights[i] * idf * fit;
      if (!(scores.get(p.docs[i]) >= s)) scores.set(p.docs[i], s);
    }
  });
  return scores;
}

function rank(m, terms) {
  return Promise.all(terms.map(function (t) {
    return file(m, "t/" + shardOf(t, m.shards, m.split) + ".json");
  })).then(function (shards) {
    var total = null;
    terms.forEach(function (t, i) {
      var scores = scoreTerm(m, shards[i], t);
      if (total === null) { total = scores; return; }
      var next = new Map();
      total.forEach(function (s, doc) {
        if (scores.has(doc)) next.set(doc, s + scores.get(doc));
      });
      total = next;
    });
    return Array.from(total || []).sort(function (a, b) { return b[1] - a[1] || a[0] - b[0]; });
  });
}

function records(m, ids) {
  // a lookup id -> document record, once the chunks holding `ids` have arrived
  var chunks = {};
  ids.forEach(function (id) { chunks[Math.floor(id / m.chunk)] = true; });
  var names = Object.keys(chunks);
  return Promise.all(names.map(function (n) { return file(m, "d/" + n + ".json"); }))
    .then(function (loaded) {
      var byChunk = {};
      names.forEach(function (n, i) { byChunk[n] = loaded[i]; });
      return function (id) { return byChunk[Math.floor(id / m.chunk)][id % m.chunk]; };
    });
}

/* ---- rendering (Material inserts these strings as HTML) ---- */

function escapeHTML(s) {
  return String(s).replace(/[&<>"']/g, function (c) {
    return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
  });
}

function marker(terms, query) {
  // highlight each term, and a CJK run whole (its pairs overlap)
  var runs = (normalise(query).match(CHUNK) || []).filter(function (c) { return IS_CJK.test(c); });
  var parts = terms.concat(runs).map(function (t) { return t.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"); });
  parts.sort(function (a, b) { return b.length - a.length; });
  return new RegExp(parts.join("|"), "giu");
}

function mark(text, re) {
  // escape, then wrap matches; matching runs on the raw text so entities are never split
  var out = "", last = 0, found = false, m;
  re.lastIndex = 0;
  while ((m = re.exec(text)) !== null) {
    if (!m[0]) { re.lastIndex++; continue; }
    out += escapeHTML(text.slice(last, m.index)) + "<mark>" + escapeHTML(m[0]) + "</mark>";
    last = m.index + m[0].length;
    found = true;
  }
  return { html: out + escapeHTML(text.slice(last)), found: found };
}

function excerpt(text, re, width) {
  re.lastIndex = 0;
  var m = re.exec(text);
  if (!m) return null;
  var start = Math.max(0, m.index - width), end = Math.min(text.length, m.index + width);
  var cut = text.slice(start, end);
  return (start > 0 ? "…" : "") + mark(cut, re).html + (end < text.length ? "…" : "");
}

function teaser(rec, re) {
  var html = "";
  if (rec[2]) html += '<p class="reporter-search-metric">' + escapeHTML(rec[2]) + "</p>";
  var shown = 0;
  rec[4].forEach(function (field) {
    if (shown >= 2) return;
    var quote = excerpt(field[1], re, 70);
    if (quote === null) return;
    shown++;
    html += "<p>" + (field[0] ? '<span class="reporter-search-label">' +
      escapeHTML(field[0]) + "</span> " : "") + quote + "</p>";
  });
  if (!shown && rec[4].length && !rec[2]) {
    html += "<p>" + escapeHTML(rec[4][0][1].slice(0, 140)) + "</p>";
  }
  return html;
}

function item(rec, score, re, terms) {
  var found = {};
  var hay = normalise([rec[1], rec[3].join(" ")].concat(rec[4].map(function (f) { return f[1]; })).join(" "));
  terms.forEach(function (t) { found[t] = hay.indexOf(t) >= 0; });
  var doc = {
    location: rec[0],
    title: mark(rec[1], re).html,
    text: teaser(rec, re),
    score: score,
    terms: found
  };
  if (rec[3].length) doc.tags = rec[3].map(function (t) { return mark(t, re).html; });
  return doc;
}

function pageOf(m, id) {
  // the page document a section belongs to (meta.pages: [first, last] ranges), else itself
  var lo = 0, hi = m.pages.length - 1;
  while (lo <= hi) {
    var mid = (lo + hi) >> 1, r = m.pages[mid];
    if (id < r[0]) hi = mid - 1;
    else if (id > r[1]) lo = mid + 1;
    else return r[0];
  }
  return id;
}

function search(query, send, current) {
  // send(result) is called with the best FIRST pages as soon as their documents arrive,
  // then with up to meta.limit pages (Material re-renders its list on each result). A query
  // no longer `current()` (the user typed on) stops before fetching documents, so the
  // browser's few connections serve the query Material will show
  var terms = queryTerms(query);
  if (!terms.length) return Promise.resolve(send({ items: [] }));
  return meta.then(function (m) {
    return rank(m, terms).then(function (ranked) {
      if (!current()) return;
      var groups = new Map(), order = [];
      for (var i = 0; i < ranked.length; i++) {
        var page = pageOf(m, ranked[i][0]);
        if (!groups.has(page)) {
          if (order.length >= m.limit) continue;
          groups.set(page, []);
          order.push(page);
        }
        groups.get(page).push(ranked[i]);
      }
      var re = marker(terms, query);
      var stage = function (pages) {
        var ids = [];
        pages.forEach(function (p) {
          ids.push(p);
          groups.get(p).forEach(function (r) { ids.push(r[0]); });
        });
        return records(m, ids).then(function (get) {
          return {
            items: pages.map(function (p) {
              var list = groups.get(p).map(function (r) { return item(get(r[0]), r[1], re, terms); });
              if (!groups.get(p).some(function (r) { return r[0] === p; })) {
                list.push(item(get(p), 0, re, terms));
              }
              return list;
            })
          };
        });
      };
      return stage(order.slice(0, FIRST)).then(function (first) {
        send(first);
        if (order.length > FIRST && current()) return stage(order).then(send);
      });
    });
  });
}

/* ---- Material's worker protocol ---- */

var latest = 0;

self.addEventListener("message", function (ev) {
  var message = ev.data;
  if (message.type === 0) {
    loadMeta().then(function () { self.postMessage({ type: 1 }); },
      function () { self.postMessage({ type: 1 }); });
  } else if (message.type === 2) {
    var mine = ++latest;
    var current = function () { return mine === latest; };
    var send = function (data) {
      if (current()) self.postMessage({ type: 3, data: data });
    };
    var run = function (retry) {
      return search(message.data, send, current).catch(function (err) {
        if (retry) { loadMeta("reload"); return run(false); }  // index replaced since meta.json was read
        console.warn("reporter search:", err);
        send({ items: [] });
      });
    };
    run(true);
  }
});
