// Drives the official socket.io-client 4.8 against a Parley server; WebSocketNodeClientTest runs it.
// Usage: node scenario.mjs <base-url> [client-options-json]. The options default to
// {"transports":["websocket"]}; "{}" leaves the client's own defaults (polling first, then the upgrade);
// {"upgrade":false} stays on polling.
// Prints "ok <step>" per step ("ok recovery over <name>" with the transport the resumed socket connected
// over), and "ok transport <name>" for the transport the first socket ended on;
// exits 1 on the first failure.
import { io } from "socket.io-client";
import assert from "node:assert/strict";

const url = process.argv[2];
const chosen = process.argv[3] === undefined ? { transports: ["websocket"] } : JSON.parse(process.argv[3]);
const options = { reconnection: false, timeout: 5000, ...chosen };
const timer = setTimeout(() => { console.log("fail timeout"); process.exit(1); }, 20000);

function once(socket, event) {
  return new Promise((resolve) => socket.once(event, (...args) => resolve(args)));
}

async function connected(socket) {
  if (!socket.connected) await once(socket, "connect");
  return socket;
}

try {
  const first = io(url, options);
  // The upgrade runs beside the steps; its outcome is recorded from the start, and waited for before the end.
  const upgraded = Promise.race([once(first.io.engine, "upgrade").then(() => null),
    once(first.io.engine, "upgradeError").then(([error]) => error)]);
  const a = await connected(first);
  assert.equal(a.recovered, false);
  console.log("ok connect " + a.id);

  assert.deepEqual(await a.timeout(5000).emitWithAck("echo", { hello: "world" }), { hello: "world" });
  console.log("ok ack");

  const b = await connected(io(url, { ...options, forceNew: true }));
  const broadcastA = once(a, "broadcast");
  const broadcastB = once(b, "broadcast");
  a.emit("shout", "hi all");
  // Recovery is on: an emit whose last argument is a string gets a null after it, so that the client
  // does not take that string for its offset.
  assert.deepEqual(await broadcastA, ["hi all", null]);
  assert.deepEqual(await broadcastB, ["hi all", null]);
  console.log("ok broadcast");

  const direct = once(a, "dm");
  b.emit("dm", a.id, "psst");
  assert.deepEqual(await direct, ["psst", null]);
  console.log("ok direct");

  const reversed = await a.timeout(5000).emitWithAck("binary", Buffer.from([1, 2, 3]));
  assert.deepEqual([...reversed], [3, 2, 1]);
  console.log("ok binary");

  a.on("question", (q, callback) => callback(q + "!"));
  const answer = once(a, "answer");
  a.emit("ask", "why");
  assert.deepEqual(await answer, ["why!", null]);
  console.log("ok server-ack");

  const admin = await connected(io(url + "/admin", options));
  assert.equal(await admin.timeout(5000).emitWithAck("whoami"), "/admin");
  console.log("ok namespace");

  const rejected = io(url, { ...options, forceNew: true, auth: { token: "bad" } });
  const [error] = await once(rejected, "connect_error");
  assert.equal(error.message, "not authorized");
  assert.deepEqual(error.data, { reason: "token" });
  rejected.close();
  console.log("ok rejected");

  const unknown = io(url + "/nowhere", { ...options, forceNew: true });
  const [invalid] = await once(unknown, "connect_error");
  assert.equal(invalid.message, "Invalid namespace");
  unknown.close();
  console.log("ok invalid-namespace");

  const kicked = once(b, "disconnect");
  b.emit("leave-me");
  assert.deepEqual(await kicked, ["io server disconnect", undefined]);
  console.log("ok server-disconnect");

  // Connection state recovery: the transport under a socket is cut (its engine closed, the namespace never
  // left), a message is posted while it is away, and the socket, connecting again, resumes with what it missed.
  const away = await connected(io(url, { ...options, forceNew: true }));
  assert.equal(away.recovered, false);
  const awayId = away.id;
  const live = once(away, "news");
  const liveId = await a.timeout(5000).emitWithAck("post", "before");
  assert.deepEqual(await live, ["before", liveId]);
  const cut = once(away, "disconnect");
  away.io.engine.close();
  await cut;
  // Bounded: the server notices the cut within a request or two.
  for (let i = 0; await a.timeout(5000).emitWithAck("present", awayId); i++) {
    assert.ok(i < 100, "the server still has the cut socket's channel after 2 s");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const missedId = await a.timeout(5000).emitWithAck("post", "missed");
  const missed = once(away, "news");
  away.connect();
  await once(away, "connect");
  const transportAtRecovery = away.io.engine.transport.name;
  assert.equal(away.recovered, true);
  assert.equal(away.id, awayId);
  assert.deepEqual(await missed, ["missed", missedId]);
  away.close();
  console.log("ok recovery over " + transportAtRecovery);

  if (chosen.transports === undefined && chosen.upgrade !== false) {
    const error = await upgraded;
    if (error) console.log("upgrade error " + error);
  }
  console.log("ok transport " + a.io.engine.transport.name);
  a.close();
  admin.close();
  clearTimeout(timer);
  console.log("done");
  process.exit(0);
} catch (error) {
  console.log("fail " + (error && error.stack ? error.stack : error));
  process.exit(1);
}
