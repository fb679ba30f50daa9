// Objectbase dashboard: the little JavaScript the pages need (no inline scripts: the CSP allows only 'self').
// - a form with data-confirm="…" asks before it is sent (delete buttons);
// - any form submission shows the loading bar until the next page arrives;
// - htmx sends the CSRF token (from the page's meta tag) with each request it makes;
// - a file input with data-max-bytes refuses a file over the upload limit (below);
// - an element with data-shown-for="<select id>:<value> <value>…" shows only while that select has one
//   of the values (without JavaScript every such element stays shown).
document.addEventListener("submit", (event) => {
  const form = event.target;
  const question = form.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    event.preventDefault();
    return;
  }
  document.body.classList.add("busy");
});
window.addEventListener("pageshow", () => document.body.classList.remove("busy"));
// A form htmx sends (hx-boost) stays on the page: its answer ends the loading bar instead.
document.addEventListener("htmx:afterRequest", () => document.body.classList.remove("busy"));
document.addEventListener("htmx:configRequest", (event) => {
  const meta = document.querySelector('meta[name="csrf-token"]');
  if (meta) event.detail.headers["X-CSRF-Token"] = meta.content;
});
// A 422 answers a form or filter with the errors beside its fields: htmx swaps it in like a 200.
document.addEventListener("htmx:beforeSwap", (event) => {
  if (event.detail.xhr.status === 422) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});
// A file input with data-max-bytes="…" refuses a larger file before the form uploads it (the server
// refuses it too, but only after the browser has sent it all).
document.addEventListener("change", (event) => {
  const input = event.target;
  if (!(input instanceof HTMLInputElement) || input.type !== "file" || !input.dataset.maxBytes) return;
  const limit = Number(input.dataset.maxBytes);
  const tooLarge = Array.from(input.files || []).some((file) => file.size > limit);
  input.setCustomValidity(tooLarge ? `The file is larger than the limit of ${limit} bytes.` : "");
  input.reportValidity();
});
// A form htmx sends stays on the page: its loading bar ends with the request.
document.addEventListener("htmx:afterRequest", () => document.body.classList.remove("busy"));
function showDependents() {
  document.querySelectorAll("[data-shown-for]").forEach((element) => {
    const [id, values] = element.getAttribute("data-shown-for").split(":");
    const select = document.getElementById(id);
    if (select) element.hidden = !values.split(" ").includes(select.value);
  });
}
document.addEventListener("change", showDependents);
showDependents();

