/*
 * The offline outline shared by Peerlink's maps: Natural Earth land from static/map/base.json,
 * drawn in its own pane beneath markers and lines, so a map without tiles still shows England.
 */
(function () {
  "use strict";

  function drawLand(map, land) {
    const pane = map.createPane("outline");
    pane.style.zIndex = 150;
    return L.geoJSON(land, {
      pane: "outline",
      interactive: false,
      style: { color: "#8aa1b4", weight: 1, fillColor: "#f4f1ea", fillOpacity: 1 },
    }).addTo(map);
  }

  window.peerlinkBase = { drawLand };
})();
