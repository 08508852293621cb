package dev.parley.bench.reliability;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The example chat's normal users, as its page talks to it: a {@code nick} cookie, then over WebSocket
 * (Socket.IO: {@code join} the room, {@code chat} with an ack, {@code chat} messages back) or over SSE
 * ({@code GET /sse/<room>}, {@code POST /sse/<room>?sid=} with the token, {@code chat} events back). A
 * ledger remembers when each line (by its {@code cid}, a UUID as the page makes) was sent and in which
 * phase, whether it was acknowledged with a message id, and who received it: each receipt's latency
 * (receive time minus send time, one clock) goes to the phase's list.
 */
final class ChatUsers {
  static final String ROOM = "general";
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final Duration ACK_TIMEOUT = Duration.ofSeconds(30);

  /** When a line was sent, relative to the attack. */
  enum Phase { WARM_UP, ALONE, ATTACK, AFTER }

  record Sent(String from, long nanos, Phase phase) {
  }

  final Map<String, Sent> sent = new ConcurrentHashMap<>();
  final Set<String> acked = ConcurrentHashMap.newKeySet();
  /** The slowest receipt of a line sent during the attack. */
  record Slowest(long micros, String from, String to, long sentNanos) {
  }

  // Guarded by this.
  private @Nullable Slowest slowest;
  /** Lines not acknowledged with a message id: cid → what came instead. */
  final Map<String, String> unacked = new ConcurrentHashMap<>();
  final Map<Phase, ConcurrentLinkedQueue<Long>> latencyMicros = new ConcurrentHashMap<>();
  /** Every receipt of a line sent during the attack: {send time in nanos, latency in micros, 1 if over SSE}. */
  private final ConcurrentLinkedQueue<long[]> attackReceipts = new ConcurrentLinkedQueue<>();
  private final HttpClient http;
  private final URI base;
  volatile Phase phase = Phase.WARM_UP;

  ChatUsers(HttpClient http, URI base) {
    this.http = http;
    this.base = base;
    for (Phase p : Phase.values()) {
      latencyMicros.put(p, new ConcurrentLinkedQueue<>());
    }
  }

  /** A WebSocket user in {@link #ROOM}, once it has joined. */
  User webSocket(String nick) throws Exception {
    return webSocket(nick, true);
  }

  /**
   * A WebSocket user in {@link #ROOM}, once it has joined; its receipts count in the latency figures if
   * {@code measured} (not for a user who joins late and gets lines from the room's history).
   */
  User webSocket(String nick, boolean measured) throws Exception {
    WsUser user = new WsUser(nick);
    user.measured = measured;
    URI uri = URI.create(base.toString().replaceFirst("^http", "ws") + "/socket.io/?EIO=4&transport=websocket");
    http.newWebSocketBuilder().header("Cookie", "nick=" + nick).connectTimeout(Duration.ofSeconds(20))
        .buildAsync(uri, user).whenComplete((ws, error) -> {
          if (error != null) {
            user.connected.completeExceptionally(error);
          }
        });
    user.connected.get(30, TimeUnit.SECONDS);
    String joined = user.emitWithAck("[\"join\",\"" + ROOM + "\"]").get(30, TimeUnit.SECONDS);
    if (!joined.equals("[\"ok\"]")) {
      throw new IllegalStateException(nick + " could not join: " + joined);
    }
    return user;
  }

  /** An SSE user with a stream on {@code /sse/}{@link #ROOM}, once the stream has opened. */
  User sse(String nick) throws Exception {
    return sse(nick, true);
  }

  /** An SSE user, as {@link #webSocket(String, boolean)}. */
  User sse(String nick, boolean measured) throws Exception {
    SseUser user = new SseUser(nick);
    user.measured = measured;
    HttpRequest request = HttpRequest.newBuilder(base.resolve("/sse/" + ROOM))
        .header("Accept", "text/event-stream").header("Cookie", "nick=" + nick).build();
    http.sendAsync(request, HttpResponse.BodyHandlers.fromLineSubscriber(user)).whenComplete((response, error) -> {
      if (error != null) {
        user.ended("stream failed: " + error);
      } else if (response.statusCode() != 200) {
        user.ended("stream answered HTTP " + response.statusCode());
      }
    });
    user.opened.get(30, TimeUnit.SECONDS);
    return user;
  }

  /** One user; {@link #say} sends a line to {@link #ROOM} and completes with the ack's first value. */
  abstract class User {
    final String nick;
    final Set<String> received = ConcurrentHashMap.newKeySet();
    final AtomicLong lines = new AtomicLong();
    volatile @Nullable String end;
    /** Whether its receipts count in the latency figures. */
    volatile boolean measured = true;

    User(String nick) {
      this.nick = nick;
    }

    /** Sends a new line; the ledger records it and its answer. Returns its cid. */
    String say() {
      String cid = UUID.randomUUID().toString();
      long n = lines.incrementAndGet();
      sent.put(cid, new Sent(nick, System.nanoTime(), phase));
      ObjectNode line = JsonNodeFactory.instance.objectNode().put("room", ROOM)
          .put("text", "line " + n + " from " + nick).put("cid", cid);
      send(line).orTimeout(ACK_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).whenComplete((ack, error) -> {
        if (error != null) {
          unacked.put(cid, error instanceof java.util.concurrent.TimeoutException ? "no ack within "
              + ACK_TIMEOUT.toSeconds() + " s" : String.valueOf(error));
        } else if (ack.startsWith("\"")) {
          acked.add(cid);
        } else {
          unacked.put(cid, ack);
        }
      });
      return cid;
    }

    /** Sends {@code line} and completes with the ack's first value as JSON text, or an HTTP status. */
    abstract CompletableFuture<String> send(ObjectNode line);

    abstract void close();

    void chat(@Nullable String cid) {
      if (cid == null) {
        return;
      }
      Sent s = sent.get(cid);
      if (s != null && received.add(cid) && measured) {
        long micros = (System.nanoTime() - s.nanos()) / 1_000;
        latencyMicros.get(s.phase()).add(micros);
        if (s.phase() == Phase.ATTACK) {
          attackReceipts.add(new long[] {s.nanos(), micros, this instanceof SseUser ? 1 : 0});
          synchronized (ChatUsers.this) {
            if (slowest == null || micros > slowest.micros()) {
              slowest = new Slowest(micros, s.from(), nick, s.nanos());
            }
          }
        }
      }
    }

    void ended(String how) {
      if (end == null) {
        end = how;
      }
    }
  }

  private final class WsUser extends User implements WebSocket.Listener {
    final CompletableFuture<Void> connected = new CompletableFuture<>();
    private final Map<Integer, CompletableFuture<String>> acks = new ConcurrentHashMap<>();
    private final AtomicInteger nextAck = new AtomicInteger();
    private final StringBuilder partial = new StringBuilder();
    private volatile @Nullable WebSocket socket;
    // Sends chained one after another, as the JDK WebSocket wants them, without blocking a thread.
    private CompletableFuture<?> sending = CompletableFuture.completedFuture(null);

    WsUser(String nick) {
      super(nick);
    }

    CompletableFuture<String> emitWithAck(String jsonArray) {
      int id = nextAck.getAndIncrement();
      CompletableFuture<String> reply = new CompletableFuture<>();
      acks.put(id, reply);
      text("42" + id + jsonArray).exceptionally(e -> {
        reply.completeExceptionally(e);
        return null;
      });
      return reply;
    }

    private synchronized CompletableFuture<?> text(String text) {
      WebSocket ws = socket;
      sending = sending.handle((r, e) -> null).thenCompose(v -> ws.sendText(text, true));
      return sending;
    }

    @Override
    CompletableFuture<String> send(ObjectNode line) {
      return emitWithAck("[\"chat\"," + line + "]").thenApply(ack -> {
        JsonNode array = JSON.readTree(ack);
        return array.size() > 0 ? array.get(0).toString() : ack;
      });
    }

    @Override
    void close() {
      WebSocket ws = socket;
      if (ws != null) {
        ws.abort();
      }
    }

    @Override
    public void onOpen(WebSocket webSocket) {
      socket = webSocket;
      webSocket.request(1);
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        String text = partial.toString();
        partial.setLength(0);
        try {
          receive(text);
        } catch (RuntimeException e) {
          ended("could not read " + text.substring(0, Math.min(80, text.length())) + ": " + e);
        }
      }
      webSocket.request(1);
      return null;
    }

    private void receive(String text) {
      if (text.startsWith("42")) {
        JsonNode array = JSON.readTree(text.substring(2));
        if (array.path(0).asString("").equals("chat")) {
          chat(array.path(1).path("cid").asString(null));
        }
      } else if (text.startsWith("43")) {
        int bracket = text.indexOf('[');
        CompletableFuture<String> reply = acks.remove(Integer.parseInt(text.substring(2, bracket)));
        if (reply != null) {
          reply.complete(text.substring(bracket));
        }
      } else if (text.equals("2")) {
        text("3");
      } else if (text.startsWith("0{")) {
        text("40");
      } else if (text.startsWith("40")) {
        connected.complete(null);
      } else if (text.startsWith("44")) {
        connected.completeExceptionally(new IllegalStateException("connect refused: " + text));
      } else if (text.startsWith("41")) {
        ended("disconnected by the server (41)");
      }
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
      ended("close " + statusCode + " " + reason);
      connected.completeExceptionally(new IllegalStateException("closed " + statusCode + " " + reason));
      acks.values().forEach(f -> f.completeExceptionally(new IllegalStateException("closed " + statusCode)));
      return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
      ended("error " + error);
      connected.completeExceptionally(error);
      acks.values().forEach(f -> f.completeExceptionally(error));
    }
  }

  private final class SseUser extends User implements Flow.Subscriber<String> {
    final CompletableFuture<Void> opened = new CompletableFuture<>();
    private volatile Flow.@Nullable Subscription subscription;
    private volatile @Nullable String session;
    private volatile @Nullable String token;
    private @Nullable String event;
    private final StringBuilder data = new StringBuilder();

    SseUser(String nick) {
      super(nick);
    }

    @Override
    CompletableFuture<String> send(ObjectNode line) {
      ObjectNode body = JsonNodeFactory.instance.objectNode().put("event", "chat");
      body.putArray("args").add(line);
      body.put("ack", true);
      HttpRequest request = HttpRequest.newBuilder(base.resolve("/sse/" + ROOM + "?sid=" + session))
          .header("Content-Type", "application/json").header("X-Parley-Token", String.valueOf(token))
          .timeout(ACK_TIMEOUT)
          .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build();
      return http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).thenApply(response -> {
        if (response.statusCode() != 200) {
          return "HTTP " + response.statusCode() + " " + response.body();
        }
        JsonNode array = JSON.readTree(response.body());
        return array.size() > 0 ? array.get(0).toString() : response.body();
      });
    }

    @Override
    void close() {
      Flow.Subscription s = subscription;
      if (s != null) {
        s.cancel();
      }
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
      this.subscription = subscription;
      subscription.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(String line) {
      if (line.isEmpty()) {
        dispatch();
      } else if (line.startsWith("event:")) {
        event = line.substring(6).strip();
      } else if (line.startsWith("data:")) {
        if (data.length() > 0) {
          data.append('\n');
        }
        data.append(line.substring(line.startsWith("data: ") ? 6 : 5));
      }
    }

    private void dispatch() {
      String name = event;
      String text = data.toString();
      event = null;
      data.setLength(0);
      try {
        if ("parley:session".equals(name)) {
          JsonNode hello = JSON.readTree(text);
          session = hello.path("session").asString();
          token = hello.path("token").asString();
          opened.complete(null);
        } else if ("chat".equals(name)) {
          chat(JSON.readTree(text).path("cid").asString(null));
        } else if ("parley:disconnect".equals(name)) {
          ended("parley:disconnect " + text);
        }
      } catch (RuntimeException e) {
        ended("could not read " + name + ": " + e);
      }
    }

    @Override
    public void onError(Throwable error) {
      ended("stream error " + error);
      opened.completeExceptionally(error);
    }

    @Override
    public void onComplete() {
      ended("stream ended");
      opened.completeExceptionally(new IllegalStateException("the stream ended"));
    }
  }

  /** p50, p99 and max of a phase's latencies in ms, and how many there were. */
  String latency(Phase p) {
    long[] all = latencyMicros.get(p).stream().mapToLong(Long::longValue).sorted().toArray();
    if (all.length == 0) {
      return "–";
    }
    return String.format(java.util.Locale.ROOT, "%.1f / %.1f / %.1f ms (%,d receipts)", all[all.length / 2] / 1000.0,
        all[(int) Math.min(all.length - 1, all.length * 0.99)] / 1000.0, all[all.length - 1] / 1000.0, all.length);
  }

  /**
   * The p99 latency of lines sent during the attack, by when they were sent: {@code 0–15 s 40 ms, 15–30 s …}.
   */
  String attackTimeline(long attackStartNanos, int bucketSeconds) {
    Map<Long, List<Long>> buckets = new java.util.TreeMap<>();
    for (long[] r : attackReceipts) {
      buckets.computeIfAbsent((r[0] - attackStartNanos) / 1_000_000_000L / bucketSeconds, b -> new ArrayList<>())
          .add(r[1]);
    }
    List<String> parts = new ArrayList<>();
    buckets.forEach((bucket, micros) -> {
      long[] all = micros.stream().mapToLong(Long::longValue).sorted().toArray();
      parts.add(String.format(java.util.Locale.ROOT, "%d–%d s %.0f", bucket * bucketSeconds, (bucket + 1) * bucketSeconds,
          all[(int) Math.min(all.length - 1, all.length * 0.99)] / 1000.0));
    });
    return String.join(", ", parts) + " ms";
  }

  /** The p99 of receipts over WebSocket and over SSE of lines sent during the attack. */
  String attackByTransport() {
    List<String> parts = new ArrayList<>();
    for (int sse = 0; sse <= 1; sse++) {
      int t = sse;
      long[] all = attackReceipts.stream().filter(r -> r[2] == t).mapToLong(r -> r[1]).sorted().toArray();
      if (all.length > 0) {
        parts.add(String.format(java.util.Locale.ROOT, "%s receivers %.0f ms", t == 1 ? "SSE" : "WebSocket",
            all[(int) Math.min(all.length - 1, all.length * 0.99)] / 1000.0));
      }
    }
    return String.join(", ", parts);
  }

  /** The slowest receipt during the attack, as text. */
  synchronized String slowest(long attackStartNanos) {
    return slowest == null ? "–" : String.format(java.util.Locale.ROOT, "%.1f s, a line from %s to %s sent %.1f s "
        + "into the attack", slowest.micros() / 1e6, slowest.from(), slowest.to(),
        (slowest.sentNanos() - attackStartNanos) / 1e9);
  }

  /** The p99 of a phase's latencies in ms; -1 if none. */
  double p99Millis(Phase p) {
    long[] all = latencyMicros.get(p).stream().mapToLong(Long::longValue).sorted().toArray();
    return all.length == 0 ? -1 : all[(int) Math.min(all.length - 1, all.length * 0.99)] / 1000.0;
  }

  /** For each acknowledged line, the users that did not receive it: nick → how many they missed. */
  Map<String, Integer> missing(List<User> users) {
    Map<String, Integer> missing = new java.util.TreeMap<>();
    for (User user : users) {
      int n = 0;
      for (String cid : acked) {
        if (!user.received.contains(cid)) {
          n++;
        }
      }
      if (n > 0) {
        missing.put(user.nick + (user.end == null ? "" : " (" + user.end + ")"), n);
      }
    }
    return missing;
  }

  /** Receipts of acknowledged lines over all users. */
  long delivered(List<User> users) {
    long n = 0;
    for (User user : users) {
      for (String cid : acked) {
        if (user.received.contains(cid)) {
          n++;
        }
      }
    }
    return n;
  }

  static List<String> nicks(List<User> users) {
    List<String> nicks = new ArrayList<>();
    users.forEach(u -> nicks.add(u.nick));
    return nicks;
  }
}
