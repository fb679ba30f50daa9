// The dialect picker (the top bar's "Select a definition"): ?dialect=tracy opens that document first.
window.onload = function () {
  var dialects = ["quickblox", "dreamfactory", "tracy"];
  var asked = new URLSearchParams(window.location.search).get("dialect");
  window.ui = SwaggerUIBundle({
    urls: dialects.map(function (name) { return {url: "/openapi/" + name + ".json", name: name}; }),
    "urls.primaryName": dialects.indexOf(asked) >= 0 ? asked : dialects[0],
    dom_id: "#reference",
    deepLinking: true,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    layout: "StandaloneLayout"
  });
};
