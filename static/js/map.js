/*
 * Peerlink map: turns <div id="map" data-points-url="..."> into a Leaflet map of businesses.
 *
 * Contract (read by templates and the browser tests):
 *   data-points-url        required; JSON from /businesses/map.json: {total, in_view, cells:
 *                          [{lat, lon, count}], points: [{name, url, sector, town, lat, lon,
 *                          distance_km?}], origin?: {label, lat, lon, radius_km}}. The map asks
 *                          again with &bbox=west,south,east,north whenever the view moves.
 *   data-base-url          required; the offline base layer (coastlines, regions, place names)
 *   data-tile-url          optional; Leaflet tile URL template. Empty: the base layer only
 *   data-tile-attribution  optional; attribution HTML for the tile layer (set by the server)
 *   data-near="lat,lon", data-near-label and data-radius-km
 *                          optional; mark the search point and draw the radius
 * When the data is on the map: #map gets data-loaded="N" (businesses in view) and
 * window.peerlinkMap = {map, markers, count}. If the data cannot be loaded: data-error="true".
 * #map-status explains either way, and says when tiles are unavailable.
 */
(function () {
  "use strict";

  const ENGLAND = [[49.9, -6.0], [55.8, 1.8]];
  const MAX_ZOOM = 18;

  function parseLatLon(text) {
    if (!text) return null;
    const parts = text.split(",").map((s) => (s.trim() ? Number(s) : NaN));
    if (parts.length !== 2 || !parts.every(Number.isFinite)) return null;
    if (Math.abs(parts[0]) > 90 || Math.abs(parts[1]) > 180) return null;
    return parts;
  }

  function safeHref(url) {
    if (typeof url !== "string" || !url) return null;
    try {
      const { protocol } = new URL(url, window.location.href);
      return protocol === "http:" || protocol === "https:" ? url : null;
    } catch (err) {
      return null;
    }
  }

  function textElement(tag, className, text) {
    const node = document.createElement(tag);
    node.className = className;
    node.textContent = text;
    return node;
  }

  function popupContent(point) {
    const box = document.createElement("div");
    box.className = "map-popup";
    const href = safeHref(point.url);
    const title = textElement(href ? "a" : "span", "map-popup-title", point.name || "");
    if (href) title.href = href;
    box.appendChild(title);
    box.appendChild(textElement("p", "map-popup-meta", [point.sector, point.town].filter(Boolean).join(" · ")));
    if (Number.isInteger(point.distance_km)) {
      const text = point.distance_km < 1 ? "under 1 km away" : "about " + point.distance_km + " km away";
      box.appendChild(textElement("p", "map-popup-distance", text));
    }
    return box;
  }

  function setStatus(text) {
    const status = document.getElementById("map-status");
    if (status) status.textContent = text;
  }

  function cellMarker(cell) {
    const size = 24 + Math.min(30, Math.round(Math.log10(cell.count + 1) * 12));
    const icon = L.divIcon({ className: "map-cell", html: "", iconSize: [size, size] });
    const marker = L.marker([cell.lat, cell.lon], { icon, title: cell.count + " businesses" });
    marker.on("add", () => { marker.getElement().textContent = String(cell.count); });
    marker.on("click", (event) => event.target._map.setView([cell.lat, cell.lon], event.target._map.getZoom() + 2));
    return marker;
  }

  async function fetchJSON(url) {
    const response = await fetch(url, { headers: { Accept: "application/json" } });
    if (!response.ok) throw new Error("HTTP " + response.status);
    return response.json();
  }

  async function init(el) {
    if (typeof window.L === "undefined" || typeof L.markerClusterGroup !== "function") {
      el.dataset.error = "true";
      setStatus("The map could not be shown: its scripts did not load. The list below has every result.");
      return;
    }
    const map = L.map(el, { maxZoom: MAX_ZOOM, minZoom: 5, zoomSnap: 1 });
    const near = parseLatLon(el.dataset.near);
    const radiusKm = Number(el.dataset.radiusKm);
    if (near && Number.isFinite(radiusKm) && radiusKm > 0) {
      map.setView(near, 9);
      const circle = L.circle(near, { radius: radiusKm * 1000, color: "#1d6fa5", fill: false, weight: 2, interactive: false });
      circle.addTo(map);
      L.circleMarker(near, { radius: 7, color: "#fff", weight: 2, fillColor: "#c0392b", fillOpacity: 1 })
        .bindTooltip(el.dataset.nearLabel || "Search point", { permanent: true, direction: "right", className: "map-near-label" })
        .addTo(map);
      map.fitBounds(circle.getBounds(), { padding: [10, 10] });
    } else {
      map.fitBounds(ENGLAND);
    }
    let tileNote = "";
    if (el.dataset.tileUrl) {
      const tiles = L.tileLayer(el.dataset.tileUrl, { attribution: el.dataset.tileAttribution || "", maxZoom: MAX_ZOOM });
      tiles.once("tileerror", () => {
        el.classList.add("map-tiles-unavailable");
        map.removeLayer(tiles);
        tileNote = " Map tiles are unavailable: showing the built-in outline map.";
      });
      tiles.addTo(map);
    } else {
      el.classList.add("map-no-tiles");
      tileNote = " Showing the built-in outline map (no map tiles are configured).";
    }
    try {
      window.peerlinkBase.draw(map, await fetchJSON(el.dataset.baseUrl), { places: true });
    } catch (err) {
      tileNote += " The outline map could not be loaded.";
    }

    const markers = L.markerClusterGroup({ maxClusterRadius: 40 }).addTo(map);
    const cells = L.layerGroup().addTo(map);
    const state = { map, markers, count: 0 };
    window.peerlinkMap = state;
    let request = 0;

    async function refresh() {
      const mine = ++request;
      const b = map.getBounds();
      const bbox = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map((v) => v.toFixed(3)).join(",");
      const url = el.dataset.pointsUrl + (el.dataset.pointsUrl.includes("?") ? "&" : "?") + "bbox=" + bbox;
      let data;
      try {
        data = await fetchJSON(url);
      } catch (err) {
        el.dataset.error = "true";
        setStatus("The map's data could not be loaded. The list below has every result." + tileNote);
        return;
      }
      if (mine !== request) return;
      // A popup's own pan to fit the view also ends in moveend: keep it open across the
      // refresh instead of closing it under the person who just clicked.
      const reopen = openName;
      refreshing = true;
      markers.clearLayers();
      cells.clearLayers();
      (data.points || []).forEach((point) => {
        const marker = L.marker([point.lat, point.lon], { title: point.name, alt: point.name });
        marker.bindPopup(() => popupContent(point));
        markers.addLayer(marker);
      });
      refreshing = false;
      const again = reopen && markers.getLayers().find((m) => m.options.title === reopen);
      if (again && markers.getVisibleParent(again) === again) {
        again.getPopup().options.autoPan = false;  // already in view: no second pan
        again.openPopup();
      }
      (data.cells || []).forEach((cell) => cells.addLayer(cellMarker(cell)));
      const shown = data.in_view || 0;
      state.count = shown;
      el.dataset.loaded = String(shown);
      const what = (data.cells || []).length ? "counted by area; zoom in to see each one" : "shown at the centre of their postcode district";
      setStatus(shown.toLocaleString("en-GB") + " of " + (data.total || 0).toLocaleString("en-GB") + " businesses in this view, " + what + "." + tileNote);
    }
    let openName = null;
    let refreshing = false;
    map.on("popupopen", (event) => {
      const source = event.popup._source;
      openName = source && source.options ? source.options.title || null : null;
    });
    map.on("popupclose", () => { if (!refreshing) openName = null; });
    map.on("moveend", refresh);
    await refresh();
  }

  function start() {
    const el = document.getElementById("map");
    if (el) init(el);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
