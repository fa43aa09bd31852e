// Injected into the pages of every extension by the dev server: reload this page when its own
// extension changes (a "change" event naming it: template or static edit; a successful hot
// reload of it) or a new worker takes over. Another extension's edits leave the page alone.
// The event stream is shared with every other tab (static/dashboard/events-worker.js).
// Idle when not logged in.
(function () {
  "use strict";
  const script = document.currentScript;
  const src = script ? script.src : "";
  // .../static/dashboard/livereload.js -> ...  (the server's base URL)
  const base = src.replace(/static\/dashboard\/livereload\.js.*$/, "");
  if (!base || base === src) return;
  const mine = script.dataset.extension || null;
  const url = base + "_introspect/api/events";
  let worker = null;
  const reload = () => window.location.reload();

  function onEvent(e) {
    const d = e.data || {};
    if (mine === null) return; // a page of the server itself: only a restart concerns it
    if (e.kind === "change" && (d.extensions || []).includes(mine)) reload();
    if (e.kind === "reload" && d.ok && d.extension === mine) reload();
  }

  function onHello(hello) {
    // Each connection opens with "hello" naming the worker: another pid means a restart.
    const pid = String(hello.worker);
    if (worker !== null && pid !== worker) reload();
    worker = pid;
  }

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
  ["change", "reload"].forEach((kind) => source.addEventListener(kind, (msg) => onEvent(JSON.parse(msg.data))));
  source.onerror = () => { if (source.readyState === EventSource.CLOSED) source.close(); };
})();
