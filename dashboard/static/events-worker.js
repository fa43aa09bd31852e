// One event-stream connection for every open tab of the dashboard and of extension pages.
//
// Browsers allow six HTTP/1.1 connections per host: with one EventSource per tab the seventh tab
// never goes live. Each page connects to this SharedWorker instead (same script URL, same name:
// one worker per browser profile and origin), which holds the only EventSource and hands every
// message to every page. Messages to a page:
//   {type: "status", status: "connecting" | "live" | "reconnecting" | "offline"}
//   {type: "hello", hello: {worker, kinds, ...}}     the server's hello (a new pid: a restart)
//   {type: "event", event: {id, kind, time, data}}
// A page sends {type: "subscribe", url, after: "<pid>:<n>"} first (events it missed since it was
// rendered are replayed from a small buffer) and {type: "bye"} when it goes away.
"use strict";

const ports = new Set();
const kept = [];          // the latest events, for pages that subscribe after they happened
const KEEP = 200;
const listening = new Set();
let source = null;
let status = "connecting";
let hello = null;

function broadcast(message) {
  ports.forEach((port) => port.postMessage(message));
}

function setStatus(next) {
  status = next;
  broadcast({ type: "status", status });
}

// Like the server, keep no "request" or "log" events for replay: they come in floods.
const LIVE_ONLY = new Set(["request", "log"]);

function onEvent(msg) {
  const event = JSON.parse(msg.data);
  if (!LIVE_ONLY.has(event.kind)) kept.push(event);
  if (kept.length > KEEP) kept.shift();
  broadcast({ type: "event", event });
}

function listen(kinds) {
  // Named SSE events reach only listeners of their name: the server's hello lists the kinds.
  kinds.filter((k) => !listening.has(k)).forEach((kind) => {
    listening.add(kind);
    source.addEventListener(kind, onEvent);
  });
}

function open(url, after) {
  source = new EventSource(after ? `${url}?after=${encodeURIComponent(after)}` : url);
  source.onopen = () => setStatus("live");
  source.onerror = () => setStatus(source.readyState === EventSource.CLOSED ? "offline" : "reconnecting");
  source.addEventListener("hello", (msg) => {
    hello = JSON.parse(msg.data);
    if (kept.worker !== hello.worker) kept.length = 0; // a new worker numbers events from 1
    kept.worker = hello.worker;
    listen(hello.kinds || []);
    setStatus("live");
    broadcast({ type: "hello", hello });
  });
}

function subscribe(port, message) {
  if (source === null) open(message.url, message.after);
  port.postMessage({ type: "status", status });
  if (hello !== null) port.postMessage({ type: "hello", hello });
  const [pid, n] = String(message.after || "").split(":");
  if (hello !== null && pid === String(hello.worker)) {
    kept.filter((e) => e.id > Number(n)).forEach((event) => port.postMessage({ type: "event", event }));
  }
}

self.onconnect = (connection) => {
  const port = connection.ports[0];
  ports.add(port);
  port.onmessage = (msg) => {
    if (msg.data.type === "subscribe") subscribe(port, msg.data);
    if (msg.data.type === "bye") ports.delete(port);
  };
  port.start();
};
