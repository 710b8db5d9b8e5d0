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

  // Region and nation names at the scale of the country, place names as the map zooms in:
  // none with the whole country in view, cities from zoom 7, every place from zoom 9. A place
  // named like a region shown ("London") is left out.
  function drawLabels(map, base, withPlaces) {
    pane(map, "outline-labels", 160);
    const layer = L.layerGroup().addTo(map);
    const areas = (base.regions || []).concat(base.nations || []);
    function show() {
      layer.clearLayers();
      const zoom = map.getZoom();
      const regionsShown = zoom <= REGION_LABELS_UNTIL;
      const named = new Set();
      if (regionsShown) {
        areas.forEach((area) => {
          named.add(area.name);
          layer.addLayer(label(area.label, "map-region-label", area.name));
        });
      }
      if (!withPlaces) return;
      if (zoom < 7) return;
      const minimum = zoom >= 9 ? 0 : 250000;
      (base.places || []).filter((p) => p.population >= minimum && !named.has(p.name)).forEach((p) => {
        layer.addLayer(label([p.lat, p.lon], "map-place-label", p.name));
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
