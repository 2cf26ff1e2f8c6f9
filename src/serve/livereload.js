// qiao serve: live reload. Injected into HTML pages by `qiao serve` only, never written to
// the built site. Protocol: Server-Sent Events at /__qiao/events (see docs/serve.md).
(() => {
  "use strict";
  if (window.__qiaoLiveReload) return;
  window.__qiaoLiveReload = true;

  const SCROLL_KEY = "qiao-scroll:" + location.pathname + location.search;
  const OVERLAY_ID = "qiao-error-overlay";

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
    } catch (_) {}
    location.reload();
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
  function showOverlay(errors) {
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
      "; the last good version stays served until it is fixed.";
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
      if (d.errors && d.errors.length) showOverlay(d.errors);
      else clearOverlay();
    });
    source.addEventListener("reload", () => reload());
    source.addEventListener("css", (ev) => {
      const d = JSON.parse(ev.data);
      if (current) current.build = d.build;
      clearOverlay();
      swapStylesheets(d.build);
    });
    source.addEventListener("build-error", (ev) => {
      const d = JSON.parse(ev.data);
      if (current) current.build = d.build;
      showOverlay(d.errors);
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
