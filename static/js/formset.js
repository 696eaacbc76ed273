// "Add another" for Django formsets: clones the <template> of an empty row and bumps TOTAL_FORMS.
document.addEventListener("click", function (event) {
  const button = event.target.closest("[data-formset-add]");
  if (!button) return;
  const container = document.getElementById(button.dataset.formsetAdd);
  const template = container.querySelector("template");
  const total = container.querySelector("input[name$='-TOTAL_FORMS']");
  const index = parseInt(total.value, 10);
  const html = template.innerHTML.replace(/__prefix__/g, String(index));
  container.querySelector("[data-formset-rows]").insertAdjacentHTML("beforeend", html);
  total.value = String(index + 1);
  const rows = container.querySelectorAll("[data-formset-row]");
  const first = rows[rows.length - 1].querySelector("input:not([type=hidden]), textarea, select");
  if (first) first.focus();
});
