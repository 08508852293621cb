// Reference Socket.IO 4.8 server with the same logic as Parley's BenchServer:
// join(room, ack) -> ack "ok"; pub(room, payload) -> emit "msg" to the room; echo(x, ack) -> ack x.
// WebSocket and HTTP long-polling (the load generator's --transport polling), as Parley's bench server.
// Usage: node server.mjs [port]
import { Server } from "socket.io";

const port = Number(process.argv[2] || 3001);
const io = new Server(port, { transports: ["polling", "websocket"], serveClient: false });
io.on("connection", (socket) => {
  socket.on("join", (room, ack) => { socket.join(room); if (ack) ack("ok"); });
  socket.on("pub", (room, payload) => io.to(room).emit("msg", payload));
  socket.on("echo", (x, ack) => { if (ack) ack(x); });
});
console.log(`socket.io reference server on http://127.0.0.1:${port} pid ${process.pid}`);
