// The proposal page's sections fold and unfold: a button in each section's heading says whether the
// section is open (aria-expanded) and hides or shows its body. Following a link to a heading or into
// a folded section unfolds it first, so that a jump from the navigation never lands on nothing.
(function () {
  function setOpen(button, open) {
    var body = document.getElementById(button.getAttribute("aria-controls"));
    if (!body) return;
    button.setAttribute("aria-expanded", open ? "true" : "false");
    body.hidden = !open;
  }

  function buttonFor(body) {
    return document.querySelector('[data-fold][aria-controls="' + body.id + '"]');
  }

  function reveal(id) {
    var target = id && document.getElementById(id);
    if (!target) return;
    var toggle = target.querySelector("[data-fold]");
    var body = toggle ? document.getElementById(toggle.getAttribute("aria-controls")) : target.closest(".mc-fold-body");
    if (body && body.hidden) setOpen(toggle || buttonFor(body), true);
  }

  document.addEventListener("click", function (event) {
    var toggle = event.target.closest("[data-fold]");
    if (toggle) {
      setOpen(toggle, toggle.getAttribute("aria-expanded") !== "true");
      return;
    }
    var all = event.target.closest("[data-fold-all]");
    if (all) {
      var open = all.getAttribute("data-fold-all") === "open";
      document.querySelectorAll("[data-fold]").forEach(function (b) { setOpen(b, open); });
      return;
    }
    var link = event.target.closest('a[href^="#"]');
    if (link) reveal(decodeURIComponent(link.getAttribute("href").slice(1)));
  });

  window.addEventListener("hashchange", function () { reveal(decodeURIComponent(location.hash.slice(1))); });
  document.querySelectorAll("[data-fold-controls]").forEach(function (c) { c.hidden = false; });
})();
