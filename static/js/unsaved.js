// Warn before leaving a section page with changes that were not saved.
(function () {
  const form = document.querySelector("form.mc-section-form");
  if (!form) return;
  let dirty = false;
  form.addEventListener("input", function () { dirty = true; });
  form.addEventListener("change", function () { dirty = true; });
  form.addEventListener("submit", function () { dirty = false; });
  window.addEventListener("beforeunload", function (event) {
    if (dirty) { event.preventDefault(); event.returnValue = ""; }
  });
})();
