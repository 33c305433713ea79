// Number keys choose a score in the focused group of radio buttons, so a
// reviewer can score with the keyboard only: Tab to a group, type 1–4.
const form = document.querySelector("[data-review-keys]");
if (form) {
  form.addEventListener("keydown", (event) => {
    const target = event.target;
    if (!(target instanceof HTMLInputElement) || target.type !== "radio") return;
    // Ctrl, Alt or Cmd with a digit belongs to the browser (switching tabs, for example).
    if (event.ctrlKey || event.altKey || event.metaKey) return;
    if (!/^[0-9]$/.test(event.key)) return;
    const choice = form.querySelector(
      `input[type="radio"][name="${CSS.escape(target.name)}"][value="${event.key}"]`,
    );
    if (choice) {
      choice.checked = true;
      choice.focus();
      event.preventDefault();
    }
  });
}
