// The Requests page's live part: new requests (and log records of the filtered extension) are
// added as they come from the event stream, when they match the page's filters. The events come
// from app.js's connection, shared by all tabs, as "devserver:event" DOM events.
(function () {
  "use strict";
  const rows = document.getElementById("request-rows");
  const form = document.getElementById("request-filter");
  if (!rows || !form) return;
  const owner = form.extension.value;
  const status = form.status.value;

  function cell(text, cls) {
    const td = document.createElement("td");
    if (cls) td.className = cls;
    td.textContent = text;
    return td;
  }

  function code(text) {
    const td = document.createElement("td");
    const c = document.createElement("code");
    c.textContent = text;
    td.append(c);
    return td;
  }

  function matches(r) {
    return (!owner || r.extension === owner) &&
      (!status || String(r.status)[0] === status[0]);
  }

  function addRequest(r) {
    if (!matches(r) || rows.querySelector(`[data-id="${r.id}"]`)) return;
    const empty = rows.querySelector(".empty-row");
    if (empty) empty.remove();
    const tr = document.createElement("tr");
    tr.dataset.id = r.id;
    tr.dataset.extension = r.extension;
    tr.dataset.status = r.status;
    tr.className = "fresh" + (r.status >= 500 ? " bad" : "");
    const time = new Date(r.time * 1000).toLocaleTimeString([], { hour12: false });
    tr.append(cell(time), cell(r.method), code(r.path), cell(String(r.status), "num"),
      cell(Number(r.duration_ms).toFixed(1), "num"), code(r.route || "—"), cell(r.extension),
      cell(r.user || "—"), code(r.handler));
    rows.prepend(tr);
    while (rows.children.length > 300) rows.lastElementChild.remove();
    const count = document.getElementById("request-count");
    if (count) count.textContent = `${rows.children.length} shown`;
  }

  function addLog(rec) {
    const list = document.getElementById("log-rows");
    if (!list || rec.extension !== list.dataset.extension) return;
    const empty = list.querySelector(".empty");
    if (empty) empty.remove();
    const li = document.createElement("li");
    li.className = "fresh";
    const kind = document.createElement("span");
    kind.className = "kind";
    kind.textContent = rec.level;
    li.append(kind, " " + rec.logger + ": " + rec.message);
    list.prepend(li);
  }

  document.addEventListener("devserver:event", (ev) => {
    if (ev.detail.kind === "request") addRequest(ev.detail.data);
    if (ev.detail.kind === "log") addLog(ev.detail.data);
  });
  const listening = () => { rows.dataset.live = "1"; };
  if (document.body.dataset.connection === "live") listening();
  else document.addEventListener("devserver:status", (ev) => { if (ev.detail === "live") listening(); });
})();
