// Objectbase dashboard: the little JavaScript the pages need (no inline scripts: the CSP allows only 'self').
// - a form with data-confirm="…" asks before it is sent (delete buttons);
// - any form submission shows the loading bar until the next page arrives;
// - htmx sends the CSRF token (from the page's meta tag) with each request it makes;
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
document.addEventListener("htmx:configRequest", (event) => {
  const meta = document.querySelector('meta[name="csrf-token"]');
  if (meta) event.detail.headers["X-CSRF-Token"] = meta.content;
});
function showDependents() {
  document.querySelectorAll("[data-shown-for]").forEach((element) => {
    const [id, values] = element.getAttribute("data-shown-for").split(":");
    const select = document.getElementById(id);
    if (select) element.hidden = !values.split(" ").includes(select.value);
  });
}
document.addEventListener("change", showDependents);
showDependents();
