// The set-up link's copy button. Without JavaScript the button stays hidden and the link is
// selected and copied by hand. No inline handlers: the CSP forbids them.
(function () {
  "use strict";
  if (window.dolbomStaffCopy) { return; }
  window.dolbomStaffCopy = true;

  function reveal() {
    document.querySelectorAll("[data-copy-target][hidden]").forEach(function (b) { b.hidden = false; });
  }

  document.addEventListener("click", function (evt) {
    var button = evt.target.closest && evt.target.closest("[data-copy-target]");
    if (!button) { return; }
    var input = document.getElementById(button.getAttribute("data-copy-target"));
    if (!input) { return; }
    input.select();
    function done() { button.textContent = button.getAttribute("data-copied"); }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(input.value).then(done, function () { document.execCommand("copy"); done(); });
    } else {
      document.execCommand("copy");
      done();
    }
  });
  document.addEventListener("htmx:after:swap", reveal);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", reveal);
  } else {
    reveal();
  }
})();
