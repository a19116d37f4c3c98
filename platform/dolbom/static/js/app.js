// Dolbom's only script besides htmx. No inline scripts or handlers: the CSP forbids them.
(function () {
  "use strict";

  function liveRegion() {
    var el = document.getElementById("app-live");
    if (!el) {
      el = document.createElement("div");
      el.id = "app-live";
      el.className = "app-live";
      el.setAttribute("role", "alert");
      document.body.appendChild(el);
    }
    return el;
  }

  function say(message) {
    var el = liveRegion();
    el.innerHTML = "";
    var p = document.createElement("p");
    p.className = "app-flash app-flash-error";
    p.textContent = message;
    el.appendChild(p);
  }

  var ko = document.documentElement.lang !== "en";
  // 5xx responses are not swapped (htmx-config noSwap); tell the person instead of failing silently.
  document.addEventListener("htmx:response:error", function (evt) {
    var status = evt.detail && evt.detail.ctx && evt.detail.ctx.response && evt.detail.ctx.response.status;
    if (status >= 500) {
      say(ko ? "일시적인 오류가 발생했습니다. 잠시 뒤에 다시 시도하세요." : "Something went wrong. Please try again shortly.");
    }
  });
  document.addEventListener("htmx:error", function () {
    say(ko ? "서버에 연결할 수 없습니다. 연결을 확인하세요." : "Cannot reach the server. Check your connection.");
  });
  document.addEventListener("htmx:after:request", function () {
    var el = document.getElementById("app-live");
    if (el) { el.innerHTML = ""; }
  });
})();
