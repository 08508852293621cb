// The connect scenario from a Node client: Socket.IO connections made as fast as the server takes them, each an
// Engine.IO WebSocket (open packet), then CONNECT to "/" and its answer, counted from the socket's start to the
// answer. Node, rather than the JVM load generator, because a connection costs this client a fraction of what
// it costs the JVM's HttpClient: on 2 cores shared with the server, the Java generator's own CPU (about 3.6 ms
// per connection) set the rate, whatever the server did.
// Prints one JSON line (the load generator's format) and a one-line summary, like dev.parley.bench.LoadGenerator.
// Usage: node connect.mjs --url http://127.0.0.1:3000 [--connections 5000] [--concurrency 50] [--warmup 1000]
//                         [--server-pid N]
// Loopback only, and bounded: a connection that takes over 30 s, or a run over 10 minutes, fails the run.
import WebSocket from "ws";
import { closeAll, parseOptions, report, round, serverCpu } from "./common.mjs";

const options = parseOptions({ url: "http://127.0.0.1:3000", connections: 5000, concurrency: 50, warmup: 0,
  "server-pid": 0 });
const socketUrl = options.socketUrl;
const CONNECT_TIMEOUT_MS = 30_000;

// One Socket.IO connection: resolves with the socket and the handshake's nanoseconds once CONNECT is answered.
function connectOne() {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const socket = new WebSocket(socketUrl, { perMessageDeflate: false });
    const timer = setTimeout(() => fail(new Error("no CONNECT answer within 30 s")), CONNECT_TIMEOUT_MS);
    function fail(error) {
      clearTimeout(timer);
      socket.terminate();
      reject(error);
    }
    socket.on("error", fail);
    socket.on("close", () => fail(new Error("closed before the CONNECT answer")));
    socket.on("message", (data) => {
      const text = data.toString();
      if (text.startsWith("0{")) {
        socket.send("40");
      } else if (text.startsWith("40")) {
        clearTimeout(timer);
        socket.removeAllListeners("close");
        socket.removeAllListeners("message");
        // Engine.IO pings: answered, so that a slow run does not end by the heartbeat.
        socket.on("message", (m) => { if (m.toString() === "2") socket.send("3"); });
        resolve({ socket, nanos: process.hrtime.bigint() - start });
      } else if (text.startsWith("44")) {
        fail(new Error(`CONNECT refused: ${text}`));
      }
    });
  });
}

// Makes count connections, at most concurrency at a time; resolves with them all.
async function connectMany(count) {
  const made = [];
  let next = 0;
  async function worker() {
    while (next < count) {
      next++;
      made.push(await connectOne());
    }
  }
  await Promise.all(Array.from({ length: Math.min(options.concurrency, count) }, worker));
  return made;
}

let made;
let seconds;
let serverSeconds;
let own;
try {
  for (let done = 0; done < options.warmup; done += options.connections) {
    const warm = await connectMany(Math.min(options.connections, options.warmup - done));
    await closeAll(warm.map(({ socket }) => socket));
  }
  if (options.warmup > 0) {
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
  const cpuBefore = serverCpu(options["server-pid"]);
  const ownBefore = process.cpuUsage();
  const start = process.hrtime.bigint();
  made = await connectMany(options.connections);
  seconds = Number(process.hrtime.bigint() - start) / 1e9;
  serverSeconds = serverCpu(options["server-pid"]) - cpuBefore;
  own = process.cpuUsage(ownBefore);
  await closeAll(made.map(({ socket }) => socket));
} catch (error) {
  console.error(`connect run failed: ${error.message}`);
  process.exit(1);
}

const handshakes = made.map(({ nanos }) => Number(nanos) / 1e6).sort((a, b) => a - b);
const out = {
  scenario: options.warmup > 0 ? "connect-warm" : "connect",
  generator: "node",
  connections: made.length,
  warmup_connections: options.warmup,
  concurrency: options.concurrency,
  connections_per_s: Math.round(made.length / seconds),
  handshake_p50_ms: round(handshakes[Math.floor(handshakes.length / 2)]),
  handshake_p99_ms: round(handshakes[Math.floor(handshakes.length * 0.99)]),
  server_cpu_s: round(serverSeconds),
  server_cpu_ms_per_connection: round(serverSeconds * 1000 / made.length),
  generator_cpu_s: round((own.user + own.system) / 1e6),
};
report(out);
