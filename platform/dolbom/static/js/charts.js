// Ministry charts: every <canvas data-chart-url> is drawn with Chart.js (vendor/chartjs, from npm)
// from the JSON its URL returns. No inline scripts or styles: the CSP forbids them (sizes are set
// through the CSSOM, which the CSP allows). A data table in <details> carries the same figures for
// screen readers and print.
//
// JSON: {"title", "unit": "점"|"명"|"%"|"", "kind": "line"|"bar", "labels": [...],
//        "series": [{"name", "values": [n|null, ...], "marks": [null|"<5"|"×"|"nodata", ...]}]}
//
// window.dolbomCharts.init(root) draws the canvases under root not drawn yet; a drawn canvas gets
// data-chart-ready="1" (a failed one "error"). Runs again after htmx swaps.
(function () {
  "use strict";

  if (window.dolbomCharts) { // loaded twice (htmx re-runs the scripts of swapped content)
    window.dolbomCharts.init(document);
    return;
  }

  var en = document.documentElement.lang === "en";
  var T = en ? {
    failed: "Could not load the chart.",
    table: "Show as table",
    series: "Item",
    unit: "Unit",
    none: "—",
    marks: { "<5": "under 5 (suppressed)", "×": "suppressed (prevents back-calculation)", "nodata": "no data" },
    short: { "<5": "<5", "×": "suppressed", "nodata": "no data" }
  } : {
    failed: "그래프를 불러오지 못했습니다",
    table: "표로 보기",
    series: "구분",
    unit: "단위",
    none: "—",
    marks: { "<5": "5 미만 (가림)", "×": "가림 (역산 방지)", "nodata": "자료 없음" },
    short: { "<5": "5 미만", "×": "가림", "nodata": "자료 없음" }
  };

  // Okabe–Ito: told apart with the common colour-vision deficiencies; yellow left out (white paper).
  var COLORS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"];
  // A different marker per series, so the lines are told apart in black-and-white print too.
  var POINTS = ["circle", "rect", "triangle", "rectRot", "crossRot", "star", "rectRounded"];
  var DASHES = [[], [], [], [], [6, 3], [2, 2], [8, 3, 2, 3]];
  var HORIZONTAL_OVER = 12; // bar charts with more labels lie on their side
  var ROW_PX = 26;          // height per label of a horizontal bar chart

  var charts = [];          // {canvas, chart}
  var pending = typeof WeakSet === "function" ? new WeakSet() : null;

  function markText(mark, short) {
    if (mark === null || mark === undefined || mark === "") { return ""; }
    var table = short ? T.short : T.marks;
    return Object.prototype.hasOwnProperty.call(table, mark) ? table[mark] : String(mark);
  }

  function formatNumber(v, unit) {
    return Number(v).toLocaleString("ko-KR", { maximumFractionDigits: 2 }) + (unit || "");
  }

  // The text of one figure: the number with its unit, or what its mark means.
  function cellText(series, i, unit, short) {
    var v = series.values[i];
    var m = series.marks ? series.marks[i] : null;
    if (v === null || v === undefined || (typeof v === "number" && isNaN(v))) {
      return markText(m, short) || T.none;
    }
    var text = formatNumber(v, unit);
    var mt = markText(m, short);
    return mt ? text + " (" + mt + ")" : text;
  }

  function normalise(data) {
    if (!data || !Array.isArray(data.labels) || !Array.isArray(data.series)) {
      throw new Error("bad chart data");
    }
    var n = data.labels.length;
    return {
      title: String(data.title || ""),
      unit: data.unit ? String(data.unit) : "",
      kind: data.kind === "bar" ? "bar" : "line",
      labels: data.labels.map(String),
      series: data.series.map(function (s) {
        var values = [];
        var marks = [];
        for (var i = 0; i < n; i++) {
          var v = s && Array.isArray(s.values) ? s.values[i] : null;
          values.push(typeof v === "number" && isFinite(v) ? v : null);
          var m = s && Array.isArray(s.marks) ? s.marks[i] : null;
          marks.push(m === undefined ? null : m);
        }
        return { name: String((s && s.name) || ""), values: values, marks: marks };
      })
    };
  }

  // --- the data table (screen readers, print, anyone who prefers figures) ---------------------
  function buildTable(data) {
    var details = document.createElement("details");
    details.className = "chart-table";
    var summary = document.createElement("summary");
    summary.textContent = T.table;
    details.appendChild(summary);
    var wrap = document.createElement("div");
    wrap.className = "chart-table-scroll";
    var table = document.createElement("table");
    table.className = "chart-data";
    var caption = document.createElement("caption");
    caption.textContent = data.title + (data.unit ? " (" + T.unit + ": " + data.unit + ")" : "");
    table.appendChild(caption);
    var thead = document.createElement("thead");
    var hr = document.createElement("tr");
    var corner = document.createElement("th");
    corner.scope = "col";
    corner.textContent = T.series;
    hr.appendChild(corner);
    data.series.forEach(function (s) {
      var th = document.createElement("th");
      th.scope = "col";
      th.textContent = s.name;
      hr.appendChild(th);
    });
    thead.appendChild(hr);
    table.appendChild(thead);
    var tbody = document.createElement("tbody");
    data.labels.forEach(function (label, i) {
      var tr = document.createElement("tr");
      var th = document.createElement("th");
      th.scope = "row";
      th.textContent = label;
      tr.appendChild(th);
      data.series.forEach(function (s) {
        var td = document.createElement("td");
        td.className = "num";
        td.textContent = cellText(s, i, data.unit, false);
        if (s.values[i] === null) { td.classList.add("is-mark"); }
        tr.appendChild(td);
      });
      tbody.appendChild(tr);
    });
    table.appendChild(tbody);
    wrap.appendChild(table);
    details.appendChild(wrap);
    return details;
  }

  function boxOf(canvas) {
    var p = canvas.parentElement;
    return p && p.classList.contains("ministry-chart-box") ? p : null;
  }

  function placeTable(canvas, details) {
    var anchor = boxOf(canvas) || canvas;
    var next = anchor.nextElementSibling;
    if (next && next.classList.contains("chart-table")) { next.remove(); }
    anchor.insertAdjacentElement("afterend", details);
  }

  function showMessage(canvas, text) {
    var box = boxOf(canvas);
    var host = box || canvas.parentElement;
    if (!host) { return; }
    var old = host.querySelector(".ministry-chart-msg");
    if (old) { old.remove(); }
    var p = document.createElement("p");
    p.className = "ministry-chart-msg";
    p.setAttribute("role", "status");
    p.textContent = text;
    canvas.hidden = true;
    if (box) { box.classList.add("is-message"); }
    host.appendChild(p);
  }

  // --- the numbers and marks on the bars themselves (print has no tooltips) -------------------
  function barLabels(data) {
    return {
      id: "dolbomBarLabels",
      afterDatasetsDraw: function (chart) {
        if (data.kind !== "bar") { return; }
        var horizontal = chart.options.indexAxis === "y";
        var bars = data.labels.length * data.series.length;
        var showValues = horizontal || bars <= 24;
        var ctx = chart.ctx;
        var area = chart.chartArea;
        ctx.save();
        ctx.font = "12px " + Chart.defaults.font.family;
        data.series.forEach(function (s, si) {
          var meta = chart.getDatasetMeta(si);
          if (meta.hidden) { return; }
          meta.data.forEach(function (el, i) {
            var isMark = s.values[i] === null;
            if (!isMark && !showValues) { return; }
            var text = cellText(s, i, data.unit, true);
            var props = el.getProps(["x", "y", "base"], true);
            ctx.fillStyle = isMark ? "#555" : "#1e2124";
            if (horizontal) {
              var x = isMark ? chart.scales.x.getPixelForValue(0) : props.x;
              if (!isFinite(x)) { x = area.left; }
              ctx.textAlign = "left";
              ctx.textBaseline = "middle";
              ctx.fillText(text, x + 4, props.y);
            } else {
              var y = isMark ? chart.scales.y.getPixelForValue(0) : props.y;
              if (!isFinite(y)) { y = area.bottom; }
              if (isMark) {
                ctx.save();
                ctx.translate(props.x, y - 4);
                ctx.rotate(-Math.PI / 2);
                ctx.textAlign = "left";
                ctx.textBaseline = "middle";
                ctx.fillText(text, 0, 0);
                ctx.restore();
              } else {
                ctx.textAlign = "center";
                ctx.textBaseline = "bottom";
                ctx.fillText(text, props.x, y - 3);
              }
            }
          });
        });
        ctx.restore();
      }
    };
  }

  function config(data, horizontal) {
    var bar = data.kind === "bar";
    var many = data.series.length > 1;
    var datasets = data.series.map(function (s, i) {
      var color = COLORS[i % COLORS.length];
      var ds = {
        label: s.name,
        data: s.values,
        borderColor: color,
        backgroundColor: color
      };
      if (bar) {
        ds.borderWidth = 0;
        ds.maxBarThickness = 28;
      } else {
        ds.borderWidth = 2;
        ds.borderDash = DASHES[i % DASHES.length];
        ds.pointStyle = POINTS[i % POINTS.length];
        ds.pointRadius = 4;
        ds.pointHoverRadius = 6;
        ds.pointBackgroundColor = color;
        ds.spanGaps = false;
        ds.tension = 0;
        ds.fill = false;
      }
      return ds;
    });
    var valueAxis = {
      beginAtZero: true,
      grid: { color: "#e6e8ea" },
      ticks: {
        callback: function (v) { return Number(v).toLocaleString("ko-KR"); }
      },
      title: { display: !!data.unit, text: T.unit + ": " + data.unit }
    };
    var indexAxis = {
      grid: { display: !bar, color: "#f0f1f3" },
      ticks: { autoSkip: !horizontal, maxRotation: 45 }
    };
    return {
      type: bar ? "bar" : "line",
      data: { labels: data.labels, datasets: datasets },
      plugins: [barLabels(data)],
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        devicePixelRatio: Math.max(window.devicePixelRatio || 1, 2), // sharp on paper
        indexAxis: horizontal ? "y" : "x",
        interaction: { mode: "index", intersect: false, axis: horizontal ? "y" : "x" },
        layout: { padding: horizontal ? { right: 72 } : { top: bar ? 18 : 4 } },
        scales: horizontal ? { x: valueAxis, y: indexAxis } : { x: indexAxis, y: valueAxis },
        plugins: {
          title: { display: false }, // the <figcaption> says it
          legend: {
            display: many,
            position: "bottom",
            labels: { usePointStyle: !bar, boxWidth: 12, boxHeight: bar ? 12 : 8, padding: 16 }
          },
          tooltip: {
            callbacks: {
              label: function (item) {
                var s = data.series[item.datasetIndex];
                return s.name + ": " + cellText(s, item.dataIndex, data.unit, false);
              },
              // Gaps have no point to hover: say what they are under the others.
              afterBody: function (items) {
                if (!items.length) { return []; }
                var i = items[0].dataIndex;
                var shown = items.map(function (it) { return it.datasetIndex; });
                var lines = [];
                data.series.forEach(function (s, si) {
                  if (shown.indexOf(si) < 0 && s.values[i] === null) {
                    lines.push(s.name + ": " + cellText(s, i, data.unit, false));
                  }
                });
                return lines;
              }
            }
          }
        }
      }
    };
  }

  function fontFamily() {
    return getComputedStyle(document.body).fontFamily ||
      '"Pretendard GOV", "Noto Sans CJK KR", "Noto Sans KR", sans-serif';
  }

  // Chart.js may still be loading when htmx brought the page in (swapped scripts run unordered).
  function chartLibrary() {
    return new Promise(function (resolve, reject) {
      var waited = 0;
      (function check() {
        if (window.Chart) { resolve(window.Chart); return; }
        if (waited > 10000) { reject(new Error("Chart.js not loaded")); return; }
        waited += 50;
        setTimeout(check, 50);
      })();
    });
  }

  function fontsReady() {
    if (!document.fonts || !document.fonts.ready) { return Promise.resolve(); }
    // Never wait for ever on a font.
    return Promise.race([document.fonts.ready, new Promise(function (r) { setTimeout(r, 1500); })]);
  }

  async function draw(canvas) {
    try {
      var url = canvas.getAttribute("data-chart-url");
      var responses = await Promise.all([
        fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } }),
        chartLibrary(),
        fontsReady()
      ]);
      var res = responses[0];
      if (!res.ok) { throw new Error("HTTP " + res.status); }
      var data = normalise(await res.json());
      if (!canvas.isConnected) { return; }

      Chart.defaults.font.family = fontFamily();
      Chart.defaults.font.size = 13;
      Chart.defaults.color = "#1e2124";

      var title = data.title || canvas.getAttribute("aria-label") || "";
      canvas.setAttribute("role", "img");
      canvas.setAttribute("aria-label", title);
      data.title = title;

      var horizontal = data.kind === "bar" && data.labels.length > HORIZONTAL_OVER;
      var box = boxOf(canvas);
      if (box) {
        var base = parseInt(box.getAttribute("data-height"), 10) || 320;
        var legend = data.series.length > 1 ? 40 : 0;
        var height = horizontal ? Math.max(base, data.labels.length * ROW_PX * Math.max(1, data.series.length * 0.7) + 70 + legend) : base;
        box.style.height = Math.round(height) + "px"; // CSSOM: allowed by the CSP
        box.classList.toggle("is-horizontal", horizontal);
        box.classList.remove("is-message");
      }

      var old = Chart.getChart(canvas);
      if (old) { old.destroy(); }
      var chart = new Chart(canvas, config(data, horizontal));
      charts.push({ canvas: canvas, chart: chart });
      placeTable(canvas, buildTable(data));
      canvas.dataset.chartReady = "1";
    } catch (err) {
      showMessage(canvas, T.failed);
      canvas.dataset.chartReady = "error";
      if (window.console) { console.warn("chart", canvas.getAttribute("data-chart-url"), err); }
    } finally {
      if (pending) { pending.delete(canvas); }
    }
  }

  function prune() {
    charts = charts.filter(function (c) {
      if (c.canvas.isConnected) { return true; }
      c.chart.destroy();
      return false;
    });
  }

  function init(root) {
    prune();
    var scope = root && root.querySelectorAll ? root : document;
    var canvases = Array.prototype.slice.call(scope.querySelectorAll("canvas[data-chart-url]"));
    if (scope.matches && scope.matches("canvas[data-chart-url]")) { canvases.push(scope); }
    canvases.forEach(function (canvas) {
      if (canvas.dataset.chartReady) { return; }
      if (pending) {
        if (pending.has(canvas)) { return; }
        pending.add(canvas);
      }
      draw(canvas);
    });
  }

  // --- print: open the tables, fit the charts to the paper --------------------------------------
  function resizeAll(width, height) {
    charts.forEach(function (c) {
      if (!c.canvas.isConnected) { return; }
      try { c.chart.resize(width, height); } catch (e) { /* never break printing */ }
    });
  }

  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details.chart-table").forEach(function (d) {
      if (!d.open) { d.open = true; d.dataset.printOpened = "1"; }
    });
    charts.forEach(function (c) {
      if (!c.canvas.isConnected) { return; }
      var box = boxOf(c.canvas) || c.canvas.parentElement;
      // About the width of A4 portrait inside its margins; the box keeps its height.
      var width = Math.min(box.clientWidth || 680, 680);
      try { c.chart.resize(width, box.clientHeight || undefined); } catch (e) { /* ignore */ }
    });
  });
  window.addEventListener("afterprint", function () {
    document.querySelectorAll("details.chart-table[data-print-opened]").forEach(function (d) {
      d.open = false;
      delete d.dataset.printOpened;
    });
    resizeAll();
  });
  if (window.matchMedia) {
    var mq = window.matchMedia("print");
    var onPrint = function (e) { if (e.matches) { resizeAll(); } };
    if (mq.addEventListener) { mq.addEventListener("change", onPrint); }
  }

  // --- htmx 4 (and 2) swaps bring new canvases ---------------------------------------------------
  ["htmx:after:swap", "htmx:afterSwap", "htmx:after:settle"].forEach(function (name) {
    document.addEventListener(name, function () { init(document); });
  });

  window.dolbomCharts = { init: init };

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { init(document); });
  } else {
    init(document);
  }
})();
