// Drives official socket.io-client 4.8 sockets for a Java test, one JSON object per line both ways.
// Usage: node driver.mjs <base-url>. The test writes commands on stdin:
//   {"cmd":"open","name":"a","ns":"/","options":{...}}  a socket, reconnecting quickly (options override;
//                                                       "base" overrides the base URL)
//   {"cmd":"emit","name":"a","event":"e","args":[...]}   add "ack":<n> to await the ack, reported as "ack"
//   {"cmd":"close","name":"a"}                           socket.disconnect()
//   {"cmd":"exit"}
// and reads, on stdout: {"type":"ready"}, then for each socket "connect" (id, recovered), "disconnect"
// (reason), "connect_error" (message), "event" (event, args exactly as the listener got them, the
// recovery offset included) and "ack". Anything unexpected ends the process with a "fail" line.
import { io } from "socket.io-client";
import { createInterface } from "node:readline";

const url = process.argv[2];
const sockets = new Map();

function out(object) {
  process.stdout.write(JSON.stringify(object) + "\n");
}

function open({ name, ns = "/", options = {}, base = url }) {
  const socket = io(base + ns, {
    transports: ["websocket"],
    forceNew: true,
    reconnectionDelay: 100,
    reconnectionDelayMax: 200,
    randomizationFactor: 0,
    timeout: 5000,
    ...options,
  });
  socket.on("connect", () => out({ type: "connect", name, id: socket.id, recovered: socket.recovered }));
  socket.on("disconnect", (reason) => out({ type: "disconnect", name, reason }));
  socket.on("connect_error", (error) => out({ type: "connect_error", name, message: error.message }));
  socket.onAny((event, ...args) => out({ type: "event", name, event, args }));
  sockets.set(name, socket);
}

async function emit({ name, event, args = [], ack }) {
  const socket = sockets.get(name);
  if (ack === undefined) {
    socket.emit(event, ...args);
    return;
  }
  const reply = await socket.timeout(5000).emitWithAck(event, ...args);
  out({ type: "ack", name, ack, args: [reply] });
}

const timer = setTimeout(() => {
  out({ type: "fail", message: "driver ran for 120 s" });
  process.exit(1);
}, 120000);

createInterface({ input: process.stdin }).on("line", async (line) => {
  try {
    const command = JSON.parse(line);
    switch (command.cmd) {
      case "open": open(command); break;
      case "emit": await emit(command); break;
      case "close": sockets.get(command.name).disconnect(); break;
      case "exit":
        for (const socket of sockets.values()) socket.disconnect();
        clearTimeout(timer);
        process.exit(0);
        break;
      default: throw new Error("unknown command " + line);
    }
  } catch (error) {
    out({ type: "fail", message: String(error && error.stack ? error.stack : error) });
    process.exit(1);
  }
});
out({ type: "ready" });
