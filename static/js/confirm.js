// Buttons with data-confirm ask before submitting an action that cannot be undone.
document.addEventListener("click", function (event) {
  const button = event.target.closest("[data-confirm]");
  if (button && !window.confirm(button.dataset.confirm)) event.preventDefault();
});

// A checkbox with data-select-all="<name>" checks and unchecks every checkbox of that name in its form.
document.addEventListener("change", function (event) {
  const all = event.target.closest("[data-select-all]");
  if (!all) return;
  all.form.querySelectorAll(`input[type=checkbox][name="${all.dataset.selectAll}"]`).forEach(function (box) {
    box.checked = all.checked;
  });
});
