/*
 * Peerlink evidence charts: every <canvas data-chart="bar|line|funnel" data-labels="[...]"
 * data-series='[{"label": "...", "values": [...]}]'> becomes a Chart.js chart (vendored, no
 * network). The table next to each canvas is its text alternative. When drawn, each canvas gets
 * data-rendered="true" and window.peerlinkCharts counts them (read by the browser tests).
 * A <button data-print> prints the page.
 */
(function () {
  "use strict";

  const COLOURS = ["#1d4ed8", "#0f766e", "#b45309", "#7c3aed", "#be123c"];

  function parse(text, fallback) {
    try {
      const value = JSON.parse(text || "");
      return Array.isArray(value) ? value : fallback;
    } catch (err) {
      return fallback;
    }
  }

  function horizontal(labels) {
    // Many bars or long labels read better as rows than as slanted columns.
    return labels.length > 6 || labels.some((label) => label.length > 16);
  }

  function config(canvas) {
    const kind = canvas.dataset.chart;
    const labels = parse(canvas.dataset.labels, []).map(String);
    const series = parse(canvas.dataset.series, []).filter((s) => s && Array.isArray(s.values));
    const datasets = series.map((s, n) => ({
      label: String(s.label || ""),
      data: s.values.map(Number),
      backgroundColor: COLOURS[n % COLOURS.length],
      borderColor: COLOURS[n % COLOURS.length],
      borderWidth: kind === "line" ? 2 : 0,
      pointRadius: kind === "line" ? 2 : undefined,
      tension: 0.2,
    }));
    const across = kind === "funnel" || (kind === "bar" && horizontal(labels));
    const category = {
      ticks: {
        // Every bar keeps its name: skipping every other label leaves bars nobody can read.
        autoSkip: !across,
        // Long labels are shortened on the axis; the tooltip and the table give them whole.
        callback(value) {
          const label = String(this.getLabelForValue(value));
          return label.length > 22 ? label.slice(0, 21) + "…" : label;
        },
      },
    };
    const amount = { beginAtZero: true, ticks: { precision: 0 } };
    return {
      type: kind === "line" ? "line" : "bar",
      data: { labels, datasets },
      options: {
        indexAxis: across ? "y" : "x",
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        plugins: { legend: { display: datasets.length > 1 } },
        scales: across ? { x: amount, y: category } : { x: category, y: amount },
      },
    };
  }

  function drawCharts() {
    let drawn = 0;
    if (typeof window.Chart !== "function") return drawn;
    document.querySelectorAll("canvas[data-chart]").forEach((canvas) => {
      const settings = config(canvas);
      if (settings.options.indexAxis === "y") {
        // Rows need room: a box grows with the number of bars (via the CSSOM, which the
        // policy allows, unlike a style attribute).
        const rows = settings.data.labels.length;
        const box = canvas.parentElement;
        box.style.height = Math.max(box.clientHeight, rows * 22 + 60) + "px";
      }
      new window.Chart(canvas, settings);
      canvas.dataset.rendered = "true";
      drawn += 1;
    });
    return drawn;
  }

  function start() {
    window.peerlinkCharts = drawCharts();
    document.querySelectorAll("button[data-print]").forEach((button) => {
      button.addEventListener("click", () => window.print());
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
