// TypeScript declarations for Parley's browser client: the global `io` that
// <script src="/socket.io/socket.io.js"></script> defines. Save this file (served at /socket.io/socket.io.d.ts)
// beside your sources and add it to the program: `/// <reference path="socket.io.d.ts" />`, or list it in
// tsconfig.json's "files". It declares globals only (no import, no export), as the script does.
//
// Event maps type both directions, the listen events first:
//
//   interface ServerToClient { chat: (from: string, text: string) => void; }
//   interface ClientToServer { say: (text: string, ack: (id: number) => void) => void; }
//   const socket = io<ServerToClient, ClientToServer>();
//   socket.on("chat", (from, text) => { ... });
//   socket.emit("say", "hello", (id) => { ... });
//   const id: number = await socket.timeout(5000).emitWithAck("say", "hello");

/**
 * Opens a socket to a namespace of a Socket.IO server: `io()` to the page's own server, `io("/admin")` to a
 * namespace of it, `io("https://chat.example.com/admin", options)` to another server. Sockets to one server
 * share a {@link io.Manager} (one connection) unless `forceNew` is set or `multiplex` is false.
 */
declare function io<
  ListenEvents extends io.EventsMap = io.DefaultEventsMap,
  EmitEvents extends io.EventsMap = ListenEvents,
>(uri?: string, options?: Partial<io.Options>): io.Socket<ListenEvents, EmitEvents>;

declare namespace io {
  /** The Socket.IO protocol revision the client speaks. */
  const protocol: number;

  /** Event names mapped to listener signatures: `{ chat: (text: string) => void }`. */
  interface EventsMap {
    [event: string]: any;
  }

  /** The map of a socket created without type arguments: any event, any arguments. */
  interface DefaultEventsMap {
    [event: string]: (...args: any[]) => void;
  }

  /** The names of a map's events. */
  type EventNames<Map extends EventsMap> = keyof Map & string;

  /** The arguments of an event of a map, an acknowledgement callback last where it takes one. */
  type EventParams<Map extends EventsMap, Ev extends EventNames<Map>> = Parameters<Map[Ev]>;

  /** All the arguments but the last (the acknowledgement callback). */
  type AllButLast<Args extends any[]> = Args extends [...infer Head, any] ? Head : any[];

  /** The last argument (the acknowledgement callback). */
  type Last<Args extends any[]> = Args extends [...any[], infer Tail] ? Tail : any;

  /** The first argument of a callback: the value an acknowledgement's promise resolves to. */
  type FirstArg<Callback> = Callback extends (first: infer First, ...rest: any[]) => any ? First : any;

  /** The arguments of an emit under `timeout(ms)`: its acknowledgement callback gets an error (or null) first. */
  type TimeoutParams<Args extends any[]> = Args extends [...infer Head, infer Ack]
    ? Ack extends (...reply: infer Reply) => infer Result
      ? [...Head, (err: Error | null, ...reply: Reply) => Result]
      : Args
    : Args;

  /** The listener for an event: a reserved event's own, else the map's. */
  type Listener<Reserved, Map extends EventsMap, Ev> = Ev extends keyof Reserved
    ? Reserved[Ev]
    : Ev extends EventNames<Map>
      ? Map[Ev]
      : never;

  /** Why a socket disconnected. */
  type DisconnectReason =
    | "io server disconnect"
    | "io client disconnect"
    | "ping timeout"
    | "transport close"
    | "transport error"
    | "parse error";

  /** The events every socket emits itself. */
  interface SocketReservedEvents {
    /** Connected to the namespace (again, after a reconnection). */
    connect: () => void;
    /** A connection attempt failed; `data` is what a server middleware's refusal carried. */
    connect_error: (err: Error & { data?: any }) => void;
    /** Disconnected; unless the reason is "io server disconnect" or "io client disconnect", it reconnects. */
    disconnect: (reason: DisconnectReason, description?: unknown) => void;
  }

  /** The events of a connection (a manager). */
  interface ManagerReservedEvents {
    open: () => void;
    close: (reason: string) => void;
    error: (err: Error) => void;
    ping: () => void;
    reconnect: (attempt: number) => void;
    reconnect_attempt: (attempt: number) => void;
    reconnect_error: (err: Error) => void;
    reconnect_failed: () => void;
  }

  /** The options of a connection, shared by its sockets. */
  interface ManagerOptions {
    /** The server's Socket.IO path; default "/socket.io/". */
    path: string;
    /** Query parameters sent with every request. */
    query: { [key: string]: string | number | boolean };
    /** The transports to try, in order; default ["polling", "websocket"]. */
    transports: ("polling" | "websocket")[];
    /** Whether to upgrade from polling to WebSocket; default true. */
    upgrade: boolean;
    /** Whether to reconnect after losing the connection; default true. */
    reconnection: boolean;
    /** How many reconnection attempts before giving up; default Infinity. */
    reconnectionAttempts: number;
    /** The first delay between attempts, in ms, doubled each time; default 1000. */
    reconnectionDelay: number;
    /** The longest delay between attempts, in ms; default 5000. */
    reconnectionDelayMax: number;
    /** How much each delay is randomized (0 to 1); default 0.5. */
    randomizationFactor: number;
    /** How long a connection attempt may take, in ms; default 20000. */
    timeout: number;
    /** Whether `io()` connects at once (else call `connect()`); default true. */
    autoConnect: boolean;
    /** Whether polling requests to another origin carry cookies; default false. */
    withCredentials: boolean;
  }

  /** The options of a socket. */
  interface SocketOptions {
    /** Sent with the namespace's CONNECT: an object, or a function that hands one to its callback. */
    auth: { [key: string]: any } | ((callback: (data: { [key: string]: any }) => void) => void);
    /** The default timeout of `emitWithAck`, in ms. */
    ackTimeout: number;
  }

  /** The options of `io()`. */
  interface Options extends ManagerOptions, SocketOptions {
    /** A new connection, not shared with the other sockets to the same server; default false. */
    forceNew: boolean;
    /** Whether sockets to one server share a connection; default true. */
    multiplex: boolean;
  }

  /** A connection to a server, carrying the sockets of its namespaces. */
  class Manager {
    private constructor();

    /** Adds a listener. */
    on<Ev extends keyof ManagerReservedEvents>(event: Ev, listener: ManagerReservedEvents[Ev]): this;

    /** Adds a listener called once. */
    once<Ev extends keyof ManagerReservedEvents>(event: Ev, listener: ManagerReservedEvents[Ev]): this;

    /** Removes a listener, every listener of the event, or every listener. */
    off<Ev extends keyof ManagerReservedEvents>(event?: Ev, listener?: ManagerReservedEvents[Ev]): this;
  }

  /** A socket under `timeout(ms)`: acknowledgements that do not come in time fail. */
  interface TimeoutSocket<ListenEvents extends EventsMap, EmitEvents extends EventsMap> {
    /** Emits an event; its acknowledgement callback gets an error first, null when the reply came. */
    emit<Ev extends EventNames<EmitEvents>>(
      event: Ev,
      ...args: TimeoutParams<EventParams<EmitEvents, Ev>>
    ): Socket<ListenEvents, EmitEvents>;

    /** Emits an event; the promise resolves to the reply's first argument, or rejects when none came in time. */
    emitWithAck<Ev extends EventNames<EmitEvents>>(
      event: Ev,
      ...args: AllButLast<EventParams<EmitEvents, Ev>>
    ): Promise<FirstArg<Last<EventParams<EmitEvents, Ev>>>>;
  }

  /** A socket in one namespace. */
  class Socket<ListenEvents extends EventsMap = DefaultEventsMap, EmitEvents extends EventsMap = ListenEvents> {
    private constructor();

    /** The session id while connected, else undefined. */
    readonly id: string | undefined;
    /** Whether the socket is connected to its namespace. */
    readonly connected: boolean;
    /** Whether it is not. */
    readonly disconnected: boolean;
    /** Whether the last connection recovered the session (its rooms and the packets missed meanwhile). */
    readonly recovered: boolean;
    /** The connection carrying the socket. */
    readonly io: Manager;
    /** The socket for the next emit only: the packet is dropped if it cannot be sent now. */
    readonly volatile: this;
    /** The CONNECT's auth payload, as in the options. */
    auth: { [key: string]: any } | ((callback: (data: { [key: string]: any }) => void) => void);

    /** Connects (again); `io()` does this by itself unless `autoConnect` is false. */
    connect(): this;

    /** The same as `connect()`. */
    open(): this;

    /** Disconnects, and does not reconnect. */
    disconnect(): this;

    /** The same as `disconnect()`. */
    close(): this;

    /** Emits the event "message". */
    send(...args: any[]): this;

    /** Emits an event; a function as the last argument is called with the server's acknowledgement. */
    emit<Ev extends EventNames<EmitEvents>>(event: Ev, ...args: EventParams<EmitEvents, Ev>): this;

    /** Emits an event; the promise resolves to the acknowledgement's first argument. */
    emitWithAck<Ev extends EventNames<EmitEvents>>(
      event: Ev,
      ...args: AllButLast<EventParams<EmitEvents, Ev>>
    ): Promise<FirstArg<Last<EventParams<EmitEvents, Ev>>>>;

    /** The socket with a deadline of `ms` milliseconds for the acknowledgement of the next emit. */
    timeout(ms: number): TimeoutSocket<ListenEvents, EmitEvents>;

    /** Adds a listener for an event. */
    on<Ev extends keyof SocketReservedEvents | EventNames<ListenEvents>>(
      event: Ev,
      listener: Listener<SocketReservedEvents, ListenEvents, Ev>,
    ): this;

    /** Adds a listener called once. */
    once<Ev extends keyof SocketReservedEvents | EventNames<ListenEvents>>(
      event: Ev,
      listener: Listener<SocketReservedEvents, ListenEvents, Ev>,
    ): this;

    /** Removes a listener, every listener of the event, or every listener. */
    off<Ev extends keyof SocketReservedEvents | EventNames<ListenEvents>>(
      event?: Ev,
      listener?: Listener<SocketReservedEvents, ListenEvents, Ev>,
    ): this;

    /** Adds a listener for every event received. */
    onAny(listener: (event: string, ...args: any[]) => void): this;

    /** Adds a listener for every event received, before the others. */
    prependAny(listener: (event: string, ...args: any[]) => void): this;

    /** Removes a catch-all listener, or all of them. */
    offAny(listener?: (event: string, ...args: any[]) => void): this;
  }
}
