// Tell assistive technology when the results region is being replaced.
document.addEventListener("htmx:beforeRequest", function (event) {
  var results = document.getElementById("results");
  if (results && event.detail.target === results) results.setAttribute("aria-busy", "true");
});
document.addEventListener("htmx:afterSettle", function (event) {
  var results = document.getElementById("results");
  if (results && event.detail.target === results) results.removeAttribute("aria-busy");
});
// The columns and saved-search forms carry the current query; keep it current after partial updates.
document.addEventListener("htmx:pushedIntoHistory", function (event) {
  var query = (event.detail.path.split("?")[1] || "").replace(/(^|&)(page_token|shown)=[^&]*/g, "").replace(/^&/, "");
  document.querySelectorAll("input[name=query]").forEach(function (input) { input.value = query; });
});
