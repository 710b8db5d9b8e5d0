/*
 * Peerlink map: turns <div id="map" data-points-url="..."> into a Leaflet map of businesses.
 *
 * Contract (read by templates and the browser tests):
 *   data-points-url        required; GeoJSON FeatureCollection of Point features whose
 *                          properties are {name, url, sector, town, distance_km (or null)}
 *   data-tile-url          optional; Leaflet tile URL template. Empty: no tile layer
 *   data-tile-attribution  optional; attribution HTML for the tile layer (set by the server)
 *   data-center="lat,lon"  optional initial view, used when there are no markers
 *   data-zoom="6"          optional initial zoom
 *   data-near="lat,lon" and data-radius-km="40"
 *                          optional; draw the search radius as a circle
 * When the markers are on the map: #map gets data-loaded="N" and window.peerlinkMap.count = N.
 * If the points cannot be loaded: #map gets data-error="true". #map-status explains either way.
 *
 * The app must work offline, where tiles fail: failed tiles stay hidden (Leaflet's CSS) and
 * #map gets the class map-tiles-unavailable so the stylesheet can show a plain background.
 */
(function () {
  "use strict";

  const DEFAULT_CENTER = [52.8, -1.6]; // England
  const DEFAULT_ZOOM = 6;
  const FIT_MAX_ZOOM = 12;
  const MAX_ZOOM = 18; // set on the map itself: the cluster group needs it even without tiles

  function parseLatLon(text) {
    if (!text) return null;
    const parts = text.split(",").map((s) => (s.trim() ? Number(s) : NaN));
    if (parts.length !== 2 || !parts.every(Number.isFinite)) return null;
    const [lat, lon] = parts;
    if (Math.abs(lat) > 90 || Math.abs(lon) > 180) return null;
    return [lat, lon];
  }

  function safeHref(url) {
    // Only http(s) links, so a stored "javascript:" URL can never run.
    if (typeof url !== "string" || !url) return null;
    try {
      const { protocol } = new URL(url, window.location.href);
      return protocol === "http:" || protocol === "https:" ? url : null;
    } catch (err) {
      return null;
    }
  }

  function formatDistance(km) {
    if (typeof km !== "number" || !Number.isFinite(km)) return null;
    return (km < 10 ? km.toFixed(1) : String(Math.round(km))) + " km away";
  }

  function textElement(tag, className, text) {
    const node = document.createElement(tag);
    node.className = className;
    node.textContent = text;
    return node;
  }

  function popupContent(props) {
    const box = document.createElement("div");
    box.className = "map-popup";
    const name = props.name ? String(props.name) : "Unnamed business";
    const href = safeHref(props.url);
    if (href) {
      const link = textElement("a", "map-popup-title", name);
      link.href = href;
      box.appendChild(link);
    } else {
      box.appendChild(textElement("strong", "map-popup-title", name));
    }
    const where = [props.sector, props.town].filter(Boolean).map(String).join(" · ");
    if (where) box.appendChild(textElement("p", "map-popup-meta", where));
    const distance = formatDistance(props.distance_km);
    if (distance) box.appendChild(textElement("p", "map-popup-distance", distance));
    return box;
  }

  function markerFor(feature) {
    const geometry = feature && feature.geometry;
    if (!geometry || geometry.type !== "Point" || !Array.isArray(geometry.coordinates)) return null;
    const [lon, lat] = geometry.coordinates.map(Number);
    if (!Number.isFinite(lat) || !Number.isFinite(lon)) return null;
    const props = feature.properties || {};
    const label = props.name ? String(props.name) : "Business";
    const marker = L.marker([lat, lon], { title: label, alt: label });
    marker.bindPopup(() => popupContent(props), { autoPanPaddingTopLeft: [50, 10] });
    return marker;
  }

  function addLayersChunked(group, layers) {
    // With chunkedLoading the cluster group adds markers across several ticks; resolve after
    // the last chunk so data-loaded is only set once every marker is really on the map.
    return new Promise((resolve) => {
      group.options.chunkProgress = (processed, total) => {
        if (processed >= total) resolve();
      };
      group.addLayers(layers);
    });
  }

  function setStatus(text) {
    const status = document.getElementById("map-status");
    if (status) status.textContent = text;
  }

  function fail(el, text) {
    el.setAttribute("data-error", "true");
    setStatus(text);
  }

  async function loadPoints(url) {
    const response = await fetch(url, {
      headers: { Accept: "application/geo+json, application/json" },
      credentials: "same-origin",
    });
    if (!response.ok) throw new Error("HTTP " + response.status);
    const data = await response.json();
    if (!data || !Array.isArray(data.features)) throw new Error("not a FeatureCollection");
    return data.features;
  }

  async function init(el) {
    if (typeof window.L === "undefined" || typeof L.markerClusterGroup !== "function") {
      fail(el, "Sorry, the map could not be started.");
      return;
    }
    const zoom = Number.parseInt(el.dataset.zoom, 10);
    const map = L.map(el, { maxZoom: MAX_ZOOM }).setView(
      parseLatLon(el.dataset.center) || DEFAULT_CENTER,
      Number.isFinite(zoom) ? zoom : DEFAULT_ZOOM
    );

    const tileUrl = (el.dataset.tileUrl || "").trim();
    if (tileUrl) {
      const tiles = L.tileLayer(tileUrl, {
        attribution: el.dataset.tileAttribution || "",
        maxZoom: MAX_ZOOM,
      });
      tiles.once("tileerror", () => el.classList.add("map-tiles-unavailable"));
      tiles.addTo(map);
    } else {
      el.classList.add("map-no-tiles");
    }

    const near = parseLatLon(el.dataset.near);
    const radiusKm = Number(el.dataset.radiusKm);
    let circle = null;
    if (near && Number.isFinite(radiusKm) && radiusKm > 0) {
      circle = L.circle(near, {
        radius: radiusKm * 1000,
        interactive: false,
        color: "#1d4ed8",
        weight: 2,
        fillOpacity: 0.06,
      }).addTo(map);
    }

    const clusters = L.markerClusterGroup({ chunkedLoading: true }).addTo(map);
    window.peerlinkMap = { map, markers: clusters, count: 0 };

    const pointsUrl = el.dataset.pointsUrl;
    let features;
    try {
      if (!pointsUrl) throw new Error("no data-points-url");
      setStatus("Loading the map…");
      features = await loadPoints(pointsUrl);
    } catch (err) {
      fail(el, "Sorry, the businesses could not be loaded onto the map.");
      return;
    }

    const markers = features.map(markerFor).filter(Boolean);
    const bounds = L.latLngBounds(markers.map((m) => m.getLatLng()));
    if (bounds.isValid()) {
      map.fitBounds(bounds, { maxZoom: FIT_MAX_ZOOM, padding: [24, 24], animate: false });
    } else if (circle) {
      map.fitBounds(circle.getBounds(), { maxZoom: FIT_MAX_ZOOM, animate: false });
    }
    await addLayersChunked(clusters, markers);

    const count = markers.length;
    window.peerlinkMap.count = count;
    el.setAttribute("data-loaded", String(count));
    if (count === 0) {
      setStatus("No businesses to show on the map.");
    } else {
      setStatus("Showing " + count + (count === 1 ? " business" : " businesses") + " on the map.");
    }
  }

  function start() {
    const el = document.getElementById("map");
    if (!el) return;
    init(el).catch((err) => {
      fail(el, "Sorry, the map could not be shown.");
      console.error(err); // eslint-disable-line no-console
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
