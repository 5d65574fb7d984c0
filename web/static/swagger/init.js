// Starts Swagger UI on the app's own OpenAPI schema. A file, not an inline script: the
// Content-Security-Policy allows scripts from this site only.
window.ui = SwaggerUIBundle({
  url: document.getElementById("swagger-ui").dataset.openapi,
  dom_id: "#swagger-ui",
  deepLinking: true,
});
