// Beside every box with a limit (data-limit), how much of it is used, as the person types. Nothing is cut:
// over the limit the count says by how much, and the server says the same beside the field if it is sent.
// Characters are counted as the server counts them: one per character (not per UTF-16 unit), one per line break.
"use strict";
function countAll(root) {
  for (const box of root.querySelectorAll("textarea[data-limit]")) {
    if (box.dataset.counted) continue;
    box.dataset.counted = "yes";
    const limit = Number(box.dataset.limit);
    const count = document.createElement("p");
    count.className = "counter note";
    count.id = `${box.id}_count`;
    box.insertAdjacentElement("afterend", count);
    box.setAttribute("aria-describedby", `${box.getAttribute("aria-describedby") || ""} ${count.id}`.trim());
    const show = () => {
      const used = [...box.value.trim()].length; // the server ignores spaces at either end too
      const over = used - limit;
      count.textContent = over > 0
        ? `${used.toLocaleString()} of ${limit.toLocaleString()} characters: ${over.toLocaleString()} too many. Shorten it before you send; nothing is cut.`
        : `${used.toLocaleString()} of ${limit.toLocaleString()} characters`;
      count.classList.toggle("counter--over", over > 0);
      // Announced only when it matters: on every keystroke it would drown out the typing.
      count.setAttribute("aria-live", over > 0 ? "polite" : "off");
    };
    box.addEventListener("input", show);
    show();
  }
}
document.addEventListener("DOMContentLoaded", () => {
  countAll(document);
  // A page that asks questions about the note opens at them.
  document.getElementById("note-questions-title")?.focus();
});
// A card htmx puts in place (an alert acknowledged, a note marked read) gets its counters too.
document.addEventListener("htmx:load", (event) => countAll(event.target));
