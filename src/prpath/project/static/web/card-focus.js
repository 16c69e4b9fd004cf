// After htmx replaces an alert card, keep the keyboard where the work is: on the updated card.
"use strict";
document.addEventListener("htmx:afterSwap", (event) => {
  const id = event.detail.target && event.detail.target.id;
  const card = id ? document.getElementById(id) : null;
  if (card) {
    card.focus();
  }
});
