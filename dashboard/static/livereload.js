// Injected into the pages of every extension by the dev server: reload this page after an edit
// (a "change" event), a successful hot reload, or a worker restart. Idle when not logged in.
(function () {
  "use strict";
  if (!window.EventSource) return;
  const script = document.currentScript;
  const src = script ? script.src : "";
  // .../static/dashboard/livereload.js -> .../_introspect/api/events
  const base = src.replace(/static\/dashboard\/livereload\.js.*$/, "");
  if (!base || base === src) return;
  let worker = null;
  const source = new EventSource(base + "_introspect/api/events");
  const reload = () => window.location.reload();
  // A JupyterLab page keeps its kernels and state across server-side reloads and restarts: it
  // reloads only after a new build of a frontend, and shows a failed build's errors instead.
  if (document.getElementById("jupyter-config-data")) {
    source.addEventListener("frontend", (msg) => frontendBuilt(JSON.parse(msg.data).data, reload));
    return;
  }
  source.addEventListener("change", reload);
  source.addEventListener("reload", (msg) => { if (JSON.parse(msg.data).data.ok) reload(); });
  // Each connection opens with "hello" naming the worker: another pid means a restart.
  source.addEventListener("hello", (msg) => {
    const pid = String(JSON.parse(msg.data).worker);
    if (worker !== null && pid !== worker) reload();
    worker = pid;
  });
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
