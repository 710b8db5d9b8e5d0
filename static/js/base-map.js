/*
 * The offline base map shared by Peerlink's maps, from static/map/base.json (built by
 * scripts/build_base_map.py): Natural Earth land, England's nine regions tinted with the
 * borders between them, region and nation names, and (on the directory map) place names.
 *
 * It is drawn in panes beneath the tile pane, so tiles, when configured and reachable, cover
 * it with their own; without tiles the map still shows England and its regions.
 *
 *   peerlinkBase.draw(map, base, {places: true})   land, regions, labels
 *   peerlinkBase.drawLand(map, land)               land only
 */
(function () {
  "use strict";

  // Fill colours by the region's "tint" number: neighbouring regions never share one.
  const TINTS = ["#efe3c8", "#dfe9d3", "#e6dcea", "#f3d9d2"];
  const REGION_LABELS_UNTIL = 8;  // region names above this zoom would crowd the towns

  function pane(map, name, zIndex) {
    if (!map.getPane(name)) map.createPane(name).style.zIndex = zIndex;
    return name;
  }

  function drawLand(map, land) {
    return L.geoJSON(land, {
      pane: pane(map, "outline", 150),
      interactive: false,
      style: { color: "#8aa1b4", weight: 1, fillColor: "#f4f1ea", fillOpacity: 1 },
    }).addTo(map);
  }

  function drawRegions(map, base) {
    const outlines = (base.regions || []).map((region) => ({
      type: "Feature",
      properties: { tint: region.tint },
      geometry: region.outline,
    }));
    L.geoJSON({ type: "FeatureCollection", features: outlines }, {
      pane: pane(map, "outline", 150),
      interactive: false,
      style: (feature) => ({ stroke: false, fillColor: TINTS[feature.properties.tint % TINTS.length], fillOpacity: 0.7 }),
    }).addTo(map);
    if (base.borders) {
      L.geoJSON(base.borders, {
        pane: "outline",
        interactive: false,
        style: { color: "#7b8b99", weight: 1.2, opacity: 0.9, dashArray: "5 4", fill: false },
      }).addTo(map);
    }
  }

  function label(latlng, className, text) {
    const icon = L.divIcon({ className, html: "", iconSize: null });
    const marker = L.marker(latlng, { icon, pane: "outline-labels", interactive: false, keyboard: false });
    marker.on("add", () => {
      const span = document.createElement("span");
      span.textContent = text;
      marker.getElement().replaceChildren(span);
    });
    return marker;
  }

  // The box of a label's text itself (a region's column is wider than its words).
  function inked(element) {
    const range = document.createRange();
    range.selectNodeContents(element);
    return range.getBoundingClientRect();
  }

  function overlaps(a, b) {
    const gap = 2;
    return a.left < b.right + gap && b.left < a.right + gap && a.top < b.bottom + gap && b.top < a.bottom + gap;
  }

  // Region and nation names at the scale of the country, place names as the map zooms in:
  // none with the whole country in view, cities from zoom 7, every place from zoom 9. With the
  // country in view England's nine regions are always named, and a nation's name gives way
  // to them; zoomed in, towns are named first (largest first), and any name that would cover
  // one already placed is left out, so "London" is written once.
  function drawLabels(map, base, withPlaces) {
    pane(map, "outline-labels", 160);
    const layer = L.layerGroup().addTo(map);
    const places = (base.places || []).slice().sort((a, b) => b.population - a.population);
    function show() {
      layer.clearLayers();
      const zoom = map.getZoom();
      const wanted = [];  // [latlng, text, class, always shown]
      if (withPlaces && zoom >= 7) {
        const minimum = zoom >= 9 ? 0 : 250000;
        places.filter((p) => p.population >= minimum)
          .forEach((p) => wanted.push([[p.lat, p.lon], p.name, "map-place-label", false]));
      }
      if (zoom <= REGION_LABELS_UNTIL) {
        (base.regions || []).forEach((r) => wanted.push([r.label, r.name, "map-region-label", zoom < 7]));
        (base.nations || []).forEach((n) => wanted.push([n.label, n.name, "map-region-label", false]));
      }
      const placed = [];
      wanted.forEach(([latlng, text, className, always]) => {
        const marker = label(latlng, className, text);
        layer.addLayer(marker);
        const drawn = inked(marker.getElement().firstChild);
        if (!always && placed.some((other) => overlaps(drawn, other))) layer.removeLayer(marker);
        else placed.push(drawn);
      });
    }
    map.on("zoomend", show);
    show();
    return layer;
  }

  function draw(map, base, options) {
    map.attributionControl.addAttribution("Natural Earth · GeoNames");
    drawLand(map, base.land);
    drawRegions(map, base);
    drawLabels(map, base, Boolean(options && options.places));
  }

  window.peerlinkBase = { draw, drawLand };
})();
