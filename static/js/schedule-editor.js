// Drag-and-drop for the schedule editor. It posts the same form as the "Move to…"
// page and asks for JSON; without JavaScript that page does the same job.
const status = document.getElementById("editor-status");
const csrf = document.querySelector("#editor-csrf input[name=csrf_token]");

function say(message) {
  if (status) status.textContent = message;
}

async function move(card, cell, acceptWarnings) {
  const body = new FormData();
  body.append("csrf_token", csrf ? csrf.value : "");
  body.append("revision", card.dataset.revision);
  body.append("cell", cell);
  body.append("accept_warnings", acceptWarnings ? "1" : "");
  let response;
  try {
    response = await fetch(card.dataset.moveUrl, {
      method: "POST",
      body,
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    });
  } catch (error) {
    say(document.documentElement.lang === "es" ? "Sin conexión." : "No connection.");
    return;
  }
  const data = await response.json().catch(() => ({}));
  if (response.ok) {
    say(data.message || "");
    window.location.reload();
    return;
  }
  const error = data.error || {};
  if (error.code === "needs_confirmation" && !acceptWarnings) {
    if (window.confirm(error.message)) move(card, cell, true);
    return;
  }
  window.alert(error.message || response.statusText);
  if (error.code === "stale") window.location.reload();
}

let dragged = null;
document.querySelectorAll(".session-card[draggable=true]").forEach((card) => {
  card.addEventListener("dragstart", (event) => {
    dragged = card;
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", card.dataset.code);
    card.classList.add("is-dragging");
  });
  card.addEventListener("dragend", () => {
    card.classList.remove("is-dragging");
    dragged = null;
  });
});
document.querySelectorAll(".drop-target").forEach((target) => {
  target.addEventListener("dragover", (event) => {
    if (!dragged) return;
    event.preventDefault();
    target.classList.add("is-over");
  });
  target.addEventListener("dragleave", () => target.classList.remove("is-over"));
  target.addEventListener("drop", (event) => {
    event.preventDefault();
    target.classList.remove("is-over");
    if (dragged && !target.contains(dragged)) move(dragged, target.dataset.cell, false);
  });
});
