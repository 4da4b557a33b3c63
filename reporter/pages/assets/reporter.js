/* reporter: draws charts and the leaderboard; works on direct loads and with Material's
   instant navigation (which swaps page content and drops plotly.js's global <style>). */
(function () {
  "use strict";

  var PLOTLY_STYLE_ID = "plotly.js-style-global";
  var plotlyCss = null;

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
    var layout = figure.layout || {};
    layout.font = Object.assign({ color: getComputedStyle(el).color }, layout.font || {});
    el.setAttribute("data-drawn", "1");
    window.Plotly.newPlot(el, figure.data || [], layout, {
      responsive: true,
      displaylogo: false,
      modeBarButtonsToRemove: ["select2d", "lasso2d"],
    });
  }

  /* Charts in view are drawn at once; the others follow one per task, so a page with many
     charts stays responsive and shows what the reader looks at first. */
  function drawCharts(root) {
    if (typeof window.Plotly === "undefined") return;
    loadChartData(root, function () { drawLoaded(root); });
  }

  function drawLoaded(root) {
    rememberPlotlyStyle();
    restorePlotlyStyle();
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


  function init() {
    drawCharts(document);
    setupToggles(document);
  }

  if (typeof window.document$ !== "undefined" && window.document$.subscribe) {
    window.document$.subscribe(init);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
