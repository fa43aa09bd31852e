// Injected into the pages of every extension by the dev server: reload this page when its own
// extension changes (a "change" event naming it: template or static edit; a successful hot
// reload of it) or a new worker takes over; another extension's edits leave the page alone.
// While the page's extension failed to reload, or the page fails to render after an edit, an
// overlay shows the error; the reload that follows a fixing save clears it.
// The event stream is shared with every other tab (static/dashboard/events-worker.js).
// Idle when not logged in.
(function () {
  "use strict";
  const script = document.currentScript;
  const src = script ? script.src : "";
  const extension = script ? script.dataset.extension || "" : "";
  // .../static/dashboard/livereload.js -> .../_introspect/api/events
  const base = src.replace(/static\/dashboard\/livereload\.js.*$/, "");
  if (!base || base === src) return;
  let worker = null;
  const reload = () => window.location.reload();
  // A JupyterLab page keeps its kernels and state across server-side reloads and restarts: it
  // reloads only after a new build of a frontend, and shows a failed build's errors instead.
  const lab = Boolean(document.getElementById("jupyter-config-data"));

  function el(tag, style, text) {
    const node = document.createElement(tag);
    if (style) node.style.cssText = style;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  // err: {type, message, file, line, source: [{line, text}]}
  function showOverlay(title, err) {
    hideOverlay();
    const box = el("div", "position:fixed;inset:0;z-index:2147483647;background:rgba(20,0,0,.55);" +
      "display:flex;align-items:flex-start;justify-content:center;padding:6vh 2vw;font:14px/1.45 system-ui,sans-serif");
    box.id = "devserver-overlay";
    box.setAttribute("role", "alertdialog");
    box.setAttribute("aria-label", title);
    const card = el("div", "background:#fff;color:#222;max-width:960px;width:100%;border-radius:8px;" +
      "border-top:6px solid #b3261e;box-shadow:0 8px 40px rgba(0,0,0,.4);padding:16px 20px;max-height:80vh;overflow:auto");
    const close = el("button", "float:right;border:0;background:none;font-size:20px;cursor:pointer", "×");
    close.setAttribute("aria-label", "Close");
    close.onclick = hideOverlay;
    card.append(close, el("div", "color:#b3261e;font-weight:600", title));
    card.append(el("h2", "margin:6px 0;font-size:18px", `${err.type}: ${err.message}`));
    if (err.file) {
      card.append(el("div", "font-family:ui-monospace,monospace;color:#555", `${err.file}${err.line ? ":" + err.line : ""}`));
    }
    const lines = el("pre", "background:#fff7f7;border:1px solid #eed;padding:8px 0;overflow-x:auto");
    lines.className = "devserver-source";
    (err.source || []).forEach((s) => {
      const row = el("div", "padding:0 12px;white-space:pre" + (s.line === err.line ? ";background:#ffe1e1;font-weight:600" : ""),
        `${String(s.line).padStart(5)}  ${s.text}`);
      lines.append(row);
    });
    if (lines.childElementCount) card.append(lines);
    card.append(el("div", "color:#666;font-size:12px", "The page keeps its last good version. Save a fix and this goes away by itself."));
    box.append(card);
    document.body.append(box);
  }

  function hideOverlay() {
    const old = document.getElementById("devserver-overlay");
    if (old) old.remove();
  }

  // A render failure answers the probe with the dev error page's data: the innermost frame.
  function fromDevPage(data) {
    const frame = (data.frames || [])[data.frames.length - 1] || {};
    return { type: data.type, message: data.message, file: data.file, line: data.line, source: frame.source || [] };
  }

  async function probeThenReload() {
    try {
      const resp = await fetch(window.location.href, {
        credentials: "same-origin", cache: "no-store", headers: { "X-Devserver-Overlay": "1" },
      });
      const type = resp.headers.get("Content-Type") || "";
      if (resp.status >= 500 && type.includes("json")) {
        const data = await resp.json();
        if (data.type) {
          showOverlay(`${data.extension || "this page"} failed to render`, fromDevPage(data));
          return;
        }
      }
    } catch (e) {
      // The server is restarting or unreachable: a plain reload shows what there is.
    }
    reload();
  }

  async function showFailedReload() {
    const resp = await fetch(`${base}_introspect/api/extensions/${encodeURIComponent(extension)}`,
      { credentials: "same-origin" });
    const ext = resp.ok ? await resp.json() : null;
    const last = ext && ext.last_reload;
    if (last && !last.ok && last.error) showOverlay(`${extension} failed to reload`, last.error);
  }

  function onEvent(e) {
    const d = e.data || {};
    if (lab) {
      if (e.kind === "frontend") frontendBuilt(d, reload);
      return;
    }
    if (!extension) return; // a page of the server itself: only a restart concerns it
    if (e.kind === "change" && (d.extensions || []).includes(extension)) probeThenReload();
    if (e.kind === "reload" && d.extension === extension) {
      if (d.ok) reload();
      else if (d.error) showOverlay(`${extension} failed to reload`, d.error);
    }
  }

  // Each connection opens with "hello" naming the worker: another pid means a restart.
  function onHello(hello) {
    const pid = String(hello.worker);
    if (lab) return; // JupyterLab reconnects to the new worker by itself
    if (worker !== null && pid !== worker) reload();
    if (worker === null && extension) showFailedReload().catch(() => {});
    worker = pid;
    document.documentElement.dataset.devserverLive = pid; // listening: edits from now on count
  }

  const url = base + "_introspect/api/events";
  if (window.SharedWorker) {
    const shared = new SharedWorker(base + "static/dashboard/events-worker.js", { name: "devserver-events" });
    shared.port.onmessage = (msg) => {
      if (msg.data.type === "hello") onHello(msg.data.hello);
      if (msg.data.type === "event") onEvent(msg.data.event);
    };
    shared.port.start();
    shared.port.postMessage({ type: "subscribe", url, after: "" });
    window.addEventListener("pagehide", () => shared.port.postMessage({ type: "bye" }));
    return;
  }
  if (!window.EventSource) return;
  const source = new EventSource(url);
  source.addEventListener("hello", (msg) => onHello(JSON.parse(msg.data)));
  ["change", "reload", "frontend"].forEach((kind) => source.addEventListener(kind, (msg) => onEvent(JSON.parse(msg.data))));
  source.onerror = () => { if (source.readyState === EventSource.CLOSED) source.close(); };

  function frontendBuilt(build, reload) {
    const old = document.getElementById("devserver-build-errors");
    if (build.state === "ok") { reload(); return; }
    if (build.state !== "failed") return;
    if (old) old.remove();
    const box = document.createElement("div");
    box.id = "devserver-build-errors";
    box.setAttribute("role", "alert");
    box.style.cssText = "position:fixed;right:12px;bottom:12px;z-index:100000;max-width:60em;" +
      "padding:10px 14px;background:#fff5f5;color:#7a1010;border:2px solid #c62828;" +
      "font:13px/1.4 monospace;white-space:pre-wrap;box-shadow:0 2px 8px rgba(0,0,0,.3)";
    const lines = build.errors.map((e) => (e.line ? e.file + ":" + e.line : e.file) + "  " + e.message);
    box.textContent = "frontend " + build.package + ": build failed (the page runs the last good build)\n" +
      lines.join("\n") + "\n\nEsc closes this; the page reloads when the build is fixed.";
    document.addEventListener("keydown", (ev) => { if (ev.key === "Escape") box.remove(); }, { once: true });
    document.body.appendChild(box);
  }
})();
