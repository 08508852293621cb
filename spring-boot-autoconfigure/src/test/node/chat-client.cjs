// The official socket.io-client (from the fixture folder named by SOCKET_IO_CLIENT_DIR) with its default options:
// HTTP long-polling first, then the upgrade to WebSocket. Reads commands from stdin, one JSON per line
// ({"emit": event, "args": [...]}), and writes what happens to stdout, one JSON per line.
const path = require("node:path");
const readline = require("node:readline");
const { io } = require(path.join(process.env.SOCKET_IO_CLIENT_DIR, "node_modules", "socket.io-client"));

const out = (line) => process.stdout.write(JSON.stringify(line) + "\n");
// argv: the server's URL with the namespace, then the auth payload as JSON (optional).
const socket = io(process.argv[2], { reconnection: false, auth: JSON.parse(process.argv[3] || "{}") });

socket.io.on("open", () => {
  socket.io.engine.on("upgrade", (transport) => out({ upgraded: transport.name }));
  socket.io.engine.on("upgradeError", (error) => out({ upgradeError: String(error) }));
});
socket.on("connect", () => out({ connected: socket.id, transport: socket.io.engine.transport.name }));
socket.on("connect_error", (error) => out({ connectError: error.message }));
socket.on("disconnect", (reason) => out({ disconnected: reason }));
socket.onAny((event, ...args) => out({ event, args }));

readline.createInterface({ input: process.stdin }).on("line", (line) => {
  const command = JSON.parse(line);
  if (command.emit) {
    socket.timeout(5000).emit(command.emit, ...command.args, (error, ...reply) =>
      out(error ? { ackError: error.message } : { ack: reply }));
  } else if (command.close) {
    socket.close();
    process.exit(0);
  }
});
