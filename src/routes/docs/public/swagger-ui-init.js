// Starts Swagger UI on /docs. A file, not an inline script: the page's Content-Security-Policy runs
// scripts from this origin only. Its settings are the JSON block the worker renders (docs.pages.ts).
const settings = JSON.parse(document.getElementById("swagger-ui-settings").textContent);
window.ui = SwaggerUIBundle({ ...settings, dom_id: "#swagger-ui" });
