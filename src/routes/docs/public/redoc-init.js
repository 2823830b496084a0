// Starts ReDoc on /redoc. A file, not an inline script: the page's Content-Security-Policy runs scripts
// from this origin only. Its settings are the JSON block the worker renders (docs.pages.ts).
const { specUrl, options } = JSON.parse(document.getElementById("redoc-settings").textContent);
Redoc.init(specUrl, options, document.getElementById("redoc"));
