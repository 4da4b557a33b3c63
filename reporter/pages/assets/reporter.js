/* reporter: draws charts; works on direct loads, from file:// and with Material's instant
   navigation (which swaps page content and drops plotly.js's global <style>).

   plotly.js (4.8 MB) is loaded only when a page has a chart, with a script tag added once after
   the page is drawn, so tables never wait for it; a smaller bundle when the site has one that
   draws every trace type of the page's charts. Charts take their text, grid and hover
   colours from the page's palette, and again when the reader switches it. A chart's controls
   (linear/log, which runs are on the axis, which parameter) are buttons above the plot. */
(function () {
  "use strict";

  var PLOTLY_STYLE_ID = "plotly.js-style-global";
  var plotlyCss = null;
  var self = document.currentScript;
  var HERE = self && self.src ? self.src.replace(/reporter\.js([?#].*)?$/, "") : null;
  /* The build puts a line before this file when the site also has a smaller plotly.js
     (the plugin option plotly_bundle): the trace types it draws. */
  var LIGHT = Array.isArray(window.__reporterPlotlyLight) ? window.__reporterPlotlyLight : null;
  var BUNDLES = { full: "plotly.min.js", light: "plotly-light.min.js" };
  var have = null; /* the bundle window.Plotly came from ("light" or "full"), once we loaded one */
  var loading = null;
  var waiting = [];

  /* ---------- plotly.js on demand ---------- */

  /* Which bundle draws these trace types: the smaller one when it has them all. */
  function bundleFor(types) {
    if (!LIGHT) return "full";
    for (var i = 0; i < types.length; i++) if (LIGHT.indexOf(types[i]) < 0) return "full";
    return "light";
  }

  /* The trace types of the charts under root still to draw; a chart that does not say
     needs the full bundle. */
  function tracesOf(root) {
    var types = {};
    Array.prototype.forEach.call(root.querySelectorAll(".reporter-chart:not([data-drawn])"), function (el) {
      var named = el.getAttribute("data-traces");
      (named === null ? ["?"] : named.split(" ")).forEach(function (t) { if (t) types[t] = 1; });
    });
    return Object.keys(types);
  }

  function ready(want) {
    return typeof window.Plotly !== "undefined" && (have === null || have === "full" || have === want);
  }

  function withPlotly(then, types) {
    var want = bundleFor(types);
    if (ready(want)) { then(); return; }
    waiting.push({ then: then, want: want });
    if (!loading) load(want);
  }

  function load(name) {
    if (!HERE) return;
    loading = name;
    var script = document.createElement("script");
    script.src = HERE + BUNDLES[name];
    script.async = true;
    script.onload = function () {
      have = name;
      loading = null;
      var queued = waiting;
      waiting = [];
      queued.forEach(function (w) { withPlotly(w.then, w.want === "full" ? ["?"] : []); });
    };
    script.onerror = function () {
      loading = null;
      if (name === "light") { LIGHT = null; load("full"); return; }
      Array.prototype.forEach.call(document.querySelectorAll(".reporter-chart:not([data-drawn])"), function (el) {
        el.textContent = "The chart library (plotly.min.js) could not be loaded.";
      });
    };
    document.head.appendChild(script);
  }

  function rememberPlotlyStyle() {
    var style = document.getElementById(PLOTLY_STYLE_ID);
    if (!style || plotlyCss !== null) return;
    try {
      plotlyCss = Array.prototype.map.call(style.sheet.cssRules, function (r) { return r.cssText; }).join("\n");
    } catch (e) {
      plotlyCss = style.textContent || "";
    }
  }

  function restorePlotlyStyle() {
    if (plotlyCss === null || document.getElementById(PLOTLY_STYLE_ID)) return;
    var style = document.createElement("style");
    style.id = PLOTLY_STYLE_ID;
    style.textContent = plotlyCss;
    document.head.appendChild(style);
  }

  /* ---------- figures ---------- */

  /* Figures live inline (data-figure) or in the page's data file, loaded by a script tag so
     it works from file:// too: window.__reporterCharts[page][index]. */
  function figureOf(el) {
    var page = el.getAttribute("data-chart-page");
    if (page !== null) {
      var figures = (window.__reporterCharts || {})[page];
      return figures ? figures[Number(el.getAttribute("data-chart-index"))] : undefined;
    }
    return JSON.parse(el.getAttribute("data-figure"));
  }

  function loadChartData(root, then) {
    var pending = 0;
    Array.prototype.forEach.call(root.querySelectorAll(".reporter-chart-data[data-src]"), function (node) {
      var page = node.getAttribute("data-chart-page");
      if ((window.__reporterCharts || {})[page] || node.hasAttribute("data-loading")) return;
      node.setAttribute("data-loading", "1");
      pending += 1;
      var script = document.createElement("script");
      script.src = node.getAttribute("data-src");
      script.onload = script.onerror = function () {
        node.removeAttribute("data-loading");
        pending -= 1;
        if (pending === 0) then();
      };
      document.head.appendChild(script);
    });
    if (pending === 0) then();
  }

  /* ---------- the palette ---------- */

  function cssVar(style, name, fallback) {
    return style.getPropertyValue(name).trim() || fallback;
  }

  function palette(el) {
    var style = getComputedStyle(el);
    return {
      text: style.color,
      grid: cssVar(style, "--md-default-fg-color--lightest", "rgba(128,128,128,0.15)"),
      line: cssVar(style, "--md-default-fg-color--lighter", "rgba(128,128,128,0.4)"),
      bg: cssVar(style, "--md-default-bg-color", "#fff"),
    };
  }

  function axesOf(layout) {
    return Object.keys(layout).filter(function (k) { return /^[xy]axis\d*$/.test(k); });
  }

  /* Plotly changes (relayout keys) that paint a chart in the page's palette. */
  function themeChanges(layout, colours) {
    var changes = {
      "font.color": colours.text,
      "hoverlabel.bgcolor": colours.bg,
      "hoverlabel.bordercolor": colours.line,
      "hoverlabel.font.color": colours.text,
      "legend.font.color": colours.text,
    };
    axesOf(layout).forEach(function (axis) {
      changes[axis + ".gridcolor"] = colours.grid;
      changes[axis + ".linecolor"] = colours.line;
      changes[axis + ".zerolinecolor"] = colours.line;
      changes[axis + ".tickcolor"] = colours.line;
    });
    return changes;
  }

  function applyChanges(target, changes) {
    Object.keys(changes).forEach(function (path) {
      var keys = path.split("."), node = target;
      keys.slice(0, -1).forEach(function (k) {
        if (typeof node[k] !== "object" || node[k] === null) node[k] = {};
        node = node[k];
      });
      node[keys[keys.length - 1]] = changes[path];
    });
    return target;
  }

  function retheme() {
    if (typeof window.Plotly === "undefined") return;
    Array.prototype.forEach.call(document.querySelectorAll(".reporter-chart[data-drawn]"), function (el) {
      if (!el.layout) return;
      window.Plotly.relayout(el, themeChanges(el.layout, palette(el)));
    });
  }

  var watching = false;
  function watchPalette() {
    if (watching || typeof MutationObserver === "undefined") return;
    watching = true;
    new MutationObserver(retheme).observe(document.body, {
      attributes: true, attributeFilter: ["data-md-color-scheme", "data-md-color-primary"],
    });
  }

  /* ---------- controls above the plot ---------- */

  function applyOption(el, option) {
    var restyle = option.restyle || {}, relayout = option.relayout || {};
    window.Plotly.update(el, restyle, relayout, option.traces);
  }

  function buildControls(el, controls) {
    var bar = document.createElement("div");
    bar.className = "reporter-chart-controls";
    controls.forEach(function (control, n) {
      var options = control.options || [];
      if (options.length > 4) {
        var label = document.createElement("label");
        label.textContent = control.label + " ";
        var select = document.createElement("select");
        options.forEach(function (option, i) {
          var item = document.createElement("option");
          item.value = String(i);
          item.textContent = option.label;
          select.appendChild(item);
        });
        select.value = String(control.active || 0);
        select.addEventListener("change", function () { applyOption(el, options[Number(select.value)]); });
        label.appendChild(select);
        bar.appendChild(label);
        return;
      }
      var group = document.createElement("fieldset");
      var legend = document.createElement("legend");
      legend.textContent = control.label;
      group.appendChild(legend);
      options.forEach(function (option, i) {
        var button = document.createElement("button");
        button.type = "button";
        button.textContent = option.label;
        button.setAttribute("aria-pressed", String(i === (control.active || 0)));
        button.addEventListener("click", function () {
          Array.prototype.forEach.call(group.querySelectorAll("button"), function (b) {
            b.setAttribute("aria-pressed", String(b === button));
          });
          applyOption(el, option);
        });
        group.appendChild(button);
      });
      group.setAttribute("data-control", String(n));
      bar.appendChild(group);
    });
    return bar;
  }

  /* A figure wider than its box (a heatmap's minimum cell width) scrolls in a focusable box. */
  function fitWidth(el, figure) {
    var box = el.parentNode;
    var need = figure.min_width || 0;
    if (!need || !box || !box.classList.contains("reporter-chart-scroll")) return;
    if (box.clientWidth >= need) { el.style.width = ""; return; }
    el.style.width = need + "px";
    box.setAttribute("tabindex", "0");
    box.setAttribute("role", "region");
    box.setAttribute("aria-label", (el.getAttribute("aria-label") || "chart").split(". ")[0] + " (scrolls sideways)");
  }

  /* In a narrow box a legend below the plot has one entry per line: the chart grows by them
     and the legend moves below the axis title, so the plot keeps its height. */
  var NARROW_PX = 600;
  function fitLegend(el, data, layout) {
    if (el.clientWidth >= NARROW_PX || layout.showlegend === false) return;
    var legend = layout.legend || {};
    if (legend.orientation !== "h") return;
    var entries = data.filter(function (t) { return t.showlegend !== false && t.name && t.type !== "heatmap"; }).length;
    if (entries < 2) return;
    var plot = 240, margins = (layout.margin || {}).t || 40;
    layout.height = Math.max(layout.height || 0, margins + plot + 70 + 21 * entries);
    legend.y = -70 / plot;
    layout.legend = legend;
  }

  function drawChart(el) {
    if (el.hasAttribute("data-drawn") || !el.isConnected) return;
    var figure;
    try {
      figure = figureOf(el);
    } catch (e) {
      el.textContent = "This chart's data could not be read.";
      return;
    }
    if (figure === undefined) return;
    var layout = applyChanges(figure.layout || {}, themeChanges(figure.layout || {}, palette(el)));
    el.setAttribute("data-drawn", "1");
    if (figure.controls && figure.controls.length) {
      var scroll = el.parentNode && el.parentNode.classList.contains("reporter-chart-scroll") ? el.parentNode : el;
      scroll.parentNode.insertBefore(buildControls(el, figure.controls), scroll);
    }
    fitWidth(el, figure);
    fitLegend(el, figure.data || [], layout);
    window.Plotly.newPlot(el, figure.data || [], layout, {
      responsive: true,
      displaylogo: false,
      modeBarButtonsToRemove: ["select2d", "lasso2d"],
    });
  }

  /* Charts in view are drawn at once; the others follow one per task, so a page with many
     charts stays responsive and shows what the reader looks at first. */
  function drawCharts(root) {
    if (!root.querySelector(".reporter-chart:not([data-drawn])")) return;
    var data = false, library = false;
    loadChartData(root, function () { data = true; if (library) drawLoaded(root); });
    withPlotly(function () { library = true; if (data) drawLoaded(root); }, tracesOf(root));
  }

  function drawLoaded(root) {
    rememberPlotlyStyle();
    restorePlotlyStyle();
    watchPalette();
    var nodes = Array.prototype.slice.call(root.querySelectorAll(".reporter-chart:not([data-drawn])"));
    var height = window.innerHeight || 800;
    var later = [];
    nodes.forEach(function (el) {
      var box = el.getBoundingClientRect();
      if (box.bottom >= -200 && box.top <= height + 200) drawChart(el); else later.push(el);
    });
    (function next() {
      var el = later.shift();
      if (!el) return;
      drawChart(el);
      setTimeout(next, 0);
    })();
  }

  /* ---------- comparison tables: seed groups and "show all parameters" ---------- */

  function setupToggles(root) {
    Array.prototype.forEach.call(root.querySelectorAll(".reporter-group-toggle:not([data-ready])"), function (button) {
      button.setAttribute("data-ready", "1");
      var table = button.closest("table");
      var members = table.querySelectorAll('tr.reporter-member[data-group="' + button.getAttribute("data-group") + '"]');
      var show = function (open) {
        Array.prototype.forEach.call(members, function (tr) { tr.hidden = !open; });
        button.setAttribute("aria-expanded", String(open));
        button.textContent = (open ? "▾ " : "▸ ") + members.length + " seeds";
      };
      show(false);
      button.addEventListener("click", function () { show(button.getAttribute("aria-expanded") !== "true"); });
    });
    Array.prototype.forEach.call(root.querySelectorAll(".reporter-toggle-same:not([data-ready])"), function (button) {
      button.setAttribute("data-ready", "1");
      var table = button.closest("p").previousElementSibling.querySelector("table");
      var same = table.querySelectorAll("tr.reporter-same");
      if (!same.length) { button.hidden = true; return; }
      button.addEventListener("click", function () {
        var open = button.getAttribute("aria-expanded") === "true";
        Array.prototype.forEach.call(same, function (tr) { tr.hidden = open; });
        button.setAttribute("aria-expanded", String(!open));
        button.textContent = open ? "Show all parameters" : "Show only differences";
      });
    });
  }

  /* Material's own Markdown tables that scroll get keyboard access, like reporter's. */
  function focusableScrollers(root) {
    Array.prototype.forEach.call(root.querySelectorAll(".md-typeset__scrollwrap:not([tabindex])"), function (wrap) {
      if (wrap.scrollWidth <= wrap.clientWidth) return;
      wrap.setAttribute("tabindex", "0");
      wrap.setAttribute("role", "region");
      wrap.setAttribute("aria-label", "Table (scrolls sideways)");
    });
  }

  /* The ad-hoc comparison (compare.js) draws the charts it makes with the same code. */
  window.ReporterCharts = { draw: drawCharts, preload: function (types) { withPlotly(function () {}, types || ["?"]); } };

  function init() {
    setupToggles(document);
    focusableScrollers(document);
    drawCharts(document);
  }

  if (typeof window.document$ !== "undefined" && window.document$.subscribe) {
    window.document$.subscribe(init);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
