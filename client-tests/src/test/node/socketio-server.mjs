// The official Socket.IO 4.8 server for NodeSocketIoServerTest, driven one JSON object per line both ways.
// Usage: node socketio-server.mjs <bench/node directory>, whose node_modules has socket.io 4.8.1 (npm ci).
// Three servers on 127.0.0.1, ports chosen by the system: "plain" (the defaults), "recovery" (with
// connectionStateRecovery) and "heartbeat" (a ping every 100 ms, each pong reported). Each has the
// namespaces "/" and "/secure", whose middleware wants the auth {"token": "s3cret"} and refuses anything
// else with the error "bad token" and the data {"reason": "token"}.
// Binary values travel in these lines as {"$bin": "<base64>"}, both ways.
//
// On stdout: {"type":"listening","version","plain","recovery","heartbeat"} (the ports) first, then one
// record per thing a server saw:
//   {"type":"connect","server","ns","id","auth","recovered"}   a socket connected
//   {"type":"rejected","server","ns","auth"}                   the middleware refused a CONNECT
//   {"type":"event","server","ns","id","event","args","ack"}   an event from a client; when it asked for an
//                                                              ack ("ack": true), the server answered at once
//                                                              with ("got " + event, ...args)
//   {"type":"disconnect","server","ns","id","reason"}          a socket left
//   {"type":"conn-close","server","id","reason"}               the Engine.IO connection of socket id ended
//   {"type":"pong","server","id"}                              (heartbeat server) a pong from socket id
//   {"type":"ack","ref","args"} / {"type":"ack-error","ref","message"}   the answer to an emit-with-ack
// On stdin, commands ("server" defaults to "plain", "ns" to "/"):
//   {"cmd":"emit","id","event","args"}                   socket.emit
//   {"cmd":"emit-with-ack","id","event","args","ref"}    socket.timeout(5000).emit with a callback: every
//                                                        argument of the client's ack is reported
//   {"cmd":"close-conn","id","missed"}                   socket.conn.close(): the connection, not the
//                                                        socket; then, if "missed" ({"event","args"}) is
//                                                        given, nsp.to(id).emit of it at once, while the
//                                                        client is away (a recovered session gets it)
//   {"cmd":"disconnect","id","close"}                    socket.disconnect(close)
//   {"cmd":"exit"}
// A failing command is reported as {"type":"fail","message"}. The process ends when stdin closes.
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { createRequire } from "node:module";
import { createInterface } from "node:readline";
import { resolve } from "node:path";

const benchNode = process.argv[2];
if (!benchNode) {
  console.error("usage: node socketio-server.mjs <bench/node directory>");
  process.exit(2);
}
// socket.io lives in bench/node's node_modules, not next to this script: resolve it from there.
const require = createRequire(resolve(benchNode, "package.json"));
const { Server } = require("socket.io");
// Its package.json is not among the package's exports: read the file.
const version = JSON.parse(readFileSync(resolve(benchNode, "node_modules", "socket.io", "package.json"))).version;

function out(record) {
  process.stdout.write(JSON.stringify(record) + "\n");
}

function toWire(value) {
  if (Buffer.isBuffer(value) || value instanceof ArrayBuffer || ArrayBuffer.isView(value)) {
    return { $bin: Buffer.from(value instanceof ArrayBuffer ? new Uint8Array(value) : value).toString("base64") };
  }
  if (Array.isArray(value)) {
    return value.map(toWire);
  }
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toWire(v)]));
  }
  return value;
}

function fromWire(value) {
  if (Array.isArray(value)) {
    return value.map(fromWire);
  }
  if (value !== null && typeof value === "object") {
    const keys = Object.keys(value);
    if (keys.length === 1 && keys[0] === "$bin") {
      return Buffer.from(value.$bin, "base64");
    }
    return Object.fromEntries(keys.map((k) => [k, fromWire(value[k])]));
  }
  return value;
}

const servers = {};
const sockets = new Map();

function serve(name, options) {
  const http = createServer();
  const io = new Server(http, { serveClient: false, ...options });
  const attach = (nsp) => nsp.on("connection", (socket) => {
    sockets.set(socket.id, socket);
    out({ type: "connect", server: name, ns: nsp.name, id: socket.id, auth: socket.handshake.auth,
      recovered: socket.recovered });
    socket.conn.once("close", (reason) => out({ type: "conn-close", server: name, id: socket.id, reason }));
    if (name === "heartbeat") {
      socket.conn.on("packet", (packet) => {
        if (packet.type === "pong") {
          out({ type: "pong", server: name, id: socket.id });
        }
      });
    }
    socket.onAny((event, ...args) => {
      const ack = typeof args[args.length - 1] === "function" ? args.pop() : null;
      out({ type: "event", server: name, ns: nsp.name, id: socket.id, event, args: toWire(args), ack: ack !== null });
      if (ack) {
        ack("got " + event, ...args);
      }
    });
    socket.on("disconnect", (reason) => {
      sockets.delete(socket.id);
      out({ type: "disconnect", server: name, ns: nsp.name, id: socket.id, reason });
    });
  });
  attach(io.of("/"));
  const secure = io.of("/secure");
  secure.use((socket, next) => {
    if (socket.handshake.auth && socket.handshake.auth.token === "s3cret") {
      next();
      return;
    }
    out({ type: "rejected", server: name, ns: "/secure", auth: socket.handshake.auth });
    const error = new Error("bad token");
    error.data = { reason: "token" };
    next(error);
  });
  attach(secure);
  servers[name] = io;
  return new Promise((ok, failed) => {
    http.once("error", failed);
    http.listen(0, "127.0.0.1", () => ok(http.address().port));
  });
}

function socket(id) {
  const found = sockets.get(id);
  if (!found) {
    throw new Error("no connected socket " + id);
  }
  return found;
}

function run(command) {
  const args = fromWire(command.args || []);
  switch (command.cmd) {
    case "emit":
      socket(command.id).emit(command.event, ...args);
      break;
    case "emit-with-ack":
      socket(command.id).timeout(5000).emit(command.event, ...args, (error, ...replies) => {
        if (error) {
          out({ type: "ack-error", ref: command.ref, message: String(error.message) });
        } else {
          out({ type: "ack", ref: command.ref, args: toWire(replies) });
        }
      });
      break;
    case "close-conn": {
      const closing = socket(command.id);
      // Engine.IO closes the transport and Socket.IO saves the session (recovery) synchronously, so the
      // emit below happens while the client is away, whenever it reconnects.
      closing.conn.close();
      if (command.missed) {
        closing.nsp.to(closing.id).emit(command.missed.event, ...fromWire(command.missed.args || []));
      }
      break;
    }
    case "disconnect":
      socket(command.id).disconnect(Boolean(command.close));
      break;
    case "exit":
      process.exit(0);
      break;
    default:
      throw new Error("unknown command " + command.cmd);
  }
}

createInterface({ input: process.stdin })
  .on("line", (line) => {
    let command;
    try {
      command = JSON.parse(line);
    } catch (error) {
      out({ type: "fail", message: "not JSON: " + line });
      return;
    }
    try {
      run(command);
    } catch (error) {
      out({ type: "fail", message: String(error && error.stack) });
    }
  })
  .on("close", () => process.exit(0));

// A forgotten process ends by itself.
setTimeout(() => {
  console.error("socketio-server.mjs ran for 120 s; exiting");
  process.exit(1);
}, 120000).unref();

const plain = await serve("plain", {});
const recovery = await serve("recovery", { connectionStateRecovery: { maxDisconnectionDuration: 60000 } });
// Pings often, with a long timeout: pongs come quickly, and a slow machine does not cut connections.
const heartbeat = await serve("heartbeat", { pingInterval: 100, pingTimeout: 5000 });
out({ type: "listening", version, plain, recovery, heartbeat });
