// The what-if page: as a target is chosen, ask the JSON address for the results with the form's targets and put
// them in place of the ones shown, announcing the overall result (without JavaScript, "Recalculate" posts the form
// and the page comes back recalculated).
const form = document.querySelector("form[data-whatif-url]");
const results = document.getElementById("whatif-results");
const announce = document.getElementById("whatif-announce");
if (form && results && announce) {
  let asked = 0;
  const recalculate = async () => {
    // Every target: the shown domain's selects and the other domains' hidden inputs (not the form's controls).
    const query = new URLSearchParams({ html: "1" });
    for (const [name, value] of new FormData(form)) {
      if (value && !["csrf_token", "revision", "domain"].includes(name)) query.append(name, value);
    }
    const number = ++asked;
    let response;
    try {
      response = await fetch(`${form.dataset.whatifUrl}?${query}`, {
        headers: { Accept: "application/json" }, credentials: "same-origin",
      });
    } catch {
      return; // offline: "Recalculate" still works
    }
    // Not the results (a later choice asked for since, or the sign-in ended and this is the sign-in page): leave
    // the page as it is; "Recalculate" still works.
    const json = (response.headers.get("Content-Type") || "").startsWith("application/json");
    if (!response.ok || !json || number !== asked) return;
    const body = await response.json();
    if (number !== asked) return;
    results.innerHTML = body.html; // the server's own template, escaped there
    announce.textContent = body.summary;
  };
  form.addEventListener("change", (event) => {
    if (event.target.matches("select") && event.target.name !== "domain") recalculate();
  });
}
