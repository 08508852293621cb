const ROOMS = ["general", "random", "help"];
const $ = (id) => document.getElementById(id);
// lastId: the id of the newest line shown (SSE gives ids), so a reconnect resumes right after it.
// generation: bumped by every connect and disconnect, so a link that was replaced is ignored.
// online: who is in the room, from the list the server sends on entering, then its joined/left changes.
const state = { room: "general", transport: "websocket", link: null, lastId: null, generation: 0, typingTimers: new Map(),
  online: new Set() };

// ---- sign in: a cookie the server's middleware checks ----

function nickname() {
  const match = document.cookie.match(/(?:^|;\s*)nick=([^;]*)/);
  return match ? decodeURIComponent(match[1]) : null;
}

$("signin-form").addEventListener("submit", (e) => {
  e.preventDefault();
  const nick = $("nick").value.trim();
  if (!nick) return;
  document.cookie = `nick=${encodeURIComponent(nick)}; path=/; SameSite=Lax`;
  start();
});

function start() {
  $("signin").hidden = true;
  $("chat").hidden = false;
  $("me").textContent = nickname();
  // A reload may keep the radio the user had chosen: use what it shows.
  state.transport = document.querySelector('input[name="transport"]:checked').value;
  renderRooms();
  connect();
}

// ---- rendering ----

function renderRooms() {
  $("rooms").replaceChildren(...ROOMS.map((room) => {
    const li = document.createElement("li");
    li.textContent = "#" + room;
    li.dataset.room = room;
    li.className = room === state.room ? "active" : "";
    li.addEventListener("click", () => switchRoom(room));
    return li;
  }));
  $("room-title").textContent = "#" + state.room;
}

function clearMessages() {
  $("messages").replaceChildren();
  state.lastId = null;
}

function showMessage(message, id) {
  if (id) state.lastId = id;
  clearTyping(message.from);
  let li = message.cid ? document.querySelector(`#messages li[data-cid="${CSS.escape(message.cid)}"]`) : null;
  if (li && !li.classList.contains("pending")) return;           // already shown: a replay overlap
  if (!li) {
    li = document.createElement("li");
    li.className = "message";
    li.dataset.cid = message.cid || "";
    li.innerHTML = '<span class="from"></span><span class="text"></span>';
    li.querySelector(".from").textContent = message.from;
    li.querySelector(".text").textContent = message.text;
  }
  li.classList.remove("pending");
  if (id) li.dataset.id = id;
  $("messages").append(li);                                       // the server's order, for everyone
  li.scrollIntoView({ block: "end" });
}

function showPending(cid, text) {
  const li = document.createElement("li");
  li.className = "message pending mine";
  li.dataset.cid = cid;
  li.innerHTML = '<span class="from"></span><span class="text"></span>';
  li.querySelector(".from").textContent = nickname();
  li.querySelector(".text").textContent = text;
  $("messages").append(li);
  return li;
}

// "x is typing…" stays this long after x's last typing event (a typist announces itself at most once a
// second): the indicator's data-clears-after-ms, read each time, so a page (or a test) can change it.
function typingClearsAfterMs() {
  return Number($("typing").dataset.clearsAfterMs) || 3000;
}

function showTyping(from) {
  if (from === nickname()) return;
  clearTimeout(state.typingTimers.get(from));
  state.typingTimers.set(from, setTimeout(() => clearTyping(from), typingClearsAfterMs()));
  renderTyping();
}

function clearTyping(from) {
  clearTimeout(state.typingTimers.get(from));
  if (state.typingTimers.delete(from)) renderTyping();
}

function renderTyping() {
  const names = [...state.typingTimers.keys()];
  $("typing").textContent = names.length ? `${names.join(", ")} ${names.length > 1 ? "are" : "is"} typing…` : "";
}

function showPresence(users) {
  state.online = new Set(users);
  renderOnline();
}

function showJoined(user) {
  state.online.add(user);
  renderOnline();
}

function showLeft(user) {
  state.online.delete(user);
  renderOnline();
}

function renderOnline() {
  const names = [...state.online].sort();
  $("online").replaceChildren(...names.map((name) => Object.assign(document.createElement("li"), { textContent: name })));
}

function setStatus(text) {
  $("status").textContent = text;
  $("connection").textContent = state.link ? "Disconnect" : "Connect";
}

// ---- links: the same chat over WebSocket (Socket.IO v5) or Server-Sent Events ----

// The WebSocket mode uses the Socket.IO client the server serves at /socket.io/socket.io.js (the global io,
// loaded by index.html): it opens with HTTP long-polling and upgrades to WebSocket. It does not reconnect by
// itself: as with SSE's "parley:disconnect", a closed link shows "disconnected" and Connect joins again.
async function webSocketLink(room, events) {
  const socket = io({ reconnection: false });
  // The client keeps an ack waiting after its link closed; settle it then, so a line sent just before
  // stays pending (no tick) and a join cut short fails the connect.
  let fail;
  const closed = new Promise((resolve, reject) => { fail = reject; });
  closed.catch(() => {});
  const ask = (event, ...args) => Promise.race([socket.emitWithAck(event, ...args), closed]);
  socket.on("chat", (message) => events.chat(message, null));
  socket.on("typing", (typing) => events.typing(typing.from));
  socket.on("presence", (presence) => events.presence(presence.users));
  socket.on("joined", (joined) => events.joined(joined.user));
  socket.on("left", (left) => events.left(left.user));
  socket.on("disconnect", () => { fail(new Error("disconnected")); events.closed(); });
  try {
    // connect_error: refused by the server's middleware (its message, e.g. "sign in first"), or unreachable.
    await new Promise((resolve, reject) => {
      socket.once("connect", resolve);
      socket.once("connect_error", reject);
    });
    await ask("join", room);
  } catch (error) {
    socket.disconnect();
    throw error;
  }
  return {
    send: (line) => ask("chat", line),
    typing: () => socket.volatile.emit("typing", room),       // not worth sending late
    close: () => socket.disconnect(),
  };
}

function sseLink(room, last, events) {
  return new Promise((resolve, reject) => {
    const stream = new EventSource(`/sse/${room}` + (last ? `?lastEventId=${encodeURIComponent(last)}` : ""));
    let session = null;
    const post = async (event, args, ack) => {
      const response = await fetch(`/sse/${room}?sid=${session.session}`, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-Parley-Token": session.token },
        body: JSON.stringify({ event, args, ack }),
      });
      return response.status === 200 ? (await response.json())[0] : null;
    };
    stream.addEventListener("parley:session", (e) => {
      // Also after the EventSource reconnected by itself (sending Last-Event-ID): a new session.
      if (session) events.reconnected();
      session = JSON.parse(e.data);
      resolve({
        send: (line) => post("chat", [line], true),
        typing: () => post("typing", [room], false),
        close: () => stream.close(),
      });
    });
    stream.addEventListener("chat", (e) => events.chat(JSON.parse(e.data), e.lastEventId));
    stream.addEventListener("typing", (e) => events.typing(JSON.parse(e.data).from));
    stream.addEventListener("presence", (e) => events.presence(JSON.parse(e.data).users));
    stream.addEventListener("joined", (e) => events.joined(JSON.parse(e.data).user));
    stream.addEventListener("left", (e) => events.left(JSON.parse(e.data).user));
    stream.addEventListener("parley:disconnect", () => { stream.close(); events.closed(); });
    stream.addEventListener("error", () => {
      if (!session) { stream.close(); reject(new Error("the server refused the stream")); }
      else if (stream.readyState === EventSource.CLOSED) events.closed();   // the browser gave up
      else events.reconnecting();                                          // it retries by itself
    });
  });
}

async function connect() {
  disconnect();
  const generation = state.generation;
  const current = () => generation === state.generation;
  // Events of a link that was replaced (a room or transport switch, Disconnect) are dropped.
  const events = {
    chat: (message, id) => current() && showMessage(message, id),
    typing: (from) => current() && showTyping(from),
    presence: (users) => current() && showPresence(users),
    joined: (user) => current() && showJoined(user),
    left: (user) => current() && showLeft(user),
    reconnecting: () => current() && setStatus("reconnecting…"),
    reconnected: () => current() && setStatus(`connected (${state.transport})`),
    closed: () => { if (current()) { state.link = null; setStatus("disconnected"); } },
  };
  // SSE resumes after the last line shown. Without a resume point the server replays the room's last
  // 50 lines: start from an empty list, so a line is never shown twice.
  const resumeAfter = state.transport === "sse" ? state.lastId : null;
  if (!resumeAfter) clearMessages();
  setStatus("connecting…");
  try {
    const link = state.transport === "sse"
      ? await sseLink(state.room, resumeAfter, events)
      : await webSocketLink(state.room, events);
    if (!current()) { link.close(); return; }
    state.link = link;
    setStatus(`connected (${state.transport})`);
  } catch (error) {
    if (current()) setStatus("disconnected: " + error.message);
  }
}

function disconnect() {
  state.generation++;
  if (state.link) {
    const link = state.link;
    state.link = null;
    link.close();
  }
  setStatus("disconnected");
}

function switchRoom(room) {
  if (room === state.room) return;
  state.room = room;
  clearMessages();
  renderRooms();
  connect();
}

document.querySelectorAll('input[name="transport"]').forEach((radio) =>
  radio.addEventListener("change", () => { state.transport = radio.value; connect(); }));

$("connection").addEventListener("click", () => (state.link ? disconnect() : connect()));

// Leaving the page may keep it in the back/forward cache with its stream open, holding one of the
// browser's few connections to the server (six per host over HTTP/1.1): close the link, and connect
// again if the page is shown from that cache.
window.addEventListener("pagehide", () => disconnect());
window.addEventListener("pageshow", (e) => { if (e.persisted && nickname()) connect(); });

let lastTyping = 0;
$("text").addEventListener("input", () => {
  if (state.link && Date.now() - lastTyping > 1000) {
    lastTyping = Date.now();
    state.link.typing();
  }
});

$("composer").addEventListener("submit", async (e) => {
  e.preventDefault();
  const text = $("text").value.trim();
  if (!text || !state.link) return;
  $("text").value = "";
  lastTyping = 0;                      // the line clears our "typing…" in the other pages: announce the next one
  const cid = crypto.randomUUID ? crypto.randomUUID() : String(Math.random()).slice(2);
  const li = showPending(cid, text);
  // The answer is the stored line's id, or {error} if the server refused the line. No answer (the link
  // closed first): the line stays pending, without a tick.
  const answer = await state.link.send({ room: state.room, text, cid }).catch(() => null);
  if (typeof answer === "string") {
    li.dataset.id = li.dataset.id || answer;
    if (!li.querySelector(".tick")) li.append(Object.assign(document.createElement("span"), { className: "tick", textContent: "✓" }));
  } else if (answer && answer.error) {
    li.classList.remove("pending");
    li.classList.add("refused");
    li.append(Object.assign(document.createElement("span"), { className: "refusal", textContent: "not sent: " + answer.error }));
  }
});

if (nickname()) {
  $("nick").value = nickname();
  start();
}
