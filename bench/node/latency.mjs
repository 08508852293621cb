// The latency scenario from a Node client: receivers join the room "bench" (an event with an ack), one publisher
// emits ["pub","bench",{"t":...,"i":...}] at a fixed rate, the server broadcasts "msg" to the room, and each
// receiver records now - t. Node, rather than the JVM load generator, because receiving 100,000 messages a
// second cost the JVM generator about 0.9 core of the 2 that it shares with the server: its own queueing set
// the tail, whatever the server did. Here a receiver only compares the packet's prefix and reads the digits
// after "t": from the bytes, with no JSON.parse and no string per packet.
// Prints one JSON line (the load generator's format) and a one-line summary, like dev.parley.bench.LoadGenerator.
// Usage: node latency.mjs --url http://127.0.0.1:3000 [--clients 1000] [--rate 100] [--seconds 10] [--server-pid N]
// Loopback only, and bounded: a connection that takes over 30 s fails the run; the measuring ends at seconds +
// 30 s whatever was delivered; a run over 10 minutes fails.
import WebSocket from "ws";
import { closeAll, parseOptions, report, round, serverCpu } from "./common.mjs";

const options = parseOptions({ url: "http://127.0.0.1:3000", clients: 1000, rate: 100, seconds: 10, "server-pid": 0 });
const socketUrl = options.socketUrl;
const CONNECT_TIMEOUT_MS = 30_000;
const CONCURRENCY = 50;

const messages = options.rate * options.seconds;
const expected = options.clients * messages;
// Nanoseconds since this origin: below 2^53 for 104 days, so a Number holds them exactly, and the receivers
// parse t without a BigInt.
const origin = process.hrtime.bigint();
const now = () => Number(process.hrtime.bigint() - origin);
const latencies = new Float64Array(expected);
let recorded = 0;
let allDelivered = () => {};

const MSG = Buffer.from('42["msg",');
const T_KEY = Buffer.from('"t":');

// Records one broadcast, if the packet is one: 42["msg",{"t":<ns>,"i":<i>}].
function receive(data) {
  if (data.length <= MSG.length || data.compare(MSG, 0, MSG.length, 0, MSG.length) !== 0) {
    if (data.length === 1 && data[0] === 0x32) {
      this.send("3");   // an Engine.IO ping: answered, so that a slow run does not end by the heartbeat
    }
    return;
  }
  const at = now();
  let sent = 0;
  for (let k = data.indexOf(T_KEY, MSG.length) + T_KEY.length; k < data.length && data[k] >= 0x30 && data[k] <= 0x39;
    k++) {
    sent = sent * 10 + (data[k] - 0x30);
  }
  if (recorded < latencies.length) {
    latencies[recorded] = at - sent;
  }
  if (++recorded === expected) {
    allDelivered();
  }
}

// One Socket.IO connection: open packet, CONNECT to "/" and its answer, then, for a receiver, join "bench" with
// ack id 0 and its answer 430[...]. Resolves with the socket, which from then on records the broadcasts.
function connectOne(join) {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(socketUrl, { perMessageDeflate: false });
    const timer = setTimeout(() => fail(new Error("no CONNECT or join answer within 30 s")), CONNECT_TIMEOUT_MS);
    function fail(error) {
      clearTimeout(timer);
      socket.terminate();
      reject(error);
    }
    function ready() {
      clearTimeout(timer);
      socket.removeAllListeners("close");
      socket.removeAllListeners("message");
      socket.on("message", receive);
      resolve(socket);
    }
    socket.on("error", fail);
    socket.on("close", () => fail(new Error("closed before the CONNECT or join answer")));
    socket.on("message", (data) => {
      const text = data.toString();
      if (text.startsWith("0{")) {
        socket.send("40");
      } else if (text.startsWith("40")) {
        if (join) {
          socket.send('420["join","bench"]');
        } else {
          ready();
        }
      } else if (text.startsWith("430")) {
        ready();
      } else if (text.startsWith("44")) {
        fail(new Error(`CONNECT refused: ${text}`));
      } else if (text === "2") {
        socket.send("3");
      }
    });
  });
}

// Connects and joins count receivers, at most CONCURRENCY at a time; resolves with them all.
async function connectMany(count) {
  const made = [];
  let next = 0;
  async function worker() {
    while (next < count) {
      next++;
      made.push(await connectOne(true));
    }
  }
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, count) }, worker));
  return made;
}

// Emits the messages at a fixed rate: each one is due at start + i / rate, so a late tick does not delay the rest.
function publish(publisher) {
  const period = 1e9 / options.rate;
  const start = now();
  let i = 0;
  function tick() {
    while (i < messages && now() >= start + i * period) {
      publisher.send(`42["pub","bench",{"t":${now()},"i":${i}}]`);
      i++;
    }
    if (i < messages) {
      setTimeout(tick, Math.max(0, (start + i * period - now()) / 1e6));
    }
  }
  tick();
}

let serverSeconds;
let own;
try {
  const receivers = await connectMany(options.clients);
  const publisher = await connectOne(false);
  const cpuBefore = serverCpu(options["server-pid"]);
  const ownBefore = process.cpuUsage();
  const done = new Promise((resolve) => {
    allDelivered = resolve;
    setTimeout(resolve, (options.seconds + 30) * 1000).unref();
  });
  publish(publisher);
  await done;
  serverSeconds = serverCpu(options["server-pid"]) - cpuBefore;
  own = process.cpuUsage(ownBefore);
  await closeAll([...receivers, publisher]);
} catch (error) {
  console.error(`latency run failed: ${error.message}`);
  process.exit(1);
}

const count = Math.min(recorded, latencies.length);
const sorted = latencies.subarray(0, count).sort();
const percentile = (p) => round(sorted[Math.min(count - 1, Math.floor(count * p))] / 1e6);
const generatorSeconds = (own.user + own.system) / 1e6;
const out = {
  scenario: "latency",
  generator: "node",
  p50_ms: count > 0 ? percentile(0.5) : null,
  p99_ms: count > 0 ? percentile(0.99) : null,
  p999_ms: count > 0 ? percentile(0.999) : null,
  max_ms: count > 0 ? round(sorted[count - 1] / 1e6) : null,
  clients: options.clients,
  rate: options.rate,
  delivered: recorded,
  expected,
  server_cpu_s: round(serverSeconds),
  server_cpu_s_per_million: recorded > 0 ? round(serverSeconds / recorded * 1e6) : null,
  generator_cpu_s: round(generatorSeconds),
  generator_cpu_s_per_million: recorded > 0 ? round(generatorSeconds / recorded * 1e6) : null,
};
report(out);
