// The dashboard's live parts. Every page works without this file; it adds:
// - one event-stream connection shared by all tabs (static/events-worker.js, a SharedWorker;
//   a plain EventSource per tab where SharedWorker is missing);
// - live regions: an element with an id and data-live="kind kind ..." is fetched again from the
//   server (the same page, parsed, that element swapped in) when an event of one of those kinds
//   arrives; "*" means every kind. A page plugs in by marking its parts, no code needed here;
//   a page script that wants the events themselves listens to "devserver:event" on document
//   (detail: the event) and "devserver:status" (detail: "live", "reconnecting", ...);
// - the live feed and events table, reload and clear without leaving the page, filters as you type.
(function () {
  "use strict";
  const body = document.body;
  const prefix = body.dataset.prefix;
  let [worker, lastId] = (body.dataset.after || ":0").split(":");

  function el(tag, cls, text) {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function clock(t) {
    return new Date(t * 1000).toLocaleTimeString([], { hour12: false });
  }

  function errorLink(error) {
    if (!error || !error.id) return "";
    const a = el("a", "err-link", "error #" + error.id);
    a.href = `${prefix}/errors#error-${error.id}`;
    return a;
  }

  // What an event says, as nodes; macros.html's summary() renders the same on the server.
  function summary(e) {
    const d = e.data || {};
    switch (e.kind) {
      case "reload":
        if (d.ok) {
          const parts = [`${d.extension} reloaded (${d.mode}) in ${Number(d.duration_ms).toFixed(1)} ms · routes ${d.routes_before} → ${d.routes_after}`];
          if (d.shadows) parts.push(el("b", "bad", ` · ${d.extension} now shadows ${d.shadows} routes`));
          return parts;
        }
        return [`${d.extension} reload failed: ${d.error ? d.error.type + ": " + d.error.message : "unknown error"} `, errorLink(d.error)];
      case "error":
      case "extension-error":
        return [`${d.extension} ${d.phase} error: ${d.type}: ${d.message} `, errorLink(d)];
      case "resolved":
        return [`${d.extension}: ${d.ids.length} error${d.ids.length === 1 ? "" : "s"} fixed`];
      case "cleared":
        return [`cleared ${d.count} resolved error${d.count === 1 ? "" : "s"}`];
      case "started":
        return [`worker ${d.pid} started${d.reason ? " (" + d.reason + ")" : ""}`];
      case "restart": {
        const kept = d.kept ? ` · kept ${d.kept.kernels.length} kernel(s), ${d.kept.sessions} session(s)` : "";
        return [`worker ${d.pid} restarted${d.reason ? " (" + d.reason + ")" : ""}${kept}`];
      }
      case "change":
        return ["changed: " + (d.paths || (d.path ? [d.path] : [])).join(", ")];
      case "frontend": {
        const errors = (d.errors || []).map((x) => `${x.file}${x.line ? ":" + x.line : ""} ${x.message}`);
        const took = d.duration_ms != null && d.state !== "building" ? ` in ${(d.duration_ms / 1000).toFixed(1)} s` : "";
        return [`frontend ${d.package}: ${d.state}${took}${errors.length ? " · " + errors.join("; ") : ""}`];
      }
      default:
        return [JSON.stringify(d)];
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
    const what = el("div", "what");
    what.append(...summary(e));
    item.append(el("span", "kind", e.kind), " ", el("time", "", clock(e.time)), what);
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
    const pre = el("pre", "", JSON.stringify(e.data, null, 2));
    pre.tabIndex = 0; // a scrolling box is reachable with the keyboard
    details.append(el("summary", "", "json"), pre);
    const cells = [el("td", "num", String(e.id)), el("td"), el("td"), el("td"), el("td")];
    cells[1].append(el("time", "", clock(e.time)));
    cells[2].append(el("span", "kind", e.kind));
    cells[3].append(...summary(e));
    cells[4].append(details);
    tr.append(...cells);
    rows.prepend(tr);
  }

  // -- live regions -----------------------------------------------------------------------
  const stale = new Set();
  let refreshing = null;

  function regionsFor(kind) {
    return Array.from(document.querySelectorAll("[data-live][id]"))
      .filter((node) => { const kinds = node.dataset.live.split(/\s+/); return kinds.includes(kind) || kinds.includes("*"); })
      .map((node) => node.id);
  }

  function markStale(ids) {
    ids.forEach((id) => stale.add(id));
    if (stale.size && refreshing === null) refreshing = setTimeout(refresh, 120);
  }

  async function refresh() {
    const ids = Array.from(stale);
    stale.clear();
    try {
      const resp = await fetch(window.location.href, { credentials: "same-origin", headers: { Accept: "text/html" } });
      if (!resp.ok) return;
      const doc = new DOMParser().parseFromString(await resp.text(), "text/html");
      ids.forEach((id) => {
        const old = document.getElementById(id);
        const fresh = doc.getElementById(id);
        if (old && fresh) old.replaceWith(document.importNode(fresh, true));
      });
      enhance();
      document.dispatchEvent(new CustomEvent("devserver:refreshed", { detail: { ids } }));
    } finally {
      refreshing = null;
      if (stale.size) refreshing = setTimeout(refresh, 120);
    }
  }

  // -- the connection -----------------------------------------------------------------------
  function setStatus(state) {
    const pill = document.getElementById("live-status");
    body.dataset.connection = state;
    document.dispatchEvent(new CustomEvent("devserver:status", { detail: state }));
    if (!pill) return;
    pill.textContent = state;
    pill.className = "conn " + (state === "live" ? "live" : state === "connecting" ? "" : "down");
  }

  function onHello(hello) {
    if (worker && String(hello.worker) !== worker) {
      // A new worker: every count may have changed, and its events are numbered from 1 again.
      worker = String(hello.worker);
      lastId = 0;
      markStale(regionsFor("*").concat(["live-feed"]));
    }
  }

  function onEvent(e) {
    if (e.id <= Number(lastId)) return;
    lastId = e.id;
    document.dispatchEvent(new CustomEvent("devserver:event", { detail: e }));
    if (e.kind === "request" || e.kind === "log") return; // the Requests page's own business
    addToFeed(e);
    addToEventsTable(e);
    // The SSE kind "error" may come as "extension-error" (EventSource has an "error" event of
    // its own): regions say "error" for both.
    markStale(regionsFor(e.kind === "extension-error" ? "error" : e.kind));
  }

  function onMessage(msg) {
    if (msg.type === "status") setStatus(msg.status);
    else if (msg.type === "hello") onHello(msg.hello);
    else if (msg.type === "event") onEvent(msg.event);
  }

  function connect() {
    const url = `${prefix}/api/events`;
    const after = body.dataset.after || "";
    if (window.SharedWorker) {
      const shared = new SharedWorker(body.dataset.eventsWorker, { name: "devserver-events" });
      shared.port.onmessage = (msg) => onMessage(msg.data);
      shared.port.start();
      shared.port.postMessage({ type: "subscribe", url, after });
      window.addEventListener("pagehide", () => shared.port.postMessage({ type: "bye" }));
      return;
    }
    if (!window.EventSource) return;
    const source = new EventSource(`${url}?after=${encodeURIComponent(after)}`);
    source.onopen = () => setStatus("live");
    source.onerror = () => setStatus(source.readyState === EventSource.CLOSED ? "offline" : "reconnecting");
    source.addEventListener("hello", (msg) => {
      const hello = JSON.parse(msg.data);
      onHello(hello);
      (hello.kinds || []).forEach((kind) => source.addEventListener(kind, (m) => onEvent(JSON.parse(m.data))));
    });
  }

  // -- forms and filters ------------------------------------------------------------------
  function showReload(result) {
    const box = document.querySelector(`.reload-result[data-extension="${CSS.escape(result.extension)}"]`);
    if (!box) return;
    box.className = "reload-result " + (result.ok ? "ok" : "bad");
    box.replaceChildren(...summary({ kind: "reload", data: result }));
    if (!result.ok) box.append(" — the previous code keeps serving.");
  }

  function xsrf(form) {
    const input = form.querySelector("input[name=_xsrf]");
    return { "X-XSRFToken": input ? input.value : "" };
  }

  function enhanceForm(selector, action) {
    document.querySelectorAll(selector).forEach((form) => {
      if (form.dataset.enhanced) return;
      form.dataset.enhanced = "1";
      form.addEventListener("submit", async (ev) => {
        ev.preventDefault();
        const button = form.querySelector("button");
        button.disabled = true;
        try { await action(form); } finally { button.disabled = false; }
      });
    });
  }

  async function postReload(form) {
    const name = form.dataset.extension;
    const resp = await fetch(`${prefix}/api/extensions/${encodeURIComponent(name)}/reload`,
      { method: "POST", credentials: "same-origin", headers: xsrf(form) });
    const result = await resp.json();
    if (resp.ok) showReload(result);
    else showReload({ extension: name, ok: false, mode: "hot", duration_ms: 0, routes_before: 0, routes_after: 0,
      error: { type: "HTTP " + resp.status, message: result.error || result.message || "" } });
  }

  async function postClear(form) {
    await fetch(`${prefix}/api/errors/clear`, { method: "POST", credentials: "same-origin", headers: xsrf(form) });
  }

  function enhanceFilter(formId, apply) {
    const form = document.getElementById(formId);
    if (!form) return;
    if (!form.dataset.enhanced) {
      form.dataset.enhanced = "1";
      form.addEventListener("input", () => apply(form));
      form.addEventListener("change", () => apply(form));
      form.addEventListener("submit", (ev) => { ev.preventDefault(); apply(form); });
      form.querySelectorAll("button[type=submit]").forEach((b) => { b.hidden = true; });
    }
    apply(form);
  }

  function filterRoutes(form) {
    const rows = Array.from(document.querySelectorAll("table.routes tbody tr[data-order]"));
    const text = form.q.value.trim().toLowerCase();
    const owner = form.extension.value;
    const onlyShadowed = form.shadowed.checked;
    const showOwn = form.own.checked || owner === "dashboard";
    const match = (tr) => tr.dataset.text.includes(text) && (!owner || tr.dataset.extension === owner) &&
      (showOwn || tr.dataset.extension !== "dashboard") && (!onlyShadowed || tr.dataset.shadowedBy !== "");
    const shown = new Set(rows.filter(match).map((tr) => tr.dataset.order));
    const winners = new Set();
    if (onlyShadowed) rows.filter((tr) => shown.has(tr.dataset.order)).forEach((tr) => winners.add(tr.dataset.shadowedBy));
    rows.forEach((tr) => {
      tr.hidden = !(shown.has(tr.dataset.order) || winners.has(tr.dataset.order));
      tr.classList.toggle("winner", onlyShadowed && winners.has(tr.dataset.order));
    });
    const count = shown.size;
    document.getElementById("route-count").textContent = `${count} shown`;
    const empty = document.getElementById("route-empty");
    if (empty) {
      empty.hidden = count > 0;
      empty.textContent = onlyShadowed && !text && !owner ? "No shadowed routes ✓" : "No route matches these filters.";
    }
  }

  function filterSettings(form) {
    const text = form.q.value.trim().toLowerCase();
    const onlyChanged = form.changed.checked;
    document.querySelectorAll("[data-setting]").forEach((tr) => {
      tr.hidden = !(tr.dataset.setting.includes(text) && (!onlyChanged || tr.dataset.changed === "1"));
    });
  }

  function enhance() {
    enhanceForm("form.reload-form", postReload);
    enhanceForm("form.clear-form", postClear);
    enhanceFilter("route-filter", filterRoutes);
    enhanceFilter("settings-filter", filterSettings);
  }

  // Logged in with ?token=: the server has set its cookie, so the token leaves the address bar
  // (and the history, bookmarks and screen shares), as JupyterLab does.
  function dropToken() {
    const url = new URL(window.location.href);
    if (!url.searchParams.has("token")) return;
    url.searchParams.delete("token");
    window.history.replaceState(window.history.state, "", url.toString());
  }

  dropToken();
  enhance();
  connect();
})();
