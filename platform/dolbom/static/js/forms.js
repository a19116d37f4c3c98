// Assessment forms in the browser: answers that could not be sent are kept and sent again,
// the editor's drag and drop, printing, and jumping to a missing question. No inline scripts:
// the CSP forbids them.
(function () {
  "use strict";
  var ko = document.documentElement.lang !== "en";
  var RETRY_MS = 15000;

  // --- answers that could not be sent -------------------------------------------------------
  // A lost connection must not lose what the worker typed. Until the server has it, the value
  // waits in localStorage (so closing the tab keeps it too) and is removed once saved.
  function layout() { return document.querySelector(".fill-layout[data-response]"); }
  function storeKey() { var l = layout(); return l ? "dolbom-pending-" + l.getAttribute("data-response") : null; }
  function readPending() {
    var key = storeKey();
    if (!key) { return {}; }
    try { return JSON.parse(localStorage.getItem(key) || "{}"); } catch (e) { return {}; }
  }
  function writePending(map) {
    var key = storeKey();
    if (!key) { return; }
    if (Object.keys(map).length) { localStorage.setItem(key, JSON.stringify(map)); }
    else { localStorage.removeItem(key); }
    showConnection(Object.keys(map).length);
  }
  function showConnection(count) {
    var el = document.querySelector("#fill-status [data-conn]");
    if (!el) { return; }
    if (!count) { el.hidden = true; el.textContent = ""; return; }
    el.hidden = false;
    el.textContent = ko
      ? "연결이 끊겨 저장하지 못한 답 " + count + "개 — 연결되면 자동으로 저장합니다."
      : count + " answer(s) not saved yet — they will be saved when the connection is back.";
  }
  function entriesOf(wrapper) {
    var out = [];
    wrapper.querySelectorAll("[name]").forEach(function (input) {
      if (!input.name || input.name.charAt(0) === "_" || input.tagName === "BUTTON") { return; }
      if ((input.type === "checkbox" || input.type === "radio") && !input.checked) { return; }
      out.push([input.name, input.value]);
    });
    return out;
  }
  function restore(wrapper, entries) {
    var used = {};
    wrapper.querySelectorAll("[name]").forEach(function (input) {
      if (input.type === "checkbox" || input.type === "radio") {
        input.checked = entries.some(function (e) { return e[0] === input.name && e[1] === input.value; });
      } else if (input.tagName !== "BUTTON") {
        var match = entries.filter(function (e) { return e[0] === input.name; })[used[input.name] || 0];
        used[input.name] = (used[input.name] || 0) + 1;
        if (match) { input.value = match[1]; }
      }
    });
  }
  function resend(wrapper) {
    var key = wrapper.getAttribute("data-autosave");
    return htmx.ajax("POST", wrapper.getAttribute("hx-post"), {
      source: wrapper, target: "#msg-" + CSS.escape(key), swap: "outerHTML"
    });
  }
  function retryAll() {
    var map = readPending();
    Object.keys(map).forEach(function (key) {
      var wrapper = document.querySelector('[data-autosave="' + CSS.escape(key) + '"]');
      if (wrapper) { resend(wrapper); }
    });
  }

  document.addEventListener("htmx:error", function (evt) {
    var wrapper = evt.target && evt.target.closest && evt.target.closest("[data-autosave]");
    if (!wrapper) { return; }
    var map = readPending();
    map[wrapper.getAttribute("data-autosave")] = entriesOf(wrapper);
    writePending(map);
  });
  document.addEventListener("htmx:after:request", function (evt) {
    var wrapper = evt.target && evt.target.closest && evt.target.closest("[data-autosave]");
    var status = evt.detail && evt.detail.ctx && evt.detail.ctx.response && evt.detail.ctx.response.status;
    if (!wrapper || !status || status >= 500) { return; }
    // An answered question leaves the "still missing" list shown after an early submit.
    if (status < 400) {
      var key = wrapper.getAttribute("data-autosave");
      document.querySelectorAll('#submit-result a[data-focus="q-' + CSS.escape(key) + '"]').forEach(function (a) {
        var item = a.closest("li");
        if (item) { item.remove(); }
      });
    }
    var map = readPending();
    if (map[wrapper.getAttribute("data-autosave")]) {
      delete map[wrapper.getAttribute("data-autosave")];
      writePending(map);
    }
  });
  window.addEventListener("online", retryAll);
  setInterval(function () { if (Object.keys(readPending()).length) { retryAll(); } }, RETRY_MS);

  function restoreOnLoad() {
    var map = readPending();
    Object.keys(map).forEach(function (key) {
      var wrapper = document.querySelector('[data-autosave="' + CSS.escape(key) + '"]');
      if (wrapper) { restore(wrapper, map[key]); }
    });
    showConnection(Object.keys(map).length);
    if (Object.keys(map).length) { retryAll(); }
  }

  // --- conditions in the correction form ---------------------------------------------------
  // The server says which questions and sections the typed answers hide; only the `hidden`
  // attributes change, so nothing typed is touched.
  document.addEventListener("htmx:after:swap", function () {
    var v = document.getElementById("correct-visibility");
    if (!v || !v.hasAttribute("data-hidden-questions")) { return; }
    var hiddenQ = (v.getAttribute("data-hidden-questions") || "").split(" ");
    var hiddenS = (v.getAttribute("data-hidden-sections") || "").split(" ");
    document.querySelectorAll(".correct-form .q[data-key]").forEach(function (q) {
      q.hidden = hiddenQ.indexOf(q.getAttribute("data-key")) >= 0;
    });
    document.querySelectorAll(".correct-form .fill-section").forEach(function (sec) {
      sec.hidden = hiddenS.indexOf(sec.id.replace(/^sec-/, "")) >= 0;
    });
  });

  // --- printing and jumping to a question ---------------------------------------------------
  document.addEventListener("click", function (evt) {
    var target = evt.target.closest && evt.target.closest("[data-action=print]");
    if (target) { window.print(); return; }
    var link = evt.target.closest && evt.target.closest("[data-focus]");
    if (link) {
      var q = document.getElementById(link.getAttribute("data-focus"));
      var input = q && q.querySelector("input, select, textarea");
      if (input) { evt.preventDefault(); q.scrollIntoView({block: "center"}); input.focus(); }
    }
  });

  // --- the editor: drag a question to a new place -------------------------------------------
  var dragged = null;
  document.addEventListener("dragstart", function (evt) {
    var item = evt.target.closest && evt.target.closest(".ed-q[draggable]");
    if (!item) { return; }
    dragged = item;
    item.classList.add("is-dragging");
    evt.dataTransfer.effectAllowed = "move";
    evt.dataTransfer.setData("text/plain", item.getAttribute("data-s") + ":" + item.getAttribute("data-q"));
  });
  document.addEventListener("dragend", function () {
    if (dragged) { dragged.classList.remove("is-dragging"); }
    document.querySelectorAll(".is-drop-target").forEach(function (el) { el.classList.remove("is-drop-target"); });
    dragged = null;
  });
  document.addEventListener("dragover", function (evt) {
    if (!dragged) { return; }
    var over = evt.target.closest && (evt.target.closest(".ed-q") || evt.target.closest(".ed-questions"));
    if (!over) { return; }
    evt.preventDefault();
    document.querySelectorAll(".is-drop-target").forEach(function (el) { el.classList.remove("is-drop-target"); });
    if (over.classList.contains("ed-q")) { over.classList.add("is-drop-target"); }
  });
  document.addEventListener("drop", function (evt) {
    if (!dragged) { return; }
    var editor = document.getElementById("editor");
    var over = evt.target.closest && (evt.target.closest(".ed-q") || evt.target.closest(".ed-questions"));
    if (!editor || !over) { return; }
    evt.preventDefault();
    var list = over.classList.contains("ed-q") ? over.parentElement : over;
    var fromS = +dragged.getAttribute("data-s"), fromQ = +dragged.getAttribute("data-q");
    var toS = +list.getAttribute("data-section");
    var toQ = over.classList.contains("ed-q") ? +over.getAttribute("data-q") : list.children.length;
    if (toS === fromS && fromQ < toQ) { toQ -= 1; }
    if (toS === fromS && toQ === fromQ) { return; }
    var token = editor.querySelector("input[name=csrf_token]");
    htmx.ajax("POST", editor.getAttribute("data-edit-url"), {
      target: "#editor", swap: "outerHTML",
      values: {
        op: "question_move", section: fromS, question: fromQ, to_section: toS, to_question: toQ,
        lock_version: editor.getAttribute("data-lock"), csrf_token: token ? token.value : ""
      }
    });
  });

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", restoreOnLoad); }
  else { restoreOnLoad(); }
})();
