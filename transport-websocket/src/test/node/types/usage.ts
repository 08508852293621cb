// How a page uses the served client, checked by `tsc` against socket.io.d.ts (TypeScriptDeclarationsTest):
// every line is accepted but those marked to expect an error, which must each be rejected.

interface ServerToClient {
  chat: (from: string, text: string) => void;
  tick: () => void;
}

interface ClientToServer {
  say: (text: string) => void;
  sum: (a: number, b: number, ack: (total: number) => void) => void;
}

async function page(): Promise<void> {
  const socket = io<ServerToClient, ClientToServer>();
  const admin = io("/admin", { auth: { token: "t" }, transports: ["polling", "websocket"] });
  const remote = io("https://chat.example.com", {
    path: "/chat/",
    query: { room: "lobby", n: 1 },
    auth: (cb) => cb({ token: "t" }),
    upgrade: false,
    reconnection: true,
    reconnectionAttempts: 5,
    reconnectionDelay: 500,
    reconnectionDelayMax: 2000,
    randomizationFactor: 0.2,
    timeout: 10000,
    ackTimeout: 3000,
    autoConnect: false,
    withCredentials: true,
    forceNew: true,
    multiplex: false,
  });
  remote.connect().open();

  socket.on("chat", (from, text) => console.log(from.toUpperCase(), text.length));
  socket.once("tick", () => {});
  socket.on("connect", () => console.log(socket.id, socket.connected, socket.recovered));
  socket.on("disconnect", (reason) => console.log(reason === "io server disconnect"));
  socket.on("connect_error", (err) => console.log(err.message, err.data));
  socket.emit("say", "hello");
  socket.emit("sum", 1, 2, (total) => console.log(total.toFixed(1)));
  socket.volatile.emit("say", "if you can");
  const total: number = await socket.emitWithAck("sum", 1, 2);
  socket.timeout(1000).emit("sum", 1, 2, (err, sum) => console.log(err?.message, sum + 1));
  const late: number = await socket.timeout(1000).emitWithAck("sum", 3, 4);
  socket.onAny((event, ...args) => console.log(event, args.length));
  socket.prependAny(() => {});
  socket.offAny();
  socket.off("chat");
  socket.io.on("reconnect_attempt", (attempt) => console.log(attempt + 1));
  socket.io.on("error", (err) => console.log(err.message));
  admin.emit("anything", 1, "two", { three: 3 });
  admin.on("whatever", (...args) => console.log(args));
  const id: string | undefined = admin.id;
  socket.disconnect().close();
  console.log(total, late, id, io.protocol, socket instanceof io.Socket, socket.io instanceof io.Manager);

  // @ts-expect-error a chat message is text, not a number
  socket.emit("say", 42);
  // @ts-expect-error "chat" gives two strings to its listener, not a number
  socket.on("chat", (from: number) => console.log(from));
  // @ts-expect-error the server never sends "say"
  socket.on("say", () => {});
  // @ts-expect-error the client cannot emit an event the map does not have
  socket.emit("shout", "hi");
  // @ts-expect-error the acknowledgement of "sum" is a number
  const wrong: string = await socket.emitWithAck("sum", 1, 2);
  // @ts-expect-error under timeout(ms) the callback gets the error first
  socket.timeout(1000).emit("sum", 1, 2, (sum: number) => console.log(sum));
  // @ts-expect-error transports are "polling" or "websocket"
  io("/", { transports: ["sse"] });
  // @ts-expect-error Socket has no public constructor
  new io.Socket();
  console.log(wrong);
}

page();
