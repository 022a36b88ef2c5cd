// Starts Swagger UI on /docs: a file, not an inline script, which the page's policy refuses.
// FastAPI's settings, without the OAuth2 redirect (the API signs in with the password flow) and
// without the online validator (it would send the description to another host).
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: root.dataset.openapiUrl,
    dom_id: "#swagger-ui",
    layout: "BaseLayout",
    deepLinking: true,
    showExtensions: true,
    showCommonExtensions: true,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
  });
})();
