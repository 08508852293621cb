// A small Socket.IO v5 client over the browser's WebSocket (Engine.IO v4, text packets only):
// connect, on, emit, emitWithAck, close. A real front-end would use socket.io-client from npm.
export class ParleySocket {
  constructor(baseUrl = location.origin) {
    this.url = baseUrl.replace(/^http/, "ws") + "/socket.io/?EIO=4&transport=websocket";
    this.handlers = new Map();
    this.acks = new Map();
    this.nextAck = 0;
    this.id = null;
  }

  on(event, handler) {
    if (!this.handlers.has(event)) this.handlers.set(event, []);
    this.handlers.get(event).push(handler);
    return this;
  }

  connect() {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(this.url);
      this.ws = ws;
      ws.onmessage = (message) => this.#receive(String(message.data), resolve, reject);
      ws.onclose = () => {
        for (const [, pending] of this.acks) pending.reject(new Error("disconnected"));
        this.acks.clear();
        if (this.id === null) reject(new Error("connection closed"));   // no effect after a connect_error
        else this.#dispatch("disconnect", []);                        // only a connected socket disconnects
      };
    });
  }

  emit(event, ...args) {
    this.#send("42" + JSON.stringify([event, ...args]));
  }

  emitWithAck(event, ...args) {
    const id = this.nextAck++;
    return new Promise((resolve, reject) => {
      this.acks.set(id, { resolve, reject });
      this.#send("42" + id + JSON.stringify([event, ...args]));
    });
  }

  close() {
    if (this.ws) {
      this.#send("41");
      this.ws.close();
    }
  }

  #send(text) {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) this.ws.send(text);
  }

  #receive(text, resolve, reject) {
    switch (text[0]) {
      case "0": this.#send("40"); return;            // Engine.IO open: join the default namespace
      case "2": this.#send("3"); return;             // ping, pong
      case "4": break;                               // a Socket.IO packet
      default: return;
    }
    const type = text[1];
    const body = text.slice(2);
    if (type === "0") {                              // CONNECT answer
      this.id = JSON.parse(body).sid;
      resolve(this);
      this.#dispatch("connect", []);
    } else if (type === "4") {                       // CONNECT_ERROR: refused by the server's middleware
      const error = JSON.parse(body);
      reject(Object.assign(new Error(error.message), { data: error.data }));
      this.ws.close();
    } else if (type === "2") {                       // EVENT, maybe with an ack id
      const start = body.indexOf("[");
      const ackId = start > 0 ? Number(body.slice(0, start)) : null;
      const [event, ...args] = JSON.parse(body.slice(start));
      if (ackId !== null) args.push((...reply) => this.#send("43" + ackId + JSON.stringify(reply)));
      this.#dispatch(event, args);
    } else if (type === "3") {                       // ACK
      const start = body.indexOf("[");
      const pending = this.acks.get(Number(body.slice(0, start)));
      if (pending) {
        this.acks.delete(Number(body.slice(0, start)));
        pending.resolve(JSON.parse(body.slice(start))[0]);
      }
    } else if (type === "1") {                       // DISCONNECT from the server
      this.ws.close();
    }
  }

  #dispatch(event, args) {
    for (const handler of this.handlers.get(event) || []) handler(...args);
  }
}
