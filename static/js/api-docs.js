// Starts Swagger UI from a file (the CSP forbids inline scripts).
const root = document.getElementById("swagger-ui");
if (root && window.SwaggerUIBundle) {
  window.SwaggerUIBundle({ url: root.dataset.specUrl, domNode: root, deepLinking: false });
}
