/* reporter: the leaderboard's query language, modelled on MLflow's run search.

     metrics.roc_auc > 0.9 and params.model.max_depth = 8
     tags.seed-study or (status = completed and not name ~ hgb)

   parse(text) gives a syntax tree or throws a QueryError naming the place (start, end) in the
   text; compile(tree, resolve) turns it into a predicate of a row, asking `resolve(field)` once
   per field for a getter (so filtering 10,000 rows does no string work per row but the
   comparisons themselves). No DOM here: the leaderboard uses it, node tests it. */
(function (root, factory) {
  "use strict";
  if (typeof module === "object" && module.exports) module.exports = factory();
  else root.ReporterQuery = factory();
})(typeof self !== "undefined" ? self : this, function () {
  "use strict";

  var PREFIXES = ["metrics", "params", "tags", "attributes"];
  var ATTRIBUTES = ["name", "id", "experiment", "status", "created", "tags"];
  var KEYWORDS = { and: 1, or: 1, not: 1 };
  var OPERATORS = ["==", "!=", "<>", ">=", "<=", "!~", "=", ">", "<", "~"];
  var WORD = /[^\s()'"`=<>!~,]/;
  var NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i;

  function QueryError(message, start, end) {
    this.name = "QueryError";
    this.message = message;
    this.start = start;
    this.end = Math.max(end === undefined ? start + 1 : end, start + 1);
  }
  QueryError.prototype = Object.create(Error.prototype);
  QueryError.prototype.constructor = QueryError;

  /* ---------- tokens ---------- */

  function tokenize(text) {
    var tokens = [], i = 0, n = text.length;
    while (i < n) {
      var c = text.charAt(i);
      if (/\s/.test(c)) { i += 1; continue; }
      var start = i;
      if (c === "(" || c === ")") {
        tokens.push({ type: c, start: i, end: i + 1 });
        i += 1;
        continue;
      }
      var op = OPERATORS.filter(function (o) { return text.substr(i, o.length) === o; })[0];
      if (op) {
        tokens.push({ type: "op", value: op, start: i, end: i + op.length });
        i += op.length;
        continue;
      }
      if (c === "'" || c === '"' || c === "`") {
        var value = "";
        i += 1;
        while (i < n && text.charAt(i) !== c) {
          if (text.charAt(i) === "\\" && i + 1 < n) i += 1;
          value += text.charAt(i);
          i += 1;
        }
        if (i >= n) throw new QueryError("unclosed quote " + c, start, n);
        i += 1;
        tokens.push({ type: c === "`" ? "word" : "string", value: value, quoted: true, start: start, end: i });
        continue;
      }
      if (c === ",") throw new QueryError("unexpected ','", i);
      var word = "";
      while (i < n) {
        var d = text.charAt(i);
        if (WORD.test(d)) { word += d; i += 1; }
        else if (d === "`" && /\.$/.test(word)) {
          /* params.`a key with spaces` */
          var close = text.indexOf("`", i + 1);
          if (close < 0) throw new QueryError("unclosed quote `", i, n);
          word += text.slice(i + 1, close);
          i = close + 1;
        } else break;
      }
      if (!word) throw new QueryError("unexpected '" + c + "'", i);
      var lower = word.toLowerCase();
      tokens.push({ type: KEYWORDS[lower] ? lower : "word", value: word, start: start, end: i });
    }
    tokens.push({ type: "end", start: n, end: n });
    return tokens;
  }

  /* ---------- syntax ---------- */

  function Parser(text) {
    this.text = text;
    this.tokens = tokenize(text);
    this.at = 0;
  }

  Parser.prototype.peek = function () { return this.tokens[this.at]; };
  Parser.prototype.next = function () { return this.tokens[this.at++]; };

  Parser.prototype.expect = function (type, what) {
    var t = this.peek();
    if (t.type !== type) throw this.unexpected(t, what);
    return this.next();
  };

  Parser.prototype.unexpected = function (t, wanted) {
    var found = t.type === "end" ? "the end of the query"
      : "'" + this.text.slice(t.start, t.end) + "'";
    return new QueryError("expected " + wanted + ", found " + found, t.start, t.end);
  };

  Parser.prototype.parse = function () {
    if (this.peek().type === "end") throw new QueryError("the query is empty", 0);
    var tree = this.or();
    var t = this.peek();
    if (t.type !== "end") {
      throw this.unexpected(t, t.type === ")" ? "no ')' without its '('" : "'and', 'or' or the end of the query");
    }
    return tree;
  };

  Parser.prototype.or = function () {
    var left = this.and();
    while (this.peek().type === "or") {
      this.next();
      left = { type: "or", left: left, right: this.and() };
    }
    return left;
  };

  Parser.prototype.and = function () {
    var left = this.not();
    while (this.peek().type === "and") {
      this.next();
      left = { type: "and", left: left, right: this.not() };
    }
    return left;
  };

  Parser.prototype.not = function () {
    if (this.peek().type === "not") {
      this.next();
      return { type: "not", operand: this.not() };
    }
    return this.primary();
  };

  Parser.prototype.primary = function () {
    var t = this.peek();
    if (t.type === "(") {
      this.next();
      var inner = this.or();
      var close = this.peek();
      if (close.type !== ")") throw new QueryError("expected ')' to close the '(' at " + (t.start + 1) + ", found " +
        (close.type === "end" ? "the end of the query" : "'" + this.text.slice(close.start, close.end) + "'"), close.start, close.end);
      this.next();
      return inner;
    }
    if (t.type !== "word") throw this.unexpected(t, "a field such as metrics.roc_auc, params.<name>, tags.<name>, status, experiment or name");
    var field = this.field(this.next());
    var op = this.peek();
    if (op.type !== "op") return { type: "has", field: field };
    this.next();
    var v = this.peek();
    if (v.type !== "word" && v.type !== "string") throw this.unexpected(v, "a value after '" + op.value + "'");
    this.next();
    var raw = v.value;
    var number = !v.quoted && NUMBER.test(raw) ? Number(raw) : null;
    return {
      type: "compare", field: field, op: normalOp(op.value), value: raw, number: number,
      start: t.start, end: v.end,
    };
  };

  Parser.prototype.field = function (t) {
    var word = t.value, dot = word.indexOf(".");
    var head = (dot < 0 ? word : word.slice(0, dot)).toLowerCase();
    if (dot > 0 && PREFIXES.indexOf(head) >= 0) {
      var name = word.slice(dot + 1);
      if (!name) throw new QueryError("a name must follow '" + head + ".'", t.start, t.end);
      if (head === "attributes") {
        var attr = name.toLowerCase();
        if (ATTRIBUTES.indexOf(attr) < 0) throw unknownField(word, t);
        return { kind: "attr", name: attr, text: word, start: t.start, end: t.end };
      }
      return { kind: head, name: name, text: word, start: t.start, end: t.end };
    }
    if (ATTRIBUTES.indexOf(word.toLowerCase()) >= 0) {
      return { kind: "attr", name: word.toLowerCase(), text: word, start: t.start, end: t.end };
    }
    throw unknownField(word, t);
  };

  function unknownField(word, t) {
    return new QueryError("unknown field '" + word + "': use metrics.<name>, params.<name>, tags.<name>, " +
      ATTRIBUTES.join(", ") + " (or quote text to search for it)", t.start, t.end);
  }

  function normalOp(op) {
    return op === "==" ? "=" : op === "<>" ? "!=" : op;
  }

  function parse(text) {
    return new Parser(String(text)).parse();
  }

  /* ---------- evaluation ---------- */

  function asNumber(v) {
    if (typeof v === "number") return isFinite(v) ? v : null;
    if (typeof v === "boolean") return null;
    if (typeof v === "string" && NUMBER.test(v.trim())) return Number(v.trim());
    return null;
  }

  function text(v) {
    return String(v).toLowerCase();
  }

  /* One value against the query's value: numbers as numbers when both sides are numbers,
     otherwise text, case-insensitively. A missing value matches no comparison. */
  function comparer(node) {
    var op = node.op, wanted = node.value.toLowerCase(), number = node.number;
    return function (v) {
      if (v === null || v === undefined || v === "") return false;
      var n = number === null ? null : asNumber(v);
      if (op === "~") return text(v).indexOf(wanted) >= 0;
      if (op === "!~") return text(v).indexOf(wanted) < 0;
      var a, b;
      if (n !== null) { a = n; b = number; }
      else { a = text(v); b = wanted; }
      switch (op) {
        case "=": return a === b;
        case "!=": return a !== b;
        case ">": return a > b;
        case ">=": return a >= b;
        case "<": return a < b;
        case "<=": return a <= b;
      }
      return false;
    };
  }

  /* `resolve(field)` returns a getter row -> value (a list for tags), or throws a QueryError
     (an unknown metric, say); the getter is asked once per field, not once per row. */
  function compile(tree, resolve) {
    switch (tree.type) {
      case "and": {
        var a = compile(tree.left, resolve), b = compile(tree.right, resolve);
        return function (row) { return a(row) && b(row); };
      }
      case "or": {
        var l = compile(tree.left, resolve), r = compile(tree.right, resolve);
        return function (row) { return l(row) || r(row); };
      }
      case "not": {
        var inner = compile(tree.operand, resolve);
        return function (row) { return !inner(row); };
      }
      case "has": return hasField(tree.field, resolve(tree.field));
      case "compare": return compareField(tree, resolve(tree.field));
    }
    throw new Error("unknown node " + tree.type);
  }

  function hasField(field, get) {
    if (field.kind === "tags") {
      var tag = field.name.toLowerCase();
      return function (row) {
        return (get(row) || []).some(function (t) { return String(t).toLowerCase() === tag; });
      };
    }
    return function (row) {
      var v = get(row);
      if (Array.isArray(v)) return v.length > 0;
      return v !== null && v !== undefined && v !== "" && v !== false;
    };
  }

  function compareField(node, get) {
    var test = comparer(node);
    if (node.field.kind === "tags") {
      /* tags.team = fraud: a tag "team=fraud" or "team:fraud" (trackers' key-value tags) */
      var key = node.field.name.toLowerCase();
      return function (row) {
        return (get(row) || []).some(function (t) {
          var s = String(t), cut = s.search(/[=:]/);
          return cut >= 0 && s.slice(0, cut).toLowerCase() === key && test(s.slice(cut + 1));
        });
      };
    }
    return function (row) {
      var v = get(row);
      if (Array.isArray(v)) {
        /* tags = x, tags ~ x: any tag; tags != x, tags !~ x: no tag */
        if (node.op === "!=" || node.op === "!~") {
          var positive = comparer({ op: node.op === "!=" ? "=" : "~", value: node.value, number: node.number });
          return !v.some(positive);
        }
        return v.some(test);
      }
      return test(v);
    };
  }

  /* Whether the text is meant as a query rather than words to look for: an operator, a
     parenthesis, or a field with its prefix (`tags.seed-study`). */
  function isQuery(text) {
    var s = String(text);
    return /[=<>~!()]/.test(s) || /(^|[\s(])(metrics|params|tags|attributes)\.\S/i.test(s);
  }

  /* Closest known name, for "did you mean" (edit distance at most a third of its length). */
  function closest(name, known) {
    var best = null, bestD = Infinity;
    known.forEach(function (k) {
      var d = distance(name.toLowerCase(), k.toLowerCase());
      if (d < bestD) { best = k; bestD = d; }
    });
    return best !== null && bestD <= Math.max(1, Math.floor(best.length / 3)) ? best : null;
  }

  function distance(a, b) {
    var prev = [], cur, i, j;
    for (j = 0; j <= b.length; j++) prev.push(j);
    for (i = 1; i <= a.length; i++) {
      cur = [i];
      for (j = 1; j <= b.length; j++) {
        cur.push(Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a.charAt(i - 1) === b.charAt(j - 1) ? 0 : 1)));
      }
      prev = cur;
    }
    return prev[b.length];
  }

  return {
    QueryError: QueryError,
    tokenize: tokenize,
    parse: parse,
    compile: compile,
    isQuery: isQuery,
    closest: closest,
    ATTRIBUTES: ATTRIBUTES,
  };
});
