// qiao serve: live reload. Injected into HTML pages by `qiao serve` only, never written to
// the built site. Protocol: Server-Sent Events at /__qiao/events (see docs/serve.md).
(() => {
  "use strict";
  if (window.__qiaoLiveReload) return;
  window.__qiaoLiveReload = true;

  const SCROLL_KEY = "qiao-scroll:" + location.pathname + location.search;
  const OVERLAY_ID = "qiao-error-overlay";
  // Which open tab the editor looked at last: each tab keeps the time it was last focused
  // (in sessionStorage, so it survives reloads) and publishes it in localStorage, shared by
  // the site's tabs; the tab with the latest time follows the page just saved.
  const TAB_KEY = "qiao-tab";
  const FOCUS_PREFIX = "qiao-focus:";
  const LIVE_KEY = "qiao-live-reload";

  let tab = null;
  try {
    tab = JSON.parse(sessionStorage.getItem(TAB_KEY) || "null");
  } catch (_) {}
  // A reload or a navigation made by this script is not a sign of the editor's attention.
  let byScript = false;
  try {
    byScript = sessionStorage.getItem(LIVE_KEY) !== null;
    sessionStorage.removeItem(LIVE_KEY);
  } catch (_) {}

  function newTab() {
    tab = { id: Math.random().toString(36).slice(2) + Date.now().toString(36), at: 0 };
  }

  function focused() {
    if (!tab || typeof tab.id !== "string") newTab();
    tab.at = Date.now();
    publish();
  }

  function publish() {
    try {
      sessionStorage.setItem(TAB_KEY, JSON.stringify(tab));
      localStorage.setItem(FOCUS_PREFIX + tab.id, String(tab.at));
    } catch (_) {}
  }

  // Whether no other open tab of the site was focused after this one.
  function focusedLast() {
    let latest = -1;
    let who = null;
    try {
      for (let i = 0; i < localStorage.length; i++) {
        const key = localStorage.key(i);
        if (!key || !key.startsWith(FOCUS_PREFIX)) continue;
        const at = Number(localStorage.getItem(key));
        if (at > latest) {
          latest = at;
          who = key.slice(FOCUS_PREFIX.length);
        }
      }
    } catch (_) {
      return true;
    }
    return who === null || who === tab.id;
  }

  if (tab && byScript && typeof tab.id === "string") {
    publish();
  } else {
    // A page the editor opened (a duplicated tab copies sessionStorage: a new id for it).
    newTab();
    focused();
  }
  window.addEventListener("focus", focused);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") focused();
  });
  // A closed tab, or one that leaves the site, no longer counts.
  window.addEventListener("pagehide", () => {
    try {
      localStorage.removeItem(FOCUS_PREFIX + tab.id);
    } catch (_) {}
  });
  window.addEventListener("pageshow", (ev) => {
    if (ev.persisted) publish();
  });

  // Paths compare decoded, with a directory's index.html as the directory.
  function samePage(a, b) {
    const norm = (p) => {
      try {
        p = decodeURI(p);
      } catch (_) {}
      return p.replace(/\/index\.html$/, "/");
    };
    return norm(a) === norm(b);
  }

  // Restore the scroll position saved just before a live reload.
  const saved = sessionStorage.getItem(SCROLL_KEY);
  if (saved !== null) {
    sessionStorage.removeItem(SCROLL_KEY);
    try {
      const [x, y] = JSON.parse(saved);
      const restore = () => window.scrollTo(x, y);
      restore();
      if (document.readyState !== "complete") {
        window.addEventListener("load", restore, { once: true });
      }
    } catch (_) {}
  }

  function reload() {
    try {
      sessionStorage.setItem(SCROLL_KEY, JSON.stringify([window.scrollX, window.scrollY]));
      sessionStorage.setItem(LIVE_KEY, "1");
    } catch (_) {}
    location.reload();
  }

  function navigate(path) {
    try {
      sessionStorage.setItem(LIVE_KEY, "1");
    } catch (_) {}
    location.assign(path);
  }

  function swapStylesheets(build) {
    for (const link of document.querySelectorAll('link[rel~="stylesheet"][href]')) {
      const url = new URL(link.href, location.href);
      if (url.origin !== location.origin) continue;
      url.searchParams.set("qiao-build", String(build));
      const next = link.cloneNode();
      next.href = url.href;
      // Keep the old sheet until the new one has loaded: no flash of unstyled content.
      next.addEventListener("load", () => link.remove(), { once: true });
      next.addEventListener("error", () => link.remove(), { once: true });
      link.after(next);
    }
  }

  function clearOverlay() {
    const old = document.getElementById(OVERLAY_ID);
    if (old) old.remove();
  }

  // Every text goes in through textContent: messages are never parsed as HTML.
  function showOverlay(errors, served) {
    clearOverlay();
    const box = document.createElement("div");
    box.id = OVERLAY_ID;
    box.setAttribute("role", "alert");
    box.style.cssText =
      "position:fixed;inset:0;z-index:2147483647;overflow:auto;margin:0;padding:1.5em 2em;" +
      "background:rgba(24,24,27,.96);color:#f4f4f5;font:14px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;";
    const close = document.createElement("button");
    close.type = "button";
    close.textContent = "\u00d7";
    close.title = "Hide (the page below is the last version that built)";
    close.style.cssText =
      "position:absolute;top:.5em;right:.75em;font:inherit;font-size:1.5em;background:none;border:0;color:inherit;cursor:pointer;";
    close.addEventListener("click", () => box.remove());
    const title = document.createElement("p");
    title.style.cssText = "margin:0 0 1em;font-weight:bold;color:#fca5a5;";
    title.textContent =
      "qiao: the site has " + errors.length + (errors.length === 1 ? " error" : " errors") +
      (served
        ? "; the last good version stays served until it is fixed."
        : "; there is no good version yet: the site appears once it is fixed.");
    box.append(close, title);
    for (const e of errors) {
      const pre = document.createElement("pre");
      pre.className = "qiao-error";
      pre.style.cssText = "margin:0 0 1.25em;white-space:pre-wrap;font:inherit;";
      pre.textContent = e.text;
      box.append(pre);
    }
    (document.body || document.documentElement).append(box);
  }

  // The server and build this page was served from, then of the last event seen.
  const me = document.currentScript;
  let current =
    me && me.dataset.build
      ? { server: me.dataset.server, build: Number(me.dataset.build) }
      : null;

  function connect() {
    const source = new EventSource("/__qiao/events");
    source.addEventListener("hello", (ev) => {
      const d = JSON.parse(ev.data);
      if (current !== null && (d.server !== current.server || d.build !== current.build)) {
        // The site was rebuilt, or the server restarted, since this page was served.
        reload();
        return;
      }
      current = { server: d.server, build: d.build };
      window.__qiaoConnected = true;
      if (d.errors && d.errors.length) showOverlay(d.errors, d.served !== false);
      else clearOverlay();
    });
    source.addEventListener("reload", (ev) => {
      const d = JSON.parse(ev.data);
      if (d.navigate && focusedLast() && !samePage(d.navigate, location.pathname)) {
        navigate(d.navigate);
        return;
      }
      const mine =
        !Array.isArray(d.pages) ||
        (d.navigate && focusedLast()) ||
        d.pages.some((p) => samePage(p, location.pathname));
      if (mine) {
        reload();
        return;
      }
      // This page did not change: it stays, without its overlay, with the new stylesheets.
      if (current) current.build = d.build;
      clearOverlay();
      if (d.css) swapStylesheets(d.build);
    });
    source.addEventListener("css", (ev) => {
      const d = JSON.parse(ev.data);
      if (current) current.build = d.build;
      clearOverlay();
      swapStylesheets(d.build);
    });
    source.addEventListener("build-error", (ev) => {
      const d = JSON.parse(ev.data);
      if (current) current.build = d.build;
      showOverlay(d.errors, d.served !== false);
    });
    source.addEventListener("error", () => {
      // EventSource retries by itself after a network error; when it gives up (CLOSED),
      // start again, so that the page reconnects when the server comes back.
      if (source.readyState === EventSource.CLOSED) {
        source.close();
        setTimeout(connect, 1000);
      }
    });
  }

  connect();
})();
