/*
 * Peerlink connection map and cluster graph.
 *
 * <div id="evidence-map" data-url="..."> gets a Leaflet map of {map: {points, lines,
 * isolated_regions}, graph: {nodes, edges, columns, rows}} from data-url: points as circles
 * (orange when unconnected), introductions as lines (accepted solid, pending dashed). Tiles come
 * from data-tile-url when set; without them (offline) the points and lines still draw on a plain
 * background. <canvas id="evidence-graph"> gets the clusters drawn as rings.
 * When done: #evidence-map has data-loaded="N points", #evidence-graph data-rendered="true";
 * on failure #evidence-map has data-error="true". #evidence-map-status says which.
 */
(function () {
  "use strict";

  const CONNECTED = "#1d4ed8";
  const ISOLATED = "#c2410c";
  const ACCEPTED = "#0f766e";
  const PENDING = "#6b7280";

  // The directory's offline base map (coastlines, regions), drawn beneath everything when
  // there are no tiles or they fail, so the map still shows England rather than a blank box.
  function drawOutline(map, element) {
    if (!element.dataset.baseUrl || element.dataset.outline) return;
    element.dataset.outline = "loading";
    fetch(element.dataset.baseUrl, { headers: { Accept: "application/json" } })
      .then((response) => (response.ok ? response.json() : Promise.reject(response.status)))
      .then((base) => {
        window.peerlinkBase.draw(map, base);
        element.dataset.outline = "drawn";
      })
      .catch(() => { element.dataset.outline = "unavailable"; });
  }

  function drawMap(element, data) {
    const map = L.map(element, { preferCanvas: true, maxZoom: 18 }).setView([52.8, -1.6], 6);
    const tiles = element.dataset.tileUrl;
    if (tiles) {
      const layer = L.tileLayer(tiles, { attribution: element.dataset.tileAttribution || "" });
      layer.on("tileerror", () => {
        element.classList.add("map-tiles-unavailable");
        drawOutline(map, element);
      });
      layer.addTo(map);
    } else {
      element.classList.add("map-tiles-unavailable");
      drawOutline(map, element);
    }
    const bounds = [];
    data.lines.forEach((line) => {
      L.polyline([line.from, line.to], {
        color: line.state === "accepted" ? ACCEPTED : PENDING,
        weight: 1.5,
        opacity: 0.7,
        dashArray: line.state === "accepted" ? null : "4 6",
      }).addTo(map);
    });
    data.points.forEach((point) => {
      const latlng = [point.lat, point.lon];
      bounds.push(latlng);
      L.circleMarker(latlng, {
        radius: Math.min(3 + Math.sqrt(point.count), 12),
        color: point.isolated ? ISOLATED : CONNECTED,
        fillOpacity: 0.7,
        weight: 1,
      })
        .bindTooltip(String(point.label))
        .addTo(map);
    });
    if (bounds.length) map.fitBounds(bounds, { maxZoom: 11, padding: [20, 20] });
    return data.points.length;
  }

  function drawGraph(canvas, graph) {
    const width = canvas.clientWidth || 600;
    const cell = Math.max(60, Math.min(160, width / graph.columns));
    const ratio = window.devicePixelRatio || 1;
    canvas.width = Math.round(cell * graph.columns * ratio);
    canvas.height = Math.round(cell * graph.rows * ratio);
    const ctx = canvas.getContext("2d");
    ctx.scale(ratio, ratio);
    const at = (node) => [node.x * cell, node.y * cell];
    graph.edges.forEach((edge) => {
      const [ax, ay] = at(graph.nodes[edge.a]);
      const [bx, by] = at(graph.nodes[edge.b]);
      ctx.strokeStyle = edge.state === "accepted" ? ACCEPTED : PENDING;
      ctx.setLineDash(edge.state === "accepted" ? [] : [4, 4]);
      ctx.beginPath();
      ctx.moveTo(ax, ay);
      ctx.lineTo(bx, by);
      ctx.stroke();
    });
    ctx.fillStyle = CONNECTED;
    graph.nodes.forEach((node) => {
      const [x, y] = at(node);
      ctx.beginPath();
      ctx.arc(x, y, 4, 0, 2 * Math.PI);
      ctx.fill();
    });
    canvas.dataset.rendered = "true";
  }

  function listRegions(list, regions) {
    list.replaceChildren();
    const names = regions.length ? regions : ["None: every region has a connection."];
    names.forEach((name) => {
      const item = document.createElement("li");
      item.textContent = String(name);
      list.appendChild(item);
    });
  }

  function start() {
    const element = document.getElementById("evidence-map");
    if (!element) return;
    const status = document.getElementById("evidence-map-status");
    fetch(element.dataset.url, { headers: { Accept: "application/json" } })
      .then((response) => {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then((data) => {
        const count = drawMap(element, data.map);
        element.dataset.loaded = String(count);
        if (status) {
          status.textContent =
            count + " places, " + data.map.lines.length + " introductions drawn; " +
            data.map.isolated_count + " organisations with no connection.";
        }
        const graph = document.getElementById("evidence-graph");
        if (graph) drawGraph(graph, data.graph);
        const regions = document.getElementById("isolated-regions");
        if (regions) listRegions(regions, data.map.isolated_regions);
      })
      .catch(() => {
        element.dataset.error = "true";
        if (status) status.textContent = "The map could not be loaded. The figures are on the dashboard.";
      });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
