/*
 * Parley's browser client for Socket.IO v5 over Engine.IO v4, served at /socket.io/socket.io.js.
 * Written for Parley from the two protocol specifications (socketio/engine.io-protocol and
 * socketio/socket.io-protocol); it offers the part of socket.io-client's API that applications use:
 * io(), Manager, Socket. Plain ES2018, no dependencies, no build step.
 *
 * The file is minified by stripping comments and whitespace only: every statement ends with a semicolon,
 * there are no regular expression literals and no template literals spanning lines.
 */
(function () {
  "use strict";

  // Spelt so, that a comment stripper cannot take the scheme separator for the start of a comment.
  const SLASHES = "/" + "/";
  // Engine.IO v4 joins the packets of one polling payload with the record separator.
  const SEPARATOR = String.fromCharCode(30);
  const hasBlob = typeof Blob !== "undefined";

  // Engine.IO packet types.
  const OPEN = "0", CLOSE = "1", PING = "2", PONG = "3", MESSAGE = "4", UPGRADE = "5";
  // Socket.IO packet types.
  const CONNECT = 0, DISCONNECT = 1, EVENT = 2, ACK = 3, CONNECT_ERROR = 4, BINARY_EVENT = 5, BINARY_ACK = 6;

  // Events a Socket fires itself: emitting one of them to the server is a mistake worth an exception.
  const RESERVED = { connect: 1, connect_error: 1, disconnect: 1, disconnecting: 1, newListener: 1,
    removeListener: 1 };

  // ---------------------------------------------------------------------------------------------------
  // Events

  /** A minimal event emitter; `_fire` dispatches locally, so that Socket can use `emit` for the server. */
  class Emitter {
    on(event, fn) {
      const map = this._listeners || (this._listeners = Object.create(null));
      (map[event] || (map[event] = [])).push(fn);
      return this;
    }

    once(event, fn) {
      const wrapper = (...args) => {
        this.off(event, wrapper);
        fn.apply(this, args);
      };
      // Remembered so that off(event, fn) also removes a listener registered with once.
      wrapper.fn = fn;
      return this.on(event, wrapper);
    }

    /** off() removes every listener, off(event) those of one event, off(event, fn) one listener. */
    off(event, fn) {
      const map = this._listeners;
      if (!map) { return this; }
      if (arguments.length === 0) {
        this._listeners = Object.create(null);
      } else if (fn === undefined) {
        delete map[event];
      } else if (map[event]) {
        const list = map[event];
        for (let i = 0; i < list.length; i++) {
          if (list[i] === fn || list[i].fn === fn) {
            list.splice(i, 1);
            break;
          }
        }
        if (list.length === 0) { delete map[event]; }
      }
      return this;
    }

    removeListener(...args) { return this.off(...args); }
    removeAllListeners(...args) { return this.off(...args); }

    listeners(event) {
      const list = this._listeners && this._listeners[event];
      return list ? list.slice() : [];
    }

    hasListeners(event) { return this.listeners(event).length > 0; }

    _fire(event, ...args) {
      const list = this._listeners && this._listeners[event];
      if (!list) { return false; }
      // A copy: a listener may remove itself (once) or others while the event is dispatched.
      for (const fn of list.slice()) { call(fn, this, args); }
      return true;
    }
  }

  /**
   * Calls application code: what it throws is reported as uncaught, after the client has finished what it
   * was doing, rather than left to break a poll loop or a half-decoded payload.
   */
  function call(fn, self, args) {
    try {
      fn.apply(self, args);
    } catch (error) {
      setTimeout(() => { throw error; }, 0);
    }
  }

  // Manager and the engine emit locally; Socket overrides emit to send to the server.
  Emitter.prototype.emit = Emitter.prototype._fire;

  /** Subscribes and returns the function that unsubscribes. */
  function subscribe(emitter, event, fn) {
    emitter.on(event, fn);
    return () => emitter.off(event, fn);
  }

  // ---------------------------------------------------------------------------------------------------
  // Binary data

  function isBinary(value) {
    return value instanceof ArrayBuffer || ArrayBuffer.isView(value) || (hasBlob && value instanceof Blob);
  }

  /** The exact bytes of an ArrayBuffer or a view (typed array, DataView, Node Buffer) on part of one. */
  function bytesOf(value) {
    return value instanceof ArrayBuffer ? new Uint8Array(value)
      : new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  }

  function toBase64(bytes) {
    let text = "";
    // In slices: fromCharCode.apply takes its arguments on the stack.
    for (let i = 0; i < bytes.length; i += 0x8000) {
      text += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
    }
    return btoa(text);
  }

  function fromBase64(text) {
    const decoded = atob(text);
    const bytes = new Uint8Array(decoded.length);
    for (let i = 0; i < decoded.length; i++) { bytes[i] = decoded.charCodeAt(i); }
    return bytes.buffer;
  }

  /** Received binary is handed to the application as an ArrayBuffer of exactly its bytes. */
  function toArrayBuffer(data) {
    if (data instanceof ArrayBuffer) { return data; }
    const bytes = bytesOf(data);
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  }

  /** The UTF-8 length of a string, for the server's maxPayload. */
  function utf8Length(text) {
    let length = 0;
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      if (code >= 0xd800 && code < 0xdc00 && i + 1 < text.length) {
        // A surrogate pair: one four-byte character.
        length += 4;
        i++;
      } else {
        length += code < 0x80 ? 1 : code < 0x800 ? 2 : 3;
      }
    }
    return length;
  }

  // ---------------------------------------------------------------------------------------------------
  // Engine.IO packets

  /** Polling payload: packets joined by the record separator, binary as "b" + base64 (type 4 implied). */
  function encodePayload(packets) { return packets.map(encodeText).join(SEPARATOR); }

  function encodeText(packet) {
    if (packet.data !== undefined && typeof packet.data !== "string") { return "b" + toBase64(bytesOf(packet.data)); }
    return packet.type + (packet.data === undefined ? "" : packet.data);
  }

  function encodedLength(packet) {
    if (packet.data !== undefined && typeof packet.data !== "string") {
      return 1 + 4 * Math.ceil(bytesOf(packet.data).length / 3);
    }
    return 1 + (packet.data === undefined ? 0 : utf8Length(packet.data));
  }

  function decodePayload(body) {
    return body.split(SEPARATOR).filter((text) => text.length > 0).map((text) => text.charAt(0) === "b"
      ? { type: MESSAGE, data: fromBase64(text.substring(1)) } : { type: text.charAt(0), data: text.substring(1) });
  }

  function encodeQuery(query) {
    return Object.keys(query).filter((key) => query[key] !== undefined && query[key] !== null)
      .map((key) => encodeURIComponent(key) + "=" + encodeURIComponent(String(query[key]))).join("&");
  }

  let stampCount = 0;

  /** A value for the "t" query parameter, so that no cache answers a long-poll. */
  function stamp() {
    stampCount = (stampCount + 1) % 1000000;
    return Date.now().toString(36) + "." + stampCount.toString(36);
  }

  // ---------------------------------------------------------------------------------------------------
  // Engine.IO transports

  /** One HTTP request for the polling transport: XMLHttpRequest in browsers, fetch where there is none. */
  function request(engine, method, body, callback) {
    const url = engine._url("polling");
    const credentials = engine.opts.withCredentials;
    let done = false;
    const finish = (error, text) => {
      if (!done) {
        done = true;
        callback(error, text);
      }
    };
    const failure = (status) => Object.assign(new Error("poll error"), { description: status });
    if (typeof XMLHttpRequest !== "undefined") {
      const xhr = new XMLHttpRequest();
      xhr.open(method, url, true);
      xhr.withCredentials = !!credentials;
      if (body !== null) { xhr.setRequestHeader("Content-Type", "text/plain;charset=UTF-8"); }
      xhr.onreadystatechange = () => {
        if (xhr.readyState === 4) { finish(xhr.status === 200 ? null : failure(xhr.status), xhr.responseText); }
      };
      xhr.send(body);
      return { abort: () => { done = true; xhr.abort(); } };
    }
    const controller = typeof AbortController !== "undefined" ? new AbortController() : null;
    const init = { method, credentials: credentials ? "include" : "same-origin" };
    if (controller) { init.signal = controller.signal; }
    if (body !== null) {
      init.body = body;
      init.headers = { "Content-Type": "text/plain;charset=UTF-8" };
    }
    fetch(url, init).then((response) => response.text().then((text) => ({ status: response.status, text })))
      .then((answer) => finish(answer.status === 200 ? null : failure(answer.status), answer.text),
        (error) => finish(failure(error)));
    return { abort: () => { done = true; if (controller) { controller.abort(); } } };
  }

  /**
   * HTTP long-polling: a GET always pending to receive, at most one POST at a time to send. Paused (for
   * the upgrade) it sends no new request; once none is in flight any more, the pause callback runs.
   */
  class Polling {
    constructor(engine) {
      Object.assign(this, { engine, name: "polling", writable: false, closed: false, paused: false });
      this._get = this._post = this._onPaused = null;
    }

    open() { this._poll(); }

    _poll() {
      const state = this.engine.readyState;
      if (this.closed || this.paused || this._get || state === "closing" || state === "closed") { return; }
      this._get = request(this.engine, "GET", null, (error, body) => {
        this._get = null;
        if (this.closed) { return; }
        if (error) {
          this.engine._onTransportError(this, error);
          return;
        }
        try {
          const packets = decodePayload(body);
          for (let i = 0; i < packets.length && !this.closed; i++) { this.engine._onPacket(this, packets[i]); }
        } finally {
          this._checkPaused();
          this._poll();
          this.engine._onDrain(this);
        }
      });
    }

    send(packets) {
      this.writable = false;
      this._post = request(this.engine, "POST", encodePayload(packets), (error) => {
        this._post = null;
        if (this.closed) { return; }
        if (error) {
          this.engine._onTransportError(this, error);
          return;
        }
        this.writable = true;
        this._checkPaused();
        this.engine._onDrain(this);
      });
    }

    /** Stops sending requests; `callback` (optional) runs once none is in flight. */
    pause(callback) {
      this.paused = true;
      this._onPaused = callback || null;
      this._checkPaused();
    }

    resume() {
      this.paused = false;
      this._onPaused = null;
      this._poll();
    }

    _checkPaused() {
      if (this._onPaused && !this._get && !this._post) {
        const callback = this._onPaused;
        this._onPaused = null;
        callback();
      }
    }

    close() {
      this.closed = true;
      this.writable = false;
      if (this._get) { this._get.abort(); }
      if (this._post) { this._post.abort(); }
      this._get = this._post = null;
    }
  }

  /** A WebSocket: one packet per frame, binary frames carrying message packets as they are. */
  class WebSocketTransport {
    constructor(engine, sid) {
      Object.assign(this, { engine, sid, name: "websocket", writable: false, closed: false, ws: null });
    }

    open() {
      const engine = this.engine;
      let ws;
      try {
        ws = new WebSocket(engine._url("websocket", this.sid));
      } catch (error) {
        // Reported after open() returns, as a failed connection would be.
        setTimeout(() => engine._onTransportError(this, error), 0);
        return;
      }
      this.ws = ws;
      ws.binaryType = "arraybuffer";
      ws.onopen = () => {
        if (!this.closed) {
          this.writable = true;
          engine._onTransportOpen(this);
        }
      };
      ws.onmessage = (event) => {
        const data = event.data;
        if (!this.closed) {
          engine._onPacket(this, typeof data === "string" ? { type: data.charAt(0), data: data.substring(1) }
            : { type: MESSAGE, data: toArrayBuffer(data) });
        }
      };
      ws.onerror = () => {
        if (!this.closed) {
          this.close();
          engine._onTransportError(this, new Error("websocket error"));
        }
      };
      ws.onclose = (event) => {
        if (!this.closed) {
          this.close();
          engine._onTransportClose(this, "transport close", event && event.code);
        }
      };
    }

    send(packets) {
      for (let i = 0; i < packets.length && this.writable; i++) {
        const packet = packets[i];
        this.ws.send(packet.data !== undefined && typeof packet.data !== "string" ? bytesOf(packet.data)
          : encodeText(packet));
      }
    }

    close() {
      this.closed = true;
      this.writable = false;
      if (this.ws) {
        try {
          // Frames sent before close() still go out first: a graceful close loses nothing.
          this.ws.close();
        } catch (ignored) {
          // Closing a socket that never opened may throw in some browsers: it is gone either way.
        }
      }
    }
  }

  // ---------------------------------------------------------------------------------------------------
  // Engine.IO session

  /**
   * One Engine.IO session: the handshake, the heartbeat, a write buffer flushed through the current
   * transport, and the upgrade from polling to WebSocket. Fires open, data, ping, upgrade,
   * upgradeError, error and close (reason, description).
   */
  class Engine extends Emitter {
    constructor(opts) {
      super();
      Object.assign(this, { opts, readyState: "closed", transport: null, id: null, writeBuffer: [], upgrading: false });
      this._probe = this._pingTimer = this._closeTimer = null;
    }

    open() {
      this.readyState = "opening";
      const first = this.opts.transports[0];
      this.transport = first === "websocket" ? new WebSocketTransport(this, null) : new Polling(this);
      this.transport.open();
    }

    _url(transport, sid) {
      const query = Object.assign({}, this.opts.query, { EIO: 4, transport });
      const id = transport === "websocket" ? sid : this.id;
      if (id) { query.sid = id; }
      if (transport === "polling") { query.t = stamp(); }
      const origin = transport === "websocket" ? this.opts.wsOrigin : this.opts.origin;
      return origin + this.opts.path + "?" + encodeQuery(query);
    }

    /** Sends a message: a string, or binary (ArrayBuffer or a view). */
    send(data) { this._write(MESSAGE, data); }

    _write(type, data) {
      if (this.readyState === "opening" || this.readyState === "open") {
        this.writeBuffer.push({ type, data });
        this.flush();
      }
    }

    flush() {
      const transport = this.transport;
      const open = this.readyState === "open" || this.readyState === "closing";
      if (!open || this.upgrading || !transport || !transport.writable || this.writeBuffer.length === 0) { return; }
      transport.send(transport.name === "polling" ? this._batch() : this.writeBuffer.splice(0));
    }

    /** The packets of the next POST: as many as fit in the server's maxPayload, at least one. */
    _batch() {
      const max = this.maxPayload > 0 ? this.maxPayload : Infinity;
      let size = 0;
      let count = 0;
      while (count < this.writeBuffer.length) {
        const length = encodedLength(this.writeBuffer[count]) + (count > 0 ? 1 : 0);
        if (count > 0 && size + length > max) { break; }
        size += length;
        count++;
      }
      return this.writeBuffer.splice(0, count);
    }

    _onTransportOpen(transport) {
      if (transport === this._probe) {
        // The spec asks for polling to send no more requests while the socket is probed: the server
        // answers the pending GET with a noop, and no new one is issued to be held meanwhile.
        this.transport.pause();
        transport.send([{ type: PING, data: "probe" }]);
      }
    }

    _onPacket(transport, packet) {
      if (transport === this._probe) {
        this._onProbePacket(transport, packet);
        return;
      }
      if (transport !== this.transport || this.readyState === "closed") { return; }
      if (this.readyState === "closing") {
        // Closing: only the server's close packet matters now.
        if (packet.type === CLOSE) { this._onClose("forced close"); }
        return;
      }
      if (this.readyState === "open") { this._armHeartbeat(); }
      if (packet.type === OPEN) {
        this._onHandshake(packet.data);
      } else if (packet.type === PING) {
        this._fire("ping");
        this._write(PONG);
      } else if (packet.type === MESSAGE) {
        this._fire("data", packet.data);
      } else if (packet.type === CLOSE) {
        this._onClose("transport close");
      }
      // PONG and NOOP ("6") carry nothing for us.
    }

    _onHandshake(text) {
      let handshake;
      try {
        handshake = JSON.parse(text);
      } catch (error) {
        this._onError(error, "parse error");
        return;
      }
      if (this.readyState !== "opening" || !handshake || typeof handshake.sid !== "string") {
        this._onError(new Error("invalid handshake"), "parse error");
        return;
      }
      Object.assign(this, { id: handshake.sid, pingInterval: handshake.pingInterval, readyState: "open",
        pingTimeout: handshake.pingTimeout, maxPayload: handshake.maxPayload });
      this.upgrades = Array.isArray(handshake.upgrades) ? handshake.upgrades : [];
      this.transport.writable = true;
      this._armHeartbeat();
      this._fire("open");
      this.flush();
      if (this.readyState === "open" && this.transport.name === "polling" && this.opts.upgrade
          && this.upgrades.indexOf("websocket") !== -1 && this.opts.transports.indexOf("websocket") !== -1
          && typeof WebSocket !== "undefined") {
        this._startProbe();
      }
    }

    /** The server pings every pingInterval; silence for pingInterval + pingTimeout means it is gone. */
    _armHeartbeat() {
      clearTimeout(this._pingTimer);
      const delay = (this.pingInterval || 25000) + (this.pingTimeout || 20000);
      this._pingTimer = setTimeout(() => this._onClose("ping timeout"), delay);
    }

    _startProbe() {
      this._probe = new WebSocketTransport(this, this.id);
      this._probe.open();
    }

    _onProbePacket(probe, packet) {
      if (packet.type !== PONG || packet.data !== "probe" || this.readyState !== "open") {
        this._probeFailed(new Error("probe error"));
        return;
      }
      // The socket works: wait until polling has no request in flight (whatever they carry is handled
      // first), then send the upgrade packet and write the buffer over the socket.
      const polling = this.transport;
      this.upgrading = true;
      polling.pause(() => {
        if (this._probe !== probe || this.readyState !== "open") { return; }
        this._probe = null;
        probe.send([{ type: UPGRADE }]);
        polling.close();
        this.transport = probe;
        this.upgrading = false;
        this._fire("upgrade", probe);
        this.flush();
      });
    }

    _probeFailed(error) {
      const probe = this._probe;
      if (!probe) { return; }
      this._probe = null;
      probe.close();
      this.upgrading = false;
      if (this.readyState === "open") {
        this.transport.resume();
        this._fire("upgradeError", error);
        this.flush();
      }
    }

    /** A polling request completed: the next POST may go, or a closing session is done. */
    _onDrain(transport) {
      if (transport !== this.transport) { return; }
      // Closing, the held GET is not aborted: the server answers it (with the close packet) once it has read
      // ours, so that no request is left cancelled.
      if (this.readyState === "closing" && this.writeBuffer.length === 0 && !transport._get && !transport._post) {
        this._onClose("forced close");
      }
      this.flush();
    }

    _onTransportError(transport, error) {
      if (transport === this._probe) {
        this._probeFailed(error);
      } else if (transport === this.transport) {
        this._onError(error, "transport error");
      }
    }

    _onTransportClose(transport, reason, code) {
      if (transport === this._probe) {
        this._probeFailed(new Error("probe closed"));
      } else if (transport === this.transport) {
        this._onClose(this.readyState === "closing" ? "forced close" : reason, code);
      }
    }

    _onError(error, reason) {
      if (this.readyState === "closing") {
        this._onClose("forced close");
        return;
      }
      this._fire("error", error);
      this._onClose(reason, error);
    }

    /**
     * Closes on purpose: what is buffered is sent first, over polling with the close packet after it;
     * over WebSocket the socket's own close handshake follows the frames already sent.
     */
    close() {
      if (this.readyState === "opening") {
        this._onClose("forced close");
        return;
      }
      if (this.readyState !== "open") { return; }
      this.readyState = "closing";
      this._dropProbe();
      this.upgrading = false;
      if (this.transport.name === "websocket") {
        this.flush();
        this._onClose("forced close");
        return;
      }
      this.writeBuffer.push({ type: CLOSE });
      // Bounded: a POST that never completes does not keep the session half-closed.
      this._closeTimer = setTimeout(() => this._onClose("forced close"), this.pingTimeout || 5000);
      this.flush();
    }

    _dropProbe() {
      if (this._probe) {
        this._probe.close();
        this._probe = null;
      }
    }

    _onClose(reason, description) {
      if (this.readyState === "closed") { return; }
      this.readyState = "closed";
      clearTimeout(this._pingTimer);
      clearTimeout(this._closeTimer);
      this._dropProbe();
      if (this.transport) { this.transport.close(); }
      this.writeBuffer = [];
      this._fire("close", reason, description);
    }
  }

  // ---------------------------------------------------------------------------------------------------
  // Socket.IO packets

  /** A copy of `value` with every binary replaced by a placeholder; the binaries go to `buffers`. */
  function deconstruct(value, buffers) {
    if (value === null || typeof value !== "object") { return value; }
    if (isBinary(value)) {
      buffers.push(value instanceof ArrayBuffer ? value : bytesOf(value));
      return { _placeholder: true, num: buffers.length - 1 };
    }
    if (Array.isArray(value)) { return value.map((item) => deconstruct(item, buffers)); }
    if (typeof value.toJSON === "function") { return value; }
    const object = {};
    for (const key in value) {
      if (Object.prototype.hasOwnProperty.call(value, key)) { object[key] = deconstruct(value[key], buffers); }
    }
    return object;
  }

  function reconstruct(value, buffers) {
    if (value === null || typeof value !== "object") { return value; }
    if (value._placeholder === true && typeof value.num === "number") {
      if (value.num < 0 || value.num >= buffers.length || value.num % 1 !== 0) {
        throw new Error("illegal attachment");
      }
      return buffers[value.num];
    }
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) { value[i] = reconstruct(value[i], buffers); }
    } else {
      for (const key in value) {
        if (Object.prototype.hasOwnProperty.call(value, key)) { value[key] = reconstruct(value[key], buffers); }
      }
    }
    return value;
  }

  /** A packet as Engine.IO messages: the text, then its binary attachments, each its own message. */
  function encodePacket(packet) {
    const buffers = [];
    const data = packet.data === undefined ? undefined : deconstruct(packet.data, buffers);
    let type = packet.type;
    if (buffers.length > 0) { type = type === EVENT ? BINARY_EVENT : type === ACK ? BINARY_ACK : type; }
    let text = String(type);
    if (type === BINARY_EVENT || type === BINARY_ACK) { text += buffers.length + "-"; }
    if (packet.nsp && packet.nsp !== "/") { text += packet.nsp + ","; }
    if (packet.id !== undefined && packet.id !== null) { text += packet.id; }
    if (data !== undefined) { text += JSON.stringify(data); }
    return [text].concat(buffers);
  }

  function isDigit(c) { return c >= "0" && c <= "9"; }

  /** Parses the text of a packet: type, attachment count, namespace, ack id, JSON payload. */
  function decodePacketText(text) {
    const type = Number(text.charAt(0));
    if (text.length === 0 || !(type >= CONNECT && type <= BINARY_ACK)) { throw new Error("unknown packet type"); }
    const packet = { type, nsp: "/", attachments: 0 };
    let i = 1;
    if (type === BINARY_EVENT || type === BINARY_ACK) {
      const dash = text.indexOf("-", i);
      const count = dash === -1 ? "" : text.substring(i, dash);
      if (count.length === 0 || !Array.prototype.every.call(count, isDigit)) { throw new Error("illegal attachments"); }
      packet.attachments = Number(count);
      i = dash + 1;
    }
    if (text.charAt(i) === "/") {
      const comma = text.indexOf(",", i);
      const end = comma === -1 ? text.length : comma;
      packet.nsp = text.substring(i, end);
      i = comma === -1 ? end : end + 1;
    }
    const start = i;
    while (i < text.length && isDigit(text.charAt(i))) { i++; }
    if (i > start) { packet.id = Number(text.substring(start, i)); }
    if (i < text.length) { packet.data = JSON.parse(text.substring(i)); }
    if (!validPayload(packet)) { throw new Error("invalid payload"); }
    return packet;
  }

  function validPayload(packet) {
    const data = packet.data;
    const object = data !== null && typeof data === "object";
    switch (packet.type) {
      case CONNECT: return object;
      case DISCONNECT: return data === undefined;
      case CONNECT_ERROR: return object || typeof data === "string";
      case EVENT: case BINARY_EVENT: return Array.isArray(data) && data.length > 0 && typeof data[0] === "string";
      default: return Array.isArray(data);
    }
  }

  /** Assembles packets from Engine.IO messages: a binary packet's attachments follow its text. */
  class Decoder {
    constructor() {
      this.pending = null;
      this.buffers = [];
    }

    /** Takes the next message; returns the packet it completes, if any; throws if it is malformed. */
    add(message) {
      if (typeof message === "string") {
        if (this.pending) { throw new Error("text while attachments were expected"); }
        const packet = decodePacketText(message);
        if (packet.attachments === 0) { return packet; }
        this.pending = packet;
        this.buffers = [];
        return null;
      }
      if (!this.pending) { throw new Error("an attachment nobody announced"); }
      this.buffers.push(toArrayBuffer(message));
      if (this.buffers.length < this.pending.attachments) { return null; }
      const packet = this.pending;
      packet.data = reconstruct(packet.data, this.buffers);
      this.pending = null;
      this.buffers = [];
      return packet;
    }
  }

  /** Blob arguments are read into ArrayBuffers before a packet is encoded. */
  function containsBlob(value) {
    if (!hasBlob || value === null || typeof value !== "object") { return false; }
    if (value instanceof Blob) { return true; }
    // Not worth walking: the bytes of a buffer are no Blobs.
    if (value instanceof ArrayBuffer || ArrayBuffer.isView(value)) { return false; }
    for (const key in value) {
      if (Object.prototype.hasOwnProperty.call(value, key) && containsBlob(value[key])) { return true; }
    }
    return false;
  }

  function readBlobs(value) {
    if (!containsBlob(value)) { return Promise.resolve(value); }
    if (value instanceof Blob) {
      if (typeof value.arrayBuffer === "function") { return value.arrayBuffer(); }
      return new Promise((resolve, reject) => {
        const reader = new FileReader();
        reader.onload = () => resolve(reader.result);
        reader.onerror = () => reject(reader.error);
        reader.readAsArrayBuffer(value);
      });
    }
    const copy = Array.isArray(value) ? value.slice() : Object.assign({}, value);
    const keys = Object.keys(copy);
    return Promise.all(keys.map((key) => readBlobs(copy[key]))).then((read) => {
      keys.forEach((key, i) => { copy[key] = read[i]; });
      return copy;
    });
  }

  // ---------------------------------------------------------------------------------------------------
  // Manager

  /** Exponential backoff with jitter: min·2^attempt, spread by ±jitter, capped at max. */
  class Backoff {
    constructor(min, max, jitter) {
      Object.assign(this, { min, max, jitter, attempts: 0 });
    }

    duration() {
      let delay = this.min * Math.pow(2, this.attempts++);
      if (this.jitter > 0) { delay = delay * (1 + this.jitter * (2 * Math.random() - 1)); }
      return Math.max(0, Math.floor(Math.min(delay, this.max)));
    }

    reset() { this.attempts = 0; }
  }

  function option(value, fallback) { return value === undefined || value === null ? fallback : value; }

  /**
   * One Engine.IO connection shared by the sockets of several namespaces; reconnects with backoff.
   * Fires open, close, error, ping, packet, reconnect_attempt, reconnect, reconnect_error and
   * reconnect_failed.
   */
  class Manager extends Emitter {
    constructor(uri, opts) {
      super();
      if (uri && typeof uri === "object") {
        opts = uri;
        uri = undefined;
      }
      opts = Object.assign({}, opts);
      const target = parseUri(uri);
      const query = Object.assign({}, target.query, opts.query);
      let path = option(opts.path, "/socket.io/");
      if (path.charAt(path.length - 1) !== "/") { path += "/"; }
      const known = (opts.transports || ["polling", "websocket"]).filter((name) => name === "polling"
        || (name === "websocket" && typeof WebSocket !== "undefined"));
      this.opts = opts;
      this.uri = target.origin;
      this.nsps = Object.create(null);
      this.engine = null;
      this.backoff = new Backoff(option(opts.reconnectionDelay, 1000), option(opts.reconnectionDelayMax, 5000),
        option(opts.randomizationFactor, 0.5));
      this._engineOpts = { origin: target.origin, wsOrigin: (target.secure ? "wss:" : "ws:") + SLASHES + target.host,
        path, query, transports: known.length > 0 ? known : ["polling"], upgrade: opts.upgrade !== false,
        withCredentials: !!opts.withCredentials };
      this._reconnection = opts.reconnection !== false;
      this._reconnectionAttempts = option(opts.reconnectionAttempts, Infinity);
      this._timeout = option(opts.timeout, 20000);
      this._autoConnect = opts.autoConnect !== false;
      this._readyState = "closed";
      this._reconnecting = this._skipReconnect = false;
      this._reconnectTimer = this._decoder = null;
      this._subs = [];
      this._outbound = [];
      if (this._autoConnect) { this.open(); }
    }

    /** Opens the connection if it is not open or opening; `callback(error)` once it is, or failed. */
    open(callback) {
      if (this._readyState === "open" || this._readyState === "opening") { return this; }
      const engine = new Engine(this._engineOpts);
      this.engine = engine;
      this._readyState = "opening";
      this._skipReconnect = false;
      // A new decoder per connection: attachments half-received on the last one are dropped with it.
      this._decoder = new Decoder();
      let failure = null;
      let timer = null;
      this._subs.push(subscribe(engine, "open", () => {
        clearTimeout(timer);
        this._onOpen();
        if (callback) { callback(); }
      }));
      this._subs.push(subscribe(engine, "error", (error) => { failure = error; }));
      this._subs.push(subscribe(engine, "close", (reason) => {
        clearTimeout(timer);
        this._cleanup();
        this._readyState = "closed";
        const error = failure || new Error(reason);
        this._fire("error", error);
        if (callback) {
          callback(error);
        } else {
          this._maybeReconnectOnOpen();
        }
      }));
      if (this._timeout !== false && this._timeout !== Infinity) {
        timer = setTimeout(() => {
          failure = new Error("timeout");
          engine.close();
        }, this._timeout);
      }
      engine.open();
      return this;
    }

    connect(callback) { return this.open(callback); }

    /** The socket of a namespace on this connection, made on first use. */
    socket(nsp, opts) {
      let socket = this.nsps[nsp];
      if (!socket) {
        socket = new Socket(this, nsp, opts);
        this.nsps[nsp] = socket;
      } else if (this._autoConnect && !socket.active) {
        socket.connect();
      }
      return socket;
    }

    _onOpen() {
      this._cleanup();
      this._readyState = "open";
      const engine = this.engine;
      this._subs.push(subscribe(engine, "data", (data) => {
        let packet;
        try {
          packet = this._decoder.add(data);
        } catch (error) {
          engine._onError(error, "parse error");
          return;
        }
        if (packet) { this._fire("packet", packet); }
      }));
      this._subs.push(subscribe(engine, "ping", () => this._fire("ping")));
      this._subs.push(subscribe(engine, "error", (error) => this._fire("error", error)));
      this._subs.push(subscribe(engine, "close", (reason, description) => this._onClose(reason, description)));
      this._fire("open");
    }

    _cleanup() {
      this._subs.splice(0).forEach((unsubscribe) => unsubscribe());
      this._outbound = [];
    }

    /** Sends a packet; packets keep their order, also behind one whose Blobs are still being read. */
    _packet(packet) {
      this._outbound.push(packet);
      if (this._outbound.length === 1) { this._drainOutbound(); }
    }

    _drainOutbound() {
      const queue = this._outbound;
      while (queue.length > 0) {
        const packet = queue[0];
        if (containsBlob(packet.data)) {
          // Resumed when read, unless the connection closed meanwhile (it then has a new queue).
          readBlobs(packet.data).then((data) => {
            packet.data = data;
          }, (error) => {
            queue.shift();
            this._fire("error", error);
          }).then(() => {
            if (this._outbound === queue) { this._drainOutbound(); }
          });
          return;
        }
        queue.shift();
        encodePacket(packet).forEach((message) => this.engine.send(message));
      }
    }

    /** A socket went away: the connection closes with the last one. */
    _destroy() {
      for (const nsp in this.nsps) {
        if (this.nsps[nsp].active) { return; }
      }
      this._close();
    }

    _close() {
      const engine = this.engine;
      const wasOpen = this._readyState === "open";
      this._skipReconnect = true;
      this._reconnecting = false;
      clearTimeout(this._reconnectTimer);
      this._cleanup();
      this.backoff.reset();
      this._readyState = "closed";
      if (engine) {
        if (wasOpen) {
          // "close" once the engine has sent what it had, unless a new connection has been opened since.
          engine.once("close", (reason, description) => {
            if (this.engine === engine) { this._fire("close", reason, description); }
          });
        }
        engine.close();
      }
    }

    _onClose(reason, description) {
      this._cleanup();
      this.backoff.reset();
      this._readyState = "closed";
      this._fire("close", reason, description);
      if (this._reconnection && !this._skipReconnect) { this._reconnect(); }
    }

    _maybeReconnectOnOpen() {
      if (!this._reconnecting && this._reconnection && this.backoff.attempts === 0) { this._reconnect(); }
    }

    _reconnect() {
      if (this._reconnecting || this._skipReconnect) { return; }
      if (this.backoff.attempts >= this._reconnectionAttempts) {
        this.backoff.reset();
        this._fire("reconnect_failed");
        return;
      }
      this._reconnecting = true;
      this._reconnectTimer = setTimeout(() => {
        if (this._skipReconnect) { return; }
        this._fire("reconnect_attempt", this.backoff.attempts);
        if (this._skipReconnect) { return; }
        this.open((error) => {
          this._reconnecting = false;
          if (error) {
            this._reconnect();
            this._fire("reconnect_error", error);
          } else {
            const attempts = this.backoff.attempts;
            this.backoff.reset();
            this._fire("reconnect", attempts);
          }
        });
      }, this.backoff.duration());
    }
  }

  // ---------------------------------------------------------------------------------------------------
  // Socket

  /**
   * A connection to one namespace over a Manager. emit sends to the server; events from it reach the
   * listeners registered with on/once/onAny; connect, disconnect and connect_error are its own.
   */
  class Socket extends Emitter {
    constructor(io, nsp, opts) {
      super();
      Object.assign(this, { io, nsp, id: undefined, connected: false, recovered: false, auth: opts && opts.auth });
      Object.assign(this, { receiveBuffer: [], sendBuffer: [], ids: 0, acks: Object.create(null), flags: {} });
      this._opts = Object.assign({}, opts);
      this._anyListeners = [];
      this._subs = null;
      // Connection state recovery: the server's private id and the offset of the last event received.
      this._pid = undefined;
      this._lastOffset = undefined;
      if (io._autoConnect) { this.open(); }
    }

    get disconnected() { return !this.connected; }

    /** Whether the socket is subscribed to its Manager, i.e. it connects or reconnects by itself. */
    get active() { return !!this._subs; }

    /** The next emit is dropped if the socket is not connected, rather than buffered. */
    get volatile() {
      this.flags.volatile = true;
      return this;
    }

    /** The next emit's ack callback gets an Error first if no ack came within `ms`. */
    timeout(ms) {
      this.flags.timeout = ms;
      return this;
    }

    /** Kept for compatibility: compression is the transport's business. */
    compress() { return this; }

    connect() {
      if (this.connected) { return this; }
      this._subEvents();
      if (!this.io._reconnecting) { this.io.open(); }
      if (this.io._readyState === "open") { this._onOpen(); }
      return this;
    }

    open() { return this.connect(); }

    _subEvents() {
      if (this._subs) { return; }
      const io = this.io;
      this._subs = [
        subscribe(io, "open", () => this._onOpen()),
        subscribe(io, "packet", (packet) => this._onPacket(packet)),
        subscribe(io, "error", (error) => {
          if (!this.connected) { this._fire("connect_error", error); }
        }),
        subscribe(io, "close", (reason, description) => this._onClose(reason, description))
      ];
    }

    send(...args) { return this.emit("message", ...args); }

    /** Sends an event; a function as last argument receives the server's ack. */
    emit(event, ...args) {
      if (RESERVED[event] === 1) { throw new Error("\"" + event + "\" is a reserved event name"); }
      const data = [event, ...args];
      const packet = { type: EVENT, data };
      if (typeof data[data.length - 1] === "function") {
        const id = this.ids++;
        this._registerAck(id, data.pop());
        packet.id = id;
      }
      const flags = this.flags;
      this.flags = {};
      if (this.connected) {
        this._packet(packet);
      } else if (!flags.volatile) {
        this.sendBuffer.push(packet);
      }
      return this;
    }

    /** emit, answered by a Promise of the ack's first argument (rejected on timeout). */
    emitWithAck(event, ...args) {
      const withError = this.flags.timeout !== undefined || this._opts.ackTimeout !== undefined;
      return new Promise((resolve, reject) => {
        this.emit(event, ...args, (first, second) => {
          if (withError && first) {
            reject(first);
          } else {
            resolve(withError ? second : first);
          }
        });
      });
    }

    _registerAck(id, callback) {
      const timeout = this.flags.timeout !== undefined ? this.flags.timeout : this._opts.ackTimeout;
      if (timeout === undefined) {
        this.acks[id] = callback;
        return;
      }
      const timer = setTimeout(() => {
        delete this.acks[id];
        // Not sent yet: it is not sent at all, its caller has been told it failed.
        this.sendBuffer = this.sendBuffer.filter((packet) => packet.id !== id);
        callback.call(this, new Error("operation has timed out"));
      }, timeout);
      const wrapped = (...args) => {
        clearTimeout(timer);
        callback.apply(this, args);
      };
      // Such a callback takes an error first: null when the ack came.
      wrapped.withError = true;
      this.acks[id] = wrapped;
    }

    _packet(packet) {
      packet.nsp = this.nsp;
      this.io._packet(packet);
    }

    _onOpen() {
      if (typeof this.auth === "function") {
        this.auth((data) => this._sendConnect(data));
      } else {
        this._sendConnect(this.auth);
      }
    }

    _sendConnect(auth) {
      let data = auth;
      if (this._pid) {
        // Asks the server to recover the session: its private id, and where the events stopped.
        data = Object.assign({ pid: this._pid, offset: this._lastOffset }, auth);
      }
      this._packet(data === undefined ? { type: CONNECT } : { type: CONNECT, data });
    }

    _onPacket(packet) {
      if (packet.nsp !== this.nsp) { return; }
      switch (packet.type) {
        case CONNECT:
          if (packet.data && typeof packet.data.sid === "string") {
            this._onConnect(packet.data.sid, packet.data.pid);
          } else {
            this._fire("connect_error", new Error("the server answered CONNECT without a session id"));
          }
          break;
        case EVENT:
        case BINARY_EVENT:
          this._onEvent(packet);
          break;
        case ACK:
        case BINARY_ACK:
          this._onAck(packet);
          break;
        case DISCONNECT:
          this._destroy();
          this._onClose("io server disconnect");
          break;
        case CONNECT_ERROR: {
          this._destroy();
          const data = packet.data;
          const error = new Error(typeof data === "string" ? data : data.message);
          error.data = typeof data === "string" ? undefined : data.data;
          this._fire("connect_error", error);
          break;
        }
        default:
          break;
      }
    }

    _onConnect(id, pid) {
      this.id = id;
      this.recovered = !!pid && this._pid === pid;
      if (pid !== this._pid) {
        // A new session: an offset of the old one means nothing to it.
        this._lastOffset = undefined;
      }
      this._pid = pid || undefined;
      this.connected = true;
      this.receiveBuffer.splice(0).forEach((args) => this._emitEvent(args));
      this.sendBuffer.splice(0).forEach((packet) => this._packet(packet));
      this._fire("connect");
    }

    _onEvent(packet) {
      const args = packet.data;
      if (packet.id !== undefined) {
        args.push(this._ack(packet.id));
      } else if (this._pid && typeof args[args.length - 1] === "string") {
        // With recovery on, the server sends each event's offset as its last argument.
        this._lastOffset = args[args.length - 1];
      }
      if (this.connected) {
        this._emitEvent(args);
      } else {
        this.receiveBuffer.push(args);
      }
    }

    _emitEvent(args) {
      this._anyListeners.slice().forEach((fn) => call(fn, this, args));
      this._fire(...args);
    }

    /** The function a listener calls to ack an event of the server; only its first call counts. */
    _ack(id) {
      let sent = false;
      return (...data) => {
        if (!sent) {
          sent = true;
          this._packet({ type: ACK, id, data });
        }
      };
    }

    _onAck(packet) {
      const callback = this.acks[packet.id];
      if (typeof callback !== "function") { return; }
      delete this.acks[packet.id];
      call(callback, this, callback.withError ? [null].concat(packet.data) : packet.data);
    }

    _onClose(reason, description) {
      if (!this.connected) { return; }
      this.connected = false;
      this.id = undefined;
      this._fire("disconnect", reason, description);
      // Acks of packets sent on that connection will not come; those waiting in sendBuffer still may.
      const waiting = {};
      this.sendBuffer.forEach((packet) => { waiting[packet.id] = true; });
      for (const id in this.acks) {
        if (!waiting[id]) {
          const callback = this.acks[id];
          delete this.acks[id];
          if (callback.withError) { call(callback, this, [new Error("socket has been disconnected")]); }
        }
      }
    }

    _destroy() {
      if (this._subs) {
        this._subs.forEach((unsubscribe) => unsubscribe());
        this._subs = null;
        this.io._destroy(this);
      }
    }

    disconnect() {
      if (this.connected) { this._packet({ type: DISCONNECT }); }
      this._destroy();
      if (this.connected) { this._onClose("io client disconnect"); }
      return this;
    }

    close() { return this.disconnect(); }

    onAny(fn) {
      this._anyListeners.push(fn);
      return this;
    }

    prependAny(fn) {
      this._anyListeners.unshift(fn);
      return this;
    }

    offAny(fn) {
      if (fn === undefined) {
        this._anyListeners = [];
      } else {
        const i = this._anyListeners.indexOf(fn);
        if (i !== -1) { this._anyListeners.splice(i, 1); }
      }
      return this;
    }

    listenersAny() { return this._anyListeners.slice(); }
  }

  // ---------------------------------------------------------------------------------------------------
  // io()

  /** Splits a URL (absolute, protocol-relative, or a path on the page's origin) into origin and namespace. */
  function parseUri(uri) {
    const page = typeof location !== "undefined" ? location : null;
    let text = uri === undefined || uri === null ? "" : String(uri);
    if (text === "" || (text.charAt(0) === "/" && text.charAt(1) !== "/")) {
      if (!page) { throw new Error("io() without a URL needs a page to take its origin from"); }
      text = page.protocol + SLASHES + page.host + text;
    } else if (text.substring(0, 2) === SLASHES) {
      text = (page ? page.protocol : "https:") + text;
    } else if (text.indexOf(":" + SLASHES) === -1) {
      text = (page ? page.protocol : "https:") + SLASHES + text;
    }
    const url = new URL(text);
    const secure = url.protocol === "https:" || url.protocol === "wss:";
    const query = {};
    url.searchParams.forEach((value, key) => { query[key] = value; });
    return { origin: (secure ? "https:" : "http:") + SLASHES + url.host, host: url.host, secure,
      nsp: url.pathname || "/", query };
  }

  const cache = Object.create(null);

  /**
   * io(), io(url), io(url, options), io(options): the socket of the URL's namespace ("/" by default).
   * Sockets to one origin share one Manager, unless forceNew is set, multiplex is false, or that
   * namespace has a socket on it already.
   */
  function lookup(uri, opts) {
    if (uri && typeof uri === "object") {
      return lookup(undefined, uri);
    }
    opts = opts || {};
    const target = parseUri(uri);
    const key = target.origin + "|" + option(opts.path, "/socket.io/");
    const shared = cache[key];
    const fresh = opts.forceNew || opts["force new connection"] || opts.multiplex === false
      || (shared && target.nsp in shared.nsps);
    const managerOpts = Object.assign({}, opts, { query: Object.assign({}, target.query, opts.query) });
    let manager = shared;
    if (fresh) {
      manager = new Manager(target.origin, managerOpts);
    } else if (!shared) {
      manager = cache[key] = new Manager(target.origin, managerOpts);
    }
    return manager.socket(target.nsp, opts);
  }

  const io = Object.assign(lookup, { Manager, Socket, protocol: 5 });
  // The names other loaders look for: io.io, io.connect, io.default.
  Object.assign(io, { io, connect: io, default: io });

  const root = typeof globalThis !== "undefined" ? globalThis : typeof self !== "undefined" ? self
    : typeof window !== "undefined" ? window : {};
  root.io = io;
  if (typeof module === "object" && module && typeof module.exports === "object") { module.exports = io; }
})();
