// A "Copy the link" button (data-copy: the box whose text it copies) beside a link shown once. Progressive:
// the button is hidden until this runs, and without scripts the link is still there to select and copy.
"use strict";
for (const button of document.querySelectorAll("[data-copy]")) {
  button.hidden = false;
  button.addEventListener("click", () => {
    navigator.clipboard.writeText(document.querySelector(button.dataset.copy).value).then(() => {
      button.textContent = "Copied";
    });
  });
}
