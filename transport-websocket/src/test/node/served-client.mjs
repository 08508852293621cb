// Drives Parley's own browser client (META-INF/parley/socket.io.js) under Node against a Parley server;
// ServedClientNodeTest runs it. Usage:
//   node served-client.mjs <script> <server-url> <proxy-url> [client-options-json] [xhr]
// The script runs as a browser would load it (global io), with WebSocket from the ws package, and fetch
// for polling (or, given "xhr", the XMLHttpRequest of the xmlhttprequest-ssl package, as in a browser). Prints "ok <step>" per step and "ok transport <name>" for the transport the first socket
// ended on. For the recovery step it prints "cut <socket-id>" and waits while the test cuts the
// connections through the proxy and posts a message; the client must come back by itself, recovered.
// Exits 1 on the first failure.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { runInThisContext } from "node:vm";

const [script, url, proxied, chosenJson, requests] = process.argv.slice(2);
const chosen = chosenJson === undefined ? {} : JSON.parse(chosenJson);
const timer = setTimeout(() => { console.log("fail timeout"); process.exit(1); }, 45000);

const require = createRequire(import.meta.url);
globalThis.WebSocket = require("ws");
if (requests === "xhr") {
  globalThis.XMLHttpRequest = require("xmlhttprequest-ssl");
  // That package's abort() nulls the request its error handler then reads: aborting a request whose
  // connection also fails (the test's cut) would end the process. Only that is ignored.
  process.on("uncaughtException", (error) => {
    if (!(error instanceof TypeError && String(error.stack).includes("xmlhttprequest-ssl"))) {
      console.log("fail " + error.stack);
      process.exit(1);
    }
  });
}
runInThisContext(readFileSync(script, "utf8"), { filename: script });
const io = globalThis.io;
// Required as a CommonJS module, the same file exports io as well.
const required = require(script);
assert.equal(typeof required.Manager, "function");
assert.equal(required.protocol, 5);

const options = { reconnection: false, timeout: 5000, ...chosen };
const upgrades = chosen.transports === undefined && chosen.upgrade !== false;

function once(emitter, event) {
  return new Promise((resolve) => emitter.once(event, (...args) => resolve(args)));
}

async function connected(socket) {
  if (!socket.connected) {
    const [error] = await Promise.race([once(socket, "connect").then(() => []), once(socket, "connect_error")]);
    if (error) throw error;
  }
  return socket;
}

function bytes(buffer) {
  assert.ok(buffer instanceof ArrayBuffer, "received binary is an ArrayBuffer, got " + buffer);
  return [...new Uint8Array(buffer)];
}

try {
  assert.equal(typeof io, "function");
  assert.equal(io.protocol, 5);
  const first = io(url, options);
  const upgraded = upgrades ? Promise.race([once(first.io.engine, "upgrade").then(() => null),
    once(first.io.engine, "upgradeError").then(([error]) => error)]) : Promise.resolve(null);
  const a = await connected(first);
  assert.equal(typeof a.id, "string");
  assert.equal(a.recovered, false);
  assert.equal(a.disconnected, false);
  console.log("ok connect " + a.id);

  // Events both ways: the server broadcasts what a shouts to the lobby a is in (with the null that
  // recovery appends after a string argument).
  const broadcast = once(a, "broadcast");
  const seen = [];
  const any = (event) => seen.push(event);
  a.onAny(any);
  const removed = () => assert.fail("a listener removed with off was called");
  a.on("broadcast", removed);
  a.once("broadcast", removed);
  a.off("broadcast", removed);
  a.off("broadcast", removed);
  a.emit("shout", "hi all");
  assert.deepEqual(await broadcast, ["hi all", null]);
  assert.deepEqual(seen, ["broadcast"]);
  a.offAny(any);
  console.log("ok events");

  // Acks both ways.
  const echoed = await new Promise((resolve) => a.emit("echo", { hello: "world" }, resolve));
  assert.deepEqual(echoed, { hello: "world" });
  a.on("question", (question, ack) => ack(question + "!"));
  const answer = once(a, "answer");
  a.emit("ask", "why");
  assert.deepEqual(await answer, ["why!", null]);
  console.log("ok acks");

  assert.deepEqual(await a.emitWithAck("echo", [1, 2]), [1, 2]);
  assert.equal(await a.timeout(5000).emitWithAck("echo", "x"), "x");
  console.log("ok emitWithAck");

  // No handler for this event on the server: no ack ever comes.
  const [late] = await new Promise((resolve) => a.timeout(200).emit("nobody-answers", (...args) => resolve(args)));
  assert.equal(late.message, "operation has timed out");
  await assert.rejects(a.timeout(200).emitWithAck("nobody-answers"), { message: "operation has timed out" });
  console.log("ok timeout");

  // Binary both ways: the server acks the bytes reversed.
  assert.deepEqual(bytes(await a.emitWithAck("binary", new Uint8Array([1, 2, 3]))), [3, 2, 1]);
  assert.deepEqual(bytes(await a.emitWithAck("binary", new Uint8Array([9, 8, 7, 6]).buffer)), [6, 7, 8, 9]);
  const window = new Uint8Array([0, 1, 2, 3, 4, 5]).subarray(2, 5);
  assert.deepEqual(bytes(await a.emitWithAck("binary", window)), [4, 3, 2]);
  assert.deepEqual(bytes(await a.emitWithAck("binary", new DataView(new Uint8Array([5, 6]).buffer))), [6, 5]);
  assert.deepEqual(bytes(await a.emitWithAck("binary", new Blob([new Uint8Array([7, 8, 9])]))), [9, 8, 7]);
  console.log("ok binary");

  // A second namespace over the same Engine.IO connection.
  const admin = await connected(io(url + "/admin", options));
  assert.equal(admin.io, a.io);
  assert.equal(await admin.emitWithAck("whoami"), "/admin");
  console.log("ok namespace");

  // Middleware refusal, with auth given by a function.
  const rejected = io(url, { ...options, forceNew: true, auth: (cb) => cb({ token: "bad" }) });
  const [error] = await once(rejected, "connect_error");
  assert.equal(error.message, "not authorized");
  assert.deepEqual(error.data, { reason: "token" });
  assert.equal(rejected.active, false);
  rejected.close();
  console.log("ok rejected");

  // Emitted before the socket is connected: buffered, sent once it is. With ackTimeout, acks take an error first.
  const early = io(url, { ...options, forceNew: true, ackTimeout: 300 });
  const buffered = early.emitWithAck("echo", "early");
  const b = await connected(early);
  assert.equal(await buffered, "early");
  const [unanswered] = await new Promise((resolve) => b.emit("nobody-answers", (...args) => resolve(args)));
  assert.equal(unanswered.message, "operation has timed out");
  console.log("ok buffered");

  // Packets queued meanwhile go in POSTs that each fit the server's maxPayload (16,000 bytes in this test).
  const big = "x".repeat(6000);
  const echoes = await Promise.all([1, 2, 3, 4, 5].map((n) => a.emitWithAck("echo", n + big)));
  assert.deepEqual(echoes, [1, 2, 3, 4, 5].map((n) => n + big));
  console.log("ok batches");

  const kicked = once(b, "disconnect");
  b.emit("leave-me");
  assert.equal((await kicked)[0], "io server disconnect");
  assert.equal(b.connected, false);
  console.log("ok server-disconnect");

  // The heartbeat crosses whichever transport is in use.
  await once(a.io, "ping");
  console.log("ok ping");

  const upgradeError = await upgraded;
  if (upgradeError) throw upgradeError;
  console.log("ok transport " + a.io.engine.transport.name);

  // Recovery: a socket through the proxy gets a post (so it has an offset), then loses its connection.
  const recovering = io(proxied, { ...options, forceNew: true, reconnection: true, reconnectionDelay: 100,
    reconnectionDelayMax: 300 });
  const r = await connected(recovering);
  const id = r.id;
  const before = once(r, "news");
  const posted = await a.emitWithAck("post", "before");
  assert.deepEqual(await before, ["before", posted]);
  const dropped = once(r, "disconnect");
  const attempt = once(r.io, "reconnect_attempt");
  const reconnected = once(r.io, "reconnect");
  const back = once(r, "connect");
  const missed = once(r, "news");
  console.log("cut " + id);
  const [reason] = await dropped;
  assert.ok(reason === "transport close" || reason === "transport error" || reason === "ping timeout", reason);
  await attempt;
  await reconnected;
  await back;
  assert.equal(r.recovered, true);
  assert.equal(r.id, id);
  const [text, offset] = await missed;
  assert.equal(text, "missed");
  console.log("ok recovered " + offset + " after " + reason);

  // Every socket closed: the server must go idle (checked by the test).
  const closed = [once(a.io, "close"), once(r.io, "close")];
  a.close();
  admin.close();
  r.close();
  await Promise.all(closed);
  clearTimeout(timer);
  console.log("done");
  process.exit(0);
} catch (error) {
  console.log("fail " + (error && error.stack ? error.stack : error));
  process.exit(1);
}
