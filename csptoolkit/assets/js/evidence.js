// On a standard's page: when a rating that needs evidence is picked, the evidence fields stop saying "(optional)"
// at once (without JavaScript they follow the saved answer, and each question's hint says from which level).
for (const criterion of document.querySelectorAll("[data-evidence-values]")) {
  const needing = criterion.dataset.evidenceValues.split(" ").filter(Boolean);
  const note = criterion.querySelector("label[for$='_note']");
  const noteHint = note && document.getElementById(note.htmlFor + "-hint");
  const files = criterion.querySelector("label[for$='_files']");
  const show = (needed) => {
    const state = needed ? "needed" : "optional";
    if (note) note.textContent = criterion.dataset["note" + (needed ? "Needed" : "Optional")];
    if (noteHint) noteHint.textContent = criterion.dataset["noteHint" + (needed ? "Needed" : "Optional")];
    if (files) files.textContent = criterion.dataset["files" + (needed ? "Needed" : "Optional")];
    criterion.dataset.evidenceState = state;
  };
  criterion.addEventListener("change", (event) => {
    if (event.target.matches("input[type=radio]")) show(needing.includes(event.target.value));
  });
}
