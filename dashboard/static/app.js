// The dashboard's live parts. Every page works without this file; it adds the live event feed,
// reloads without leaving the page, and route filtering as you type.
(function () {
  "use strict";
  const body = document.body;
  const prefix = body.dataset.prefix;
  const KINDS = ["started", "reload", "error", "restart", "change", "stopped", "blocked"];
  // The stream sends kind "error" as "extension-error": an SSE event named "error" would also
  // fire EventSource's own connection-error handler (dashboard/stream.py SSE_NAMES).
  const SSE_NAMES = { error: "extension-error" };
  const worker = (body.dataset.after || "").split(":")[0];

  function el(tag, cls, text) {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function clock(t) {
    return new Date(t * 1000).toLocaleTimeString([], { hour12: false });
  }

  function summary(e) {
    const d = e.data || {};
    switch (e.kind) {
      case "reload":
        if (d.ok) {
          return `${d.extension} reloaded (${d.mode}) in ${Number(d.duration_ms).toFixed(1)} ms · routes ${d.routes_before} → ${d.routes_after}`;
        }
        return `${d.extension} reload failed: ${d.error ? d.error.type + ": " + d.error.message : "unknown error"}`;
      case "error":
        return `${d.extension} ${d.phase} error: ${d.type}: ${d.message}`;
      case "started":
        return `worker ${d.pid} started${d.reason ? " (" + d.reason + ")" : ""}`;
      case "restart": {
        const kept = d.kept ? ` · kept ${d.kept.kernels.length} kernel(s), ${d.kept.sessions} session(s)` : "";
        return `worker ${d.pid} restarted${d.reason ? " (" + d.reason + ")" : ""}${kept}`;
      }
      case "change": {
        const paths = d.paths || (d.path ? [d.path] : []);
        const more = (d.count || paths.length) - paths.length;
        return "changed: " + paths.join(", ") + (more > 0 ? ` and ${more} more` : "");
      }
      case "blocked":
        return `event loop blocked ${(d.ms / 1000).toFixed(1)} s in ${d.where}`;
      default:
        return JSON.stringify(d);
    }
  }

  function kindClass(e) {
    return "ev-" + e.kind + (e.kind === "reload" && !(e.data || {}).ok ? " ev-failed" : "");
  }

  function addToFeed(e) {
    const feed = document.getElementById("live-feed");
    if (!feed || feed.querySelector(`[data-id="${e.id}"]`)) return;
    const empty = feed.querySelector(".empty");
    if (empty) empty.remove();
    const item = el("li", "ev fresh " + kindClass(e));
    item.dataset.id = e.id;
    item.append(el("span", "kind", e.kind), " ", el("time", "", clock(e.time)), el("div", "what", summary(e)));
    feed.prepend(item);
    while (feed.children.length > 30) feed.lastElementChild.remove();
  }

  function addToEventsTable(e) {
    const rows = document.getElementById("event-rows");
    if (!rows || rows.querySelector(`[data-id="${e.id}"]`)) return;
    const empty = rows.querySelector(".empty-row");
    if (empty) empty.remove();
    const tr = el("tr", "fresh " + kindClass(e));
    tr.dataset.id = e.id;
    const details = el("details");
    details.append(el("summary", "", "json"), el("pre", "", JSON.stringify(e.data, null, 2)));
    const kind = el("td");
    kind.append(el("span", "kind", e.kind));
    const time = el("td");
    time.append(el("time", "", clock(e.time)));
    const last = el("td");
    last.append(details);
    tr.append(el("td", "num", String(e.id)), time, kind, el("td", "", summary(e)), last);
    rows.prepend(tr);
  }

  function addErrorCard(err) {
    const list = document.getElementById("error-list");
    if (!list) return;
    const none = document.getElementById("no-errors");
    if (none) none.remove();
    const card = el("article", "error-card fresh");
    const head = el("header");
    head.append(el("span", "badge badge-failed", err.phase), " ", el("b", "", err.extension), " · ",
      el("code", "", err.type), ": " + err.message, el("time", "", clock(err.time)));
    card.append(head);
    if (err.file) card.append(el("div", "where", err.file + (err.line ? ":" + err.line : "")));
    const details = el("details");
    details.append(el("summary", "", "Traceback"), el("pre", "tb", err.traceback));
    card.append(details);
    list.prepend(card);
  }

  function showReload(result) {
    const card = document.getElementById("ext-" + result.extension);
    if (!card) return;
    const box = card.querySelector(".reload-result");
    const text = summary({ kind: "reload", data: result });
    box.className = "reload-result " + (result.ok ? "ok" : "bad");
    box.textContent = result.ok ? text : text + " — the previous code keeps serving.";
    const last = card.querySelector(".last-reload");
    if (last) {
      last.textContent = `${result.ok ? "ok" : "failed"} · ${result.mode} · ${Number(result.duration_ms).toFixed(1)} ms · routes ${result.routes_before} → ${result.routes_after} · ${clock(result.time)}`;
    }
  }

  function onHello(hello) {
    if (worker && String(hello.worker) !== worker) {
      window.location.reload(); // a new worker: every count on this page may have changed
    }
  }

  function onEvent(e) {
    addToFeed(e);
    addToEventsTable(e);
    if (e.kind === "error") addErrorCard(e.data);
    if (e.kind === "reload") showReload(e.data);
  }

  function connect() {
    if (!window.EventSource) return;
    const status = document.getElementById("live-status");
    const source = new EventSource(`${prefix}/api/events?after=${encodeURIComponent(body.dataset.after || "")}`);
    source.onopen = () => { status.textContent = "live"; status.className = "conn live"; };
    source.onerror = () => { status.textContent = "reconnecting"; status.className = "conn down"; };
    source.addEventListener("hello", (msg) => onHello(JSON.parse(msg.data)));
    KINDS.forEach((kind) =>
      source.addEventListener(SSE_NAMES[kind] || kind, (msg) => onEvent(JSON.parse(msg.data))));
  }

  function enhanceReloadForms() {
    document.querySelectorAll("form.reload-form").forEach((form) => {
      form.addEventListener("submit", async (ev) => {
        ev.preventDefault();
        const button = form.querySelector("button");
        const name = form.dataset.extension;
        const xsrf = form.querySelector("input[name=_xsrf]");
        button.disabled = true;
        try {
          const resp = await fetch(`${prefix}/api/extensions/${encodeURIComponent(name)}/reload`, {
            method: "POST", credentials: "same-origin",
            headers: { "X-XSRFToken": xsrf ? xsrf.value : "" },
          });
          const result = await resp.json();
          if (resp.ok) showReload(result);
          else showReload({ extension: name, ok: false, mode: "hot", duration_ms: 0, routes_before: 0, routes_after: 0,
            error: { type: "HTTP " + resp.status, message: result.error || result.message || "" } });
        } finally {
          button.disabled = false;
        }
      });
    });
  }

  function enhanceRouteFilter() {
    const form = document.getElementById("route-filter");
    if (!form) return;
    const rows = Array.from(document.querySelectorAll("table.routes tbody tr"));
    const count = document.getElementById("route-count");
    const apply = () => {
      const text = form.q.value.trim().toLowerCase();
      const owner = form.extension.value;
      const onlyShadowed = form.shadowed.checked;
      let shown = 0;
      rows.forEach((tr) => {
        const ok = tr.dataset.text.includes(text) && (!owner || tr.dataset.extension === owner) &&
          (!onlyShadowed || tr.classList.contains("shadowed"));
        tr.hidden = !ok;
        if (ok) shown += 1;
      });
      count.textContent = `${shown} shown`;
    };
    form.addEventListener("input", apply);
    form.addEventListener("change", apply);
  }

  enhanceReloadForms();
  enhanceRouteFilter();
  connect();
})();
