// Live word count under text areas wrapped in [data-word-limit]. The server
// checks the same limit; this only helps people see it while they type.
// The visible count changes on every key; screen readers hear it through a
// separate status once typing pauses, instead of after every word.
const lang = document.documentElement.lang;
const words = (text) => (text.trim().match(/\S+/g) || []).length;
const message = (count, limit) =>
  lang === "es" ? `${count} de ${limit} palabras` : `${count} of ${limit} words`;
const PAUSE_MS = 1000;

for (const wrapper of document.querySelectorAll("[data-word-limit]")) {
  const area = wrapper.querySelector("textarea");
  if (!area) continue;
  const limit = Number(wrapper.dataset.wordLimit);
  const counter = document.createElement("p");
  counter.className = "form-text word-count";
  counter.id = `${area.id}-count`;
  const status = document.createElement("p");
  status.className = "visually-hidden";
  status.setAttribute("role", "status");
  area.insertAdjacentElement("afterend", counter);
  counter.insertAdjacentElement("afterend", status);
  const described = area.getAttribute("aria-describedby");
  area.setAttribute("aria-describedby", `${described ? described + " " : ""}${counter.id}`);
  const update = () => {
    const count = words(area.value);
    counter.textContent = message(count, limit);
    counter.classList.toggle("over-limit", count > limit);
  };
  let pause;
  area.addEventListener("input", () => {
    update();
    clearTimeout(pause);
    pause = setTimeout(() => {
      status.textContent = counter.textContent;
    }, PAUSE_MS);
  });
  update();
}
