// Live word count under text areas wrapped in [data-word-limit]. The server
// checks the same limit; this only helps people see it while they type.
const lang = document.documentElement.lang;
const words = (text) => (text.trim().match(/\S+/g) || []).length;
const message = (count, limit) =>
  lang === "es" ? `${count} de ${limit} palabras` : `${count} of ${limit} words`;

for (const wrapper of document.querySelectorAll("[data-word-limit]")) {
  const area = wrapper.querySelector("textarea");
  if (!area) continue;
  const limit = Number(wrapper.dataset.wordLimit);
  const counter = document.createElement("p");
  counter.className = "form-text word-count";
  counter.id = `${area.id}-count`;
  counter.setAttribute("aria-live", "polite");
  area.insertAdjacentElement("afterend", counter);
  const described = area.getAttribute("aria-describedby");
  area.setAttribute("aria-describedby", `${described ? described + " " : ""}${counter.id}`);
  const update = () => {
    const count = words(area.value);
    counter.textContent = message(count, limit);
    counter.classList.toggle("over-limit", count > limit);
  };
  area.addEventListener("input", update);
  update();
}
