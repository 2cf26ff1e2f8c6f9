// The language hint (partials/lang-hint.html): on a page of the default language, show the
// hint of the first language the browser prefers that has a version of this page, unless the
// reader prefers the page's own language or dismissed the hint before. Nothing leaves the
// browser: the dismissal is kept in localStorage.
(function () {
  "use strict";
  var box = document.querySelector("[data-lang-hint]");
  if (!box) return;
  var KEY = "qiao-lang-hint-dismissed";
  try { if (window.localStorage.getItem(KEY)) return; } catch (e) { /* storage off: still show */ }
  var page = (document.documentElement.lang || "").toLowerCase().split("-")[0];
  var prefs = navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language || ""];
  var hint = null;
  for (var i = 0; i < prefs.length && !hint; i++) {
    var code = String(prefs[i]).toLowerCase().split("-")[0];
    if (code === page) return; // the reader reads this language first: no hint
    hint = box.querySelector('[data-lang="' + code + '"]');
  }
  if (!hint) return;
  hint.hidden = false;
  box.hidden = false;
  hint.querySelector("[data-lang-hint-close]").addEventListener("click", function () {
    box.hidden = true;
    try { window.localStorage.setItem(KEY, "1"); } catch (e) { /* not remembered */ }
  });
})();
