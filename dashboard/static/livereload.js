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
  source.addEventListener("change", reload);
  source.addEventListener("reload", (msg) => { if (JSON.parse(msg.data).data.ok) reload(); });
  // Each connection opens with "hello" naming the worker: another pid means a restart.
  source.addEventListener("hello", (msg) => {
    const pid = String(JSON.parse(msg.data).worker);
    if (worker !== null && pid !== worker) reload();
    worker = pid;
  });
  source.onerror = () => { if (source.readyState === EventSource.CLOSED) source.close(); };
})();
