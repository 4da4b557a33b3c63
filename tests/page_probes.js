/* Measurements of a rendered reporter page, for tests/test_pages_quality.py.
   Injected into the page after it loads; every function returns plain JSON-able data and
   leaves the page as it found it (scroll positions are put back). */
window.__probes = (function () {
  "use strict";

  function describe(el) {
    return el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
      Array.prototype.map.call(el.classList, function (c) { return "." + c; }).join("");
  }

  function label(el) {
    return (el.innerText || el.textContent || "").replace(/\s+/g, " ").trim().slice(0, 30);
  }

  function headingBefore(content, el) {
    var found = "";
    content.querySelectorAll("h1, h2, h3, h4").forEach(function (h) {
      if (h.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING) {
        found = h.textContent.replace("¶", "").trim();
      }
    });
    return found;
  }

  /* The inner box (inside borders, scroll bars excluded) in viewport coordinates. */
  function inside(box) {
    var r = box.getBoundingClientRect();
    var left = r.left + box.clientLeft;
    return { left: left, right: left + box.clientWidth };
  }

  function sticksOut(el, box) {
    var r = el.getBoundingClientRect(), b = inside(box);
    return Math.max(r.right - b.right, b.left - r.left, 0);
  }

  function scrolls(el) {
    var x = getComputedStyle(el).overflowX;
    return x === "auto" || x === "scroll";
  }

  function opaque(el) {
    var style = getComputedStyle(el);
    if (style.backgroundImage !== "none") return true;
    var parts = style.backgroundColor.match(/[\d.]+/g) || [];
    return parts.length === 3 || (parts.length === 4 && Number(parts[3]) >= 0.99);
  }

  /* Ancestors that clip or scroll sideways, innermost first, then the content area itself. */
  function boxesAround(table, content) {
    var list = [];
    for (var el = table.parentElement; el && el !== content; el = el.parentElement) {
      if (getComputedStyle(el).overflowX !== "visible") list.push(el);
    }
    list.push(content);
    return list;
  }

  function shown(el) { return el.getClientRects().length > 0; }

  /* The cells that tell rows apart: the first column, and the second too when the first holds
     no text in the body (a column of checkboxes). Returns [all such cells, the text column]. */
  function identityCells(table) {
    var left = table.getBoundingClientRect().left;
    var rows = Array.prototype.filter.call(table.rows, function (tr) { return shown(tr) && tr.cells.length; });
    var lead = rows.filter(function (tr) { return tr.cells[0].getBoundingClientRect().left - left < 2; });
    var first = lead.map(function (tr) { return tr.cells[0]; });
    var body = first.filter(function (c) { return c.closest("tbody"); });
    if (body.length && body.every(function (c) { return !label(c); })) {
      var second = lead.map(function (tr) { return tr.cells[1]; }).filter(Boolean);
      return [first.concat(second), second];
    }
    return [first, first];
  }

  /* Scrolled to the far right, can the reader still see these cells? */
  function hiddenWhenScrolled(region, cells) {
    var sample = [cells[0], cells[1], cells[cells.length - 1]].filter(function (c, i, all) {
      return c && all.indexOf(c) === i;
    });
    var gone = [];
    var pageX = window.scrollX, pageY = window.scrollY;
    region.scrollLeft = region.scrollWidth;
    sample.forEach(function (cell) {
      var box = inside(region), rect = cell.getBoundingClientRect();
      if (rect.left < box.left - 1 || rect.left >= box.right) {
        gone.push('"' + label(cell) + '" scrolled out of view');
        return;
      }
      window.scrollBy(0, rect.top + rect.height / 2 - window.innerHeight / 2);
      rect = cell.getBoundingClientRect();
      var hit = document.elementFromPoint(rect.left + Math.min(rect.width / 2, 8), rect.top + rect.height / 2);
      if (!hit || !(hit === cell || cell.contains(hit))) {
        gone.push('"' + label(cell) + '" covered by ' + (hit ? describe(hit) : "nothing"));
      }
    });
    region.scrollLeft = 0;
    window.scrollTo(pageX, pageY);
    return [gone, sample.length];
  }

  /* Every table in the content area: does it fit its box, or sit in a focusable scroll region
     whose first column stays put? */
  function tables(selector) {
    var content = document.querySelector(selector);
    if (!content) return [];
    return Array.prototype.map.call(content.querySelectorAll("table"), function (table, index) {
      var heads = Array.prototype.slice.call(table.querySelectorAll("thead th.num"));
      var found = {
        label: describe(table) + " #" + (index + 1) + ' under "' + headingBefore(content, table) + '"',
        problems: [], metricColumns: heads.length, visibleMetricColumns: 0, overflowPx: 0,
      };
      if (!shown(table)) { found.status = "hidden"; return found; }
      var region = table.scrollWidth > table.clientWidth + 1 && scrolls(table) ? table : null;
      var inner = table;
      boxesAround(table, content).some(function (box) {
        var by = Math.round(sticksOut(inner, box));
        if (by <= 1) return false;
        if (!region && box !== content && scrolls(box)) { region = box; inner = box; return false; }
        found.overflowPx = by;
        found.problems.push((inner === table ? "it" : "its scroll region " + describe(inner)) +
          " sticks out of " + describe(box) + " by " + by + " px" +
          (scrolls(box) ? "" : " (overflow-x: " + getComputedStyle(box).overflowX + ")"));
        return true;
      });
      found.status = region ? "scrolls" : found.problems.length ? "overflows" : "fits";
      var limit = region ? inside(region).right : Math.min(inside(content).right, document.documentElement.clientWidth);
      if (region) region.scrollLeft = 0;
      found.visibleMetricColumns = heads.filter(function (th) { return th.getBoundingClientRect().right <= limit + 1; }).length;
      if (!region) return found;
      found.overflowPx = found.overflowPx || region.scrollWidth - region.clientWidth;
      if (!(region.hasAttribute("tabindex") && region.tabIndex >= 0)) {
        found.problems.push("its scroll region " + describe(region) + " is not focusable (no tabindex >= 0)");
      }
      var cells = identityCells(table);
      var loose = cells[0].filter(function (c) { return getComputedStyle(c).position !== "sticky"; });
      if (loose.length) {
        found.problems.push(loose.length + " of " + cells[0].length + " first-column cells are not position: sticky");
      }
      var clear = cells[0].filter(function (c) { return loose.indexOf(c) < 0 && !opaque(c); });
      if (clear.length) {
        found.problems.push(clear.length + " sticky first-column cells have no opaque background (scrolled cells show through)");
      }
      var hidden = hiddenWhenScrolled(region, cells[1]);
      if (hidden[0].length) {
        found.problems.push("scrolled to the far right, " + hidden[0].length + " of " + hidden[1] +
          " sampled first-column cells are not visible: " + hidden[0].join("; "));
      }
      return found;
    });
  }

  /* How wide the page is against its window, and the outermost elements that stick out. */
  function pageWidth() {
    var page = document.scrollingElement, width = page.clientWidth;
    var result = { scrollWidth: page.scrollWidth, clientWidth: width, culprits: [] };
    if (page.scrollWidth <= width) return result;
    var clipped = function (el) {
      for (var up = el.parentElement; up && up !== document.body; up = up.parentElement) {
        if (getComputedStyle(up).overflowX !== "visible" && up.getBoundingClientRect().right <= width + 1) return true;
      }
      return false;
    };
    var wide = Array.prototype.filter.call(document.body.querySelectorAll("*"), function (el) {
      var r = el.getBoundingClientRect();
      return r.width > 0 && r.right > width + 1;
    });
    result.culprits = wide.filter(function (el) {
      return wide.indexOf(el.parentElement) < 0 && !clipped(el);
    }).slice(0, 6).map(function (el) {
      return describe(el) + " reaches " + Math.round(el.getBoundingClientRect().right) + " px";
    });
    return result;
  }

  function cssColour(value) {
    var probe = document.createElement("span");
    probe.style.color = value;
    document.body.appendChild(probe);
    var out = getComputedStyle(probe).color;
    probe.remove();
    return out;
  }

  function chartTitle(el, index) {
    var layout = el.layout || {};
    var title = layout.title && (layout.title.text || layout.title);
    return typeof title === "string" && title ? title : "chart " + (index + 1);
  }

  /* For each chart, the colour of every trace that draws a run named on the page (a trace is a
     run's when its name is the run's name, alone or followed by a space, comma, '(' or '@').
     Reference lines ('chance', 'no skill') name no run and are left out. */
  function runColours() {
    var names = [];
    document.querySelectorAll('.md-content a[href*="runs/"]').forEach(function (a) {
      var name = a.textContent.trim();
      if (name && names.indexOf(name) < 0) names.push(name);
    });
    var runOf = function (trace) {
      var matches = names.filter(function (n) {
        return trace === n || (trace.indexOf(n) === 0 && /^[\s(,@]/.test(trace.slice(n.length)));
      });
      return matches.sort(function (a, b) { return b.length - a.length; })[0] || null;
    };
    return Array.prototype.map.call(document.querySelectorAll(".reporter-chart"), function (el, index) {
      var traces = [];
      (el._fullData || []).forEach(function (trace) {
        var run = runOf(String(trace.name || ""));
        if (!run) return;
        var lines = (trace.mode || "").indexOf("lines") >= 0;
        var paint = lines && trace.line ? trace.line.color : trace.marker && trace.marker.color;
        if (!paint && trace.line) paint = trace.line.color;
        if (typeof paint !== "string") return;  // one colour per point names no run's colour
        traces.push({ name: trace.name, run: run, colour: cssColour(paint) });
      });
      return { title: chartTitle(el, index), traces: traces };
    });
  }

  /* Chart text against the page's text colour (red, green and blue; opacity aside, since
     Plotly draws titles opaque). Text not drawn on the page's background keeps its own colour:
     labels inside heatmap cells, menu buttons on their own fill, data labels. */
  function chartText() {
    var rgb = function (s) { return (s.match(/[\d.]+/g) || []).slice(0, 3).map(Number); };
    var page = getComputedStyle(document.body).color, want = rgb(page);
    var own = ".heatmap-label, .updatemenu-container, .textpoint, .bartext";
    var charts = Array.prototype.map.call(document.querySelectorAll(".reporter-chart"), function (el, index) {
      var texts = Array.prototype.filter.call(el.querySelectorAll("svg text"), function (t) {
        return t.textContent.trim() && !t.closest(own);
      });
      var wrong = texts.filter(function (t) {
        return rgb(getComputedStyle(t).fill).some(function (v, i) { return Math.abs(v - want[i]) > 2; });
      });
      var fills = [];
      wrong.forEach(function (t) {
        var fill = getComputedStyle(t).fill;
        if (fills.indexOf(fill) < 0) fills.push(fill);
      });
      return { title: chartTitle(el, index), texts: texts.length, wrong: wrong.length, fills: fills,
               example: wrong.length ? wrong[0].textContent.trim().slice(0, 40) : "" };
    });
    return { page: page, charts: charts };
  }

  function chartTextMatches() {
    return chartText().charts.every(function (c) { return c.wrong === 0; });
  }

  /* The first number written in a cell, its own text only (small print such as an interval
     is left out): {text, decimals, percent, grouped} or null when the cell holds no number. */
  var NUMBER = /[−+-]?\d[\d,]*(\.\d+)?(e[−+-]?\d+)?%?/i;
  function cellNumber(cell) {
    var own = "";
    cell.childNodes.forEach(function (n) {
      if (n.nodeType === Node.TEXT_NODE) own += n.textContent;
      else if (n.nodeType === Node.ELEMENT_NODE && !/^(SMALL|SUP|SUB)$/.test(n.tagName)) own += n.textContent;
    });
    var m = own.trim().match(NUMBER);
    if (!m) return null;
    var text = m[0], whole = text.replace(/[−+-]/, "").split(/[.e%]/i)[0];
    return {
      text: text,
      decimals: m[1] ? m[1].length - 1 : 0,
      percent: text.slice(-1) === "%",
      scientific: !!m[2],
      ungrouped: /\d{4}/.test(whole),
    };
  }

  /* Every numeric column (cells of class "num") of every shown table in the content area, and
     what breaks "one number format per column": decimals that differ between its numbers (a
     whole number among them is a count and allowed), separators missing from a number of four
     digits or more, scientific notation. Columns are placed by their colspans. */
  function numberColumns(selector) {
    var content = document.querySelector(selector);
    if (!content) return [];
    var out = [];
    content.querySelectorAll("table").forEach(function (table, index) {
      if (!shown(table)) return;
      var columns = {};
      Array.prototype.forEach.call(table.tBodies, function (body) {
        Array.prototype.forEach.call(body.rows, function (tr) {
          var at = 0;
          Array.prototype.forEach.call(tr.cells, function (cell) {
            if (cell.classList.contains("num")) {
              var n = cellNumber(cell);
              if (n) (columns[at] = columns[at] || []).push(n);
            }
            at += cell.colSpan || 1;
          });
        });
      });
      var heads = table.tHead ? Array.prototype.slice.call(table.tHead.rows[0].cells) : [];
      var headAt = function (i) {
        var at = 0;
        for (var k = 0; k < heads.length; k++) {
          if (i < at + (heads[k].colSpan || 1)) return label(heads[k]);
          at += heads[k].colSpan || 1;
        }
        return "column " + (i + 1);
      };
      Object.keys(columns).forEach(function (i) {
        var numbers = columns[i], problems = [];
        [false, true].forEach(function (percent) {
          var fractional = numbers.filter(function (n) { return n.percent === percent && n.decimals > 0; });
          var kinds = [];
          fractional.forEach(function (n) { if (kinds.indexOf(n.decimals) < 0) kinds.push(n.decimals); });
          if (kinds.length > 1) {
            problems.push("decimals differ (" + kinds.join(", ") + "): " + fractional.slice(0, 4).map(function (n) { return n.text; }).join(" / "));
          }
        });
        var ungrouped = numbers.filter(function (n) { return n.ungrouped; });
        if (ungrouped.length) problems.push("no thousands separators: " + ungrouped.slice(0, 3).map(function (n) { return n.text; }).join(", "));
        var sci = numbers.filter(function (n) { return n.scientific; });
        if (sci.length) problems.push("scientific notation: " + sci.slice(0, 3).map(function (n) { return n.text; }).join(", "));
        out.push({
          table: describe(table) + " #" + (index + 1) + ' under "' + headingBefore(content, table) + '"',
          column: headAt(Number(i)), numbers: numbers.length, problems: problems,
        });
      });
    });
    return out;
  }

  /* Every chart: the name and text summary assistive technology gets (the figure's accessible
     name, from aria-label or aria-labelledby) and the summary printed for everyone. */
  function chartNames() {
    return Array.prototype.map.call(document.querySelectorAll(".reporter-chart"), function (el, index) {
      var figure = el.closest("figure");
      var name = "";
      if (figure) {
        name = figure.getAttribute("aria-label") || "";
        var by = figure.getAttribute("aria-labelledby");
        if (!name && by) {
          name = by.split(/\s+/).map(function (id) {
            var n = document.getElementById(id);
            return n ? n.textContent : "";
          }).join(" ");
        }
      }
      var printed = figure ? figure.querySelector("figcaption .reporter-summary") : null;
      return {
        title: chartTitle(el, index), inFigure: !!figure, name: name.trim(),
        summary: printed && shown(printed) ? printed.textContent.trim() : "",
      };
    });
  }

  function luminance(rgb) {
    var c = rgb.map(function (v) {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
  }

  function contrast(a, b) {
    var la = luminance(a), lb = luminance(b);
    return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
  }

  /* Every label written in a heatmap cell: its text colour against the colour of the cell
     under it, read from the chart's heatmap images composed in drawing order (plotly.js draws
     each heatmap as an image). Resolves to [{chart, text, fill, cell, contrast}]. */
  function heatmapContrast() {
    var load = function (image) {
      return new Promise(function (resolve) {
        var img = new Image();
        img.onload = function () { resolve([image, img]); };
        img.onerror = function () { resolve([image, null]); };
        img.src = image.getAttribute("href") || image.getAttribute("xlink:href");
      });
    };
    var jobs = Array.prototype.map.call(document.querySelectorAll(".reporter-chart"), function (el, index) {
      var images = el.querySelectorAll("g.heatmaplayer image");
      var labels = Array.prototype.filter.call(el.querySelectorAll("g.heatmap-label text"), function (t) {
        return t.textContent.trim();
      });
      if (!images.length || !labels.length) return Promise.resolve([]);
      return Promise.all(Array.prototype.map.call(images, load)).then(function (loaded) {
        var area = el.getBoundingClientRect();
        var canvas = document.createElement("canvas");
        canvas.width = Math.ceil(area.width);
        canvas.height = Math.ceil(area.height);
        var ctx = canvas.getContext("2d");
        ctx.imageSmoothingEnabled = false;
        loaded.forEach(function (pair) {
          if (!pair[1]) return;
          var box = pair[0].getBoundingClientRect();
          ctx.drawImage(pair[1], box.left - area.left, box.top - area.top, box.width, box.height);
        });
        var found = [];
        labels.forEach(function (t) {
          var r = t.getBoundingClientRect();
          // just above and below the text, where the cell shows
          [r.top - 2, r.bottom + 1].some(function (y) {
            var x = Math.round(r.left + r.width / 2 - area.left);
            y = Math.round(y - area.top);
            if (x < 0 || y < 0 || x >= canvas.width || y >= canvas.height) return false;
            var px = ctx.getImageData(x, y, 1, 1).data;
            if (px[3] < 250) return false;  // a gap between cells
            var fill = (getComputedStyle(t).fill.match(/[\d.]+/g) || []).slice(0, 3).map(Number);
            var cell = [px[0], px[1], px[2]];
            found.push({ chart: chartTitle(el, index), text: t.textContent.trim(), fill: fill, cell: cell,
                         contrast: Math.round(contrast(fill, cell) * 100) / 100 });
            return true;
          });
        });
        return found;
      });
    });
    return Promise.all(jobs).then(function (all) { return [].concat.apply([], all); });
  }

  /* Open every <details> in the content area: what a reader can open is checked too. */
  function openDetails(selector) {
    var content = document.querySelector(selector);
    if (content) content.querySelectorAll("details:not([open])").forEach(function (d) { d.open = true; });
  }

  return {
    tables: tables, pageWidth: pageWidth, runColours: runColours, chartText: chartText,
    chartTextMatches: chartTextMatches, openDetails: openDetails, numberColumns: numberColumns,
    chartNames: chartNames, heatmapContrast: heatmapContrast,
  };
})();
