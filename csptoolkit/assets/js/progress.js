// On a batch export's page: while it runs, ask for its progress every few seconds and show it in place (the
// status is an aria-live region, so screen readers hear it); once it has finished, load the page again for the
// download button and any failures. Without JavaScript the page refreshes itself instead (a <noscript> meta).
const box = document.getElementById("export-progress");
if (box && box.dataset.running === "yes") {
  const text = box.querySelector("[data-progress-text]");
  const bar = box.querySelector("[data-progress-bar]");
  let last = text.textContent;
  const poll = async () => {
    try {
      const response = await fetch(box.dataset.progressUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" });
      if (response.ok) {
        const progress = await response.json();
        if (progress.text !== last) {
          text.textContent = progress.text;
          last = progress.text;
        }
        bar.max = Math.max(progress.total, 1);
        bar.value = progress.total ? progress.finished : 1;
        bar.textContent = progress.text;
        if (!progress.running) {
          window.location.reload();
          return;
        }
      }
    } catch (error) {
      // The server is restarting, say: try again at the next tick.
    }
    window.setTimeout(poll, 2000);
  };
  window.setTimeout(poll, 2000);
}
