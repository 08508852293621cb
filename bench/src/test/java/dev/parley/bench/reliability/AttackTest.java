package dev.parley.bench.reliability;

import static org.awaitility.Awaitility.await;

import dev.parley.bench.reliability.ChatUsers.Phase;
import dev.parley.bench.reliability.ChatUsers.User;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.assertj.core.api.SoftAssertions;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 13, "bounded in bytes", against the example chat as it ships: the app ({@code ChatApp}) in a JVM
 * of its own with {@code -Xmx256m} and its default settings, on 127.0.0.1, while ten kinds of attack run at
 * once, several attackers each, and 20 normal users chat in {@code #general} (half over WebSocket, half
 * over SSE, through the example's own events, as its page does). Each attack kind comes from a loopback
 * address of its own (127.0.0.11 and up; the normal users are 127.0.0.1), as distinct attackers would, so
 * that per-address limits apply to the attackers and not to the users.
 *
 * <ol>
 *   <li>Engine.IO pings of 900 KB ({@code "2"} + payload), back to back, from a socket that never reads and
 *       never joins a namespace: the pongs must not pile up in the node.
 *   <li>A BINARY_EVENT announcing 64 attachments of which 63 arrive (900 KB each), then silence while
 *       answering pings.
 *   <li>Frames of {@code [{},{},…]} within maxPayload (an acked {@code chat} event of 1 MB), several per
 *       socket; and 1 MB CONNECT auth payloads of {@code {}}s.
 *   <li>Lines with a 900 KB {@code cid} posted (400 a socket) to {@code #random}, where the attacker is a
 *       member and never reads: the room sends each back to it.
 *   <li>A binary event whose thousands of placeholders all point at one 25 KB attachment (130 KB in, 100 MB
 *       if each placeholder became a copy), with the attacker's SSE stream in the same room.
 *   <li>SSE POSTs to an unknown session whose body arrives one byte every 10 s.
 *   <li>Slowloris: requests whose headers arrive one byte every 15 s, thousands of sockets.
 *   <li>Posts of 900 KB into {@code #help}, one after another (550 in the heavy run).
 *   <li>Bursts of 1,000 acked events with {@code 41}/{@code 40} between them (would a new channel bring a new
 *       rate limit?), then CONNECTs back to back; and CONNECTs to a 900 KB namespace from a socket that never
 *       reads (is the name echoed in CONNECT_ERROR?).
 *   <li>Presence: 1,000 members join {@code #general} (every join used to send the whole list of who is there
 *       to everyone in it) and never read.
 * </ol>
 *
 * <p>Then it checks that the node never ran out of heap (the process is alive, no {@link OutOfMemoryError}
 * was thrown, even a caught one, and a fresh WebSocket user and a fresh SSE user are served afterwards),
 * that every normal user's line was acknowledged with a message id and received by every normal user
 * (nothing lost), and that
 * every attacker got one of its attack's defined answers (a close code, an HTTP status, an error ack, or
 * the connection closed). It prints a table of what each attack got, the node's peak heap after GC (from
 * its GC log), threads and file descriptors, and the normal users' latency alone and under attack.
 *
 * <p>A normal build runs a quick version (a few attackers per kind, 6 s of attack, about 15 s in all); the
 * {@code reliability} profile runs the heavy one (75 s of attack, about 1½ minutes in all):
 * {@code mvn -B verify -pl bench -am -Preliability -Dsurefire.failIfNoSpecifiedTests=false -Dtest=AttackTest}.
 * {@code -Dparley.attack.only=PING_FLOOD,SLOWLORIS} runs only those kinds (names of {@link Kind}), and
 * {@code -Dparley.attack.seconds=N} makes the attack last N seconds: to find which attack alone does what.
 */
class AttackTest {
  private static final boolean HEAVY = "heavy".equals(System.getProperty(Load.PROPERTY));
  private static final Sizes SIZES = (HEAVY ? Sizes.HEAVY : Sizes.QUICK).withAttack(Integer.getInteger("parley.attack.seconds"));
  /** The attacks to run (names of {@link Kind}, comma-separated); all of them unless set. */
  private static final Set<String> ONLY = System.getProperty("parley.attack.only", "").isBlank() ? Set.of()
      : Set.of(System.getProperty("parley.attack.only").split(","));
  /** 900 KB: under the default maxPayload of 1,000,000 bytes, with room for the frame's prefix. */
  private static final int BIG = 900 * 1024;
  /** Whether sockets can be bound to 127.0.0.x besides 127.0.0.1 (Linux: all of 127/8 is loopback). */
  private static final boolean OWN_ADDRESSES = canBind("127.0.0.11");
  private static final Pattern MESSAGE = Pattern.compile("\"message\":\"([^\"]{0,80})");
  private static final Duration DRAIN_QUIET = Duration.ofSeconds(2);
  private static final Duration DRAIN_LIMIT = Duration.ofSeconds(10);

  /** How many of each, and for how long. */
  record Sizes(String name, int users, int linesPerSecond, Duration alone, Duration attack,
               int pingFlooders, int pingsEach, int binaryHolders, int objectSockets, int objectFrames,
               int authSockets, int echoNonReaders, int echoPostsEach, int placeholderAttackers,
               int placeholderFrames, int placeholders, int slowPosts, int slowloris, int slowlorisPerSecond,
               int bigPosters, int bigPostsEach, int rateResetters, int rateRounds, int connectFlood,
               int namespaceEchoers, int namespaceEchoes, int presenceSockets) {
    static final Sizes HEAVY = new Sizes("heavy", 20, 2, Duration.ofSeconds(7), Duration.ofSeconds(75),
        4, 700, 4, 40, 5, 10, 2, 400, 4, 20, 4_200, 250, 3_000, 300, 1, 550, 4, 20, 2_000, 4, 50, 1_000);
    // Latency alone is only printed: 1 s of it after the 1 s warm-up. 6 s of attack: every kind has done
    // its quick share (the presence sockets have all joined) by about 3 s in.
    static final Sizes QUICK = new Sizes("quick", 20, 2, Duration.ofSeconds(1), Duration.ofSeconds(6),
        1, 60, 1, 4, 2, 1, 1, 40, 1, 2, 4_200, 20, 100, 100, 1, 40, 1, 3, 200, 1, 5, 40);

    /** These sizes with the attack lasting {@code seconds}, if given. */
    Sizes withAttack(Integer seconds) {
      return seconds == null ? this : new Sizes(name, users, linesPerSecond, alone, Duration.ofSeconds(seconds),
          pingFlooders, pingsEach, binaryHolders, objectSockets, objectFrames, authSockets, echoNonReaders,
          echoPostsEach, placeholderAttackers, placeholderFrames, placeholders, slowPosts, slowloris,
          slowlorisPerSecond, bigPosters, bigPostsEach, rateResetters, rateRounds, connectFlood, namespaceEchoers,
          namespaceEchoes, presenceSockets);
    }
  }

  /**
   * The attacks, each with the answers it may get once the node is bounded in bytes (README, "Limits",
   * "Hostile input" and the WebSocket table: a client that does not read does not answer pings either, so
   * the heartbeat's close 1001 {@code ping timeout} is its answer too; one that never joins a namespace may get
   * 1000 {@code forced server close}); {@code "closed"} is a connection ended without a close frame the
   * client could still read; slowloris may be {@code "open"} in the quick run only, which ends before
   * {@code requestHeaderTimeout} (10 s).
   */
  enum Kind {
    PING_FLOOD("1", "Engine.IO pings of 900 KB, never reads, no CONNECT",
        Set.of("close 1002", "close 1008", "close 1000 forced server close", "closed")),
    PARTIAL_BINARY("2", "BINARY_EVENT announcing 64 attachments, 63 of 900 KB sent, then silence (answers pings)",
        Set.of("close 1009", "close 1002", "closed")),
    OBJECT_FRAMES("3", "acked events of 1 MB of `[{},{},…]`",
        Set.of("close 1009", "ack {\"error\":\"server busy\"}", "closed")),
    BIG_AUTH("3", "CONNECT with 1 MB auth of `{}`s",
        Set.of("CONNECT_ERROR auth payload too large", "close 1009", "closed")),
    ECHO_NON_READER("4", "lines with a 900 KB cid to its own room (#random), never reads",
        Set.of("ack {\"error\":\"cid must be", "ack {\"error\":\"server busy\"}", "close 1008", "close 1009",
            "close 1001 ping timeout", "closed", "open")),
    PLACEHOLDERS("5", "binary event, one 25 KB attachment, 4,200 placeholders to it; its SSE stream in the room",
        Set.of("close 1002", "close 1009", "closed")),
    SLOW_POST("6", "SSE POST to an unknown session, body 1 byte / 10 s",
        Set.of("HTTP 404")),
    SLOWLORIS("7", "request headers 1 byte / 15 s",
        Set.of("closed")),
    BIG_POSTS("8", "posts of 900 KB into #help, one after another",
        Set.of("ack {\"error\":", "ack message id", "close 1008", "close 1009")),
    RATE_RESET("9", "bursts of 1,000 acked events with 41/40 between, then CONNECTs back to back",
        Set.of("ack {\"error\":\"no such room\"}", "ack {\"error\":\"rate limited\"}",
            "ack {\"error\":\"server busy\"}", "CONNECT ok", "CONNECT_ERROR rate limited", "CONNECT_ERROR server busy",
            "events dropped unanswered (after a refused CONNECT)", "close 1008")),
    NAMESPACE_ECHO("9", "CONNECT to a 900 KB namespace, never reads",
        Set.of("close 1002", "closed")),
    PRESENCE("10", "join #general and never read",
        Set.of("open", "close 1008", "close 1001 ping timeout", "closed", "refused"));

    final String number;
    final String what;
    final Set<String> allowed;

    Kind(String number, String what, Set<String> allowed) {
      this.number = number;
      this.what = what;
      this.allowed = allowed;
    }

    /**
     * This attack's source address: 127.0.0.11 and up (presence: four addresses, 127.0.0.40 to .43), or
     * 127.0.0.1 where only that one can be bound (macOS by default).
     */
    InetAddress source(int i) {
      try {
        int base = 11 + ordinal();
        return InetAddress.getByName(!OWN_ADDRESSES ? "127.0.0.1"
            : "127.0.0." + (this == PRESENCE ? 40 + i % 4 : base));
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }

    boolean selected() {
      return ONLY.isEmpty() || ONLY.contains(name());
    }

    boolean allows(String part) {
      if (this == SLOWLORIS && !HEAVY && part.equals("open")) {
        return true;
      }
      return allowed.stream().anyMatch(part::startsWith);
    }
  }

  private final Map<Kind, Map<String, AtomicInteger>> answers = new EnumMap<>(Kind.class);
  private final Map<Kind, Map<String, LongAdder>> counts = new EnumMap<>(Kind.class);
  private final Map<Kind, AtomicInteger> attackers = new EnumMap<>(Kind.class);
  private final Set<AttackSocket> sockets = ConcurrentHashMap.newKeySet();
  /** When the last presence attacker had joined #general (nanos), to tell the join storm from the rest. */
  private final java.util.concurrent.atomic.AtomicLong lastJoin = new java.util.concurrent.atomic.AtomicLong();
  /** Reads the presence attackers' backlogs at the end, 100 at a time (threads made as needed). */
  private final ExecutorService drains = Executors.newFixedThreadPool(100, daemon("presence-drain"));
  private InetSocketAddress target;
  private volatile long attackEnd;

  // Frames written from shared bytes: built once.
  private final byte[] big = fill(BIG, (byte) 'a');
  private final byte[] objects = objectsFrame();
  private final byte[] bigAuth = bigAuthFrame();
  private final byte[] attachment = fill(25 * 1024, (byte) 7);
  private final byte[] placeholderJson = placeholderJson(SIZES.placeholders());

  @Test
  @Timeout(value = 10, unit = TimeUnit.MINUTES)
  void tenAttacksAtOnceWhileUsersChat() throws Exception {
    for (Kind kind : Kind.values()) {
      answers.put(kind, new ConcurrentHashMap<>());
      counts.put(kind, new ConcurrentHashMap<>());
      attackers.put(kind, new AtomicInteger());
    }
    ExecutorService pool = Executors.newCachedThreadPool(daemon("attacker"));
    ScheduledExecutorService pace = Executors.newSingleThreadScheduledExecutor(daemon("chat-pace"));
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(20)).executor(Executors.newFixedThreadPool(4, daemon("users-http"))).build();
    SoftAssertions soft = new SoftAssertions();
    try (ChatAppProcess chat = ChatAppProcess.start(); Trickler trickler = new Trickler()) {
      target = new InetSocketAddress("127.0.0.1", chat.port());
      ChatUsers ledger = new ChatUsers(http, chat.url());
      List<User> users = new ArrayList<>();
      for (int i = 1; i <= SIZES.users(); i++) {
        String nick = String.format(Locale.ROOT, "user%02d", i);
        users.add(i % 2 == 1 ? ledger.webSocket(nick) : ledger.sse(nick));
      }
      long period = 1_000_000L / SIZES.linesPerSecond();
      for (int i = 0; i < users.size(); i++) {
        User user = users.get(i);
        pace.scheduleAtFixedRate(user::say, period * i / users.size(), period, TimeUnit.MICROSECONDS);
      }
      // The first lines warm the node's JIT up; the next ones are the users' latency without attacks.
      TimeUnit.SECONDS.sleep(HEAVY ? 3 : 1);
      ledger.phase = Phase.ALONE;
      TimeUnit.MILLISECONDS.sleep(SIZES.alone().toMillis());

      // ---- all ten at once ----
      ledger.phase = Phase.ATTACK;
      long attackStart = System.nanoTime();
      long attackStartMillis = System.currentTimeMillis();
      double nodeCpuBefore = chat.cpuSeconds();
      double machineCpuBefore = machineCpuSeconds();
      double ownCpuBefore = ownCpuSeconds();
      attackEnd = attackStart + SIZES.attack().toNanos();
      List<Future<?>> tasks = new ArrayList<>();
      startSlowHttp(trickler);
      tasks.addAll(launch(pool, Kind.PING_FLOOD, SIZES.pingFlooders(), this::pingFlood));
      tasks.addAll(launch(pool, Kind.PARTIAL_BINARY, SIZES.binaryHolders(), this::partialBinary));
      tasks.addAll(launch(pool, Kind.OBJECT_FRAMES, SIZES.objectSockets(), this::objectFrames));
      tasks.addAll(launch(pool, Kind.BIG_AUTH, SIZES.authSockets(), this::bigAuth));
      tasks.addAll(launch(pool, Kind.ECHO_NON_READER, SIZES.echoNonReaders(), this::echoNonReader));
      tasks.addAll(launch(pool, Kind.PLACEHOLDERS, SIZES.placeholderAttackers(), this::placeholders));
      tasks.addAll(launch(pool, Kind.BIG_POSTS, SIZES.bigPosters(), this::bigPosts));
      tasks.addAll(launch(pool, Kind.RATE_RESET, SIZES.rateResetters(), this::rateReset));
      tasks.addAll(launch(pool, Kind.NAMESPACE_ECHO, SIZES.namespaceEchoers(), this::namespaceEcho));
      tasks.addAll(presence(pool));

      TimeUnit.NANOSECONDS.sleep(Math.max(0, attackEnd - System.nanoTime()));
      pace.shutdownNow();
      ledger.phase = Phase.AFTER;
      boolean aliveAtEnd = chat.alive();
      double nodeCpu = chat.cpuSeconds() - nodeCpuBefore;
      double ownCpu = ownCpuSeconds() - ownCpuBefore;
      double machineCpu = machineCpuSeconds() - machineCpuBefore;
      // Every attacker drains what it was sent and records how it ended; whatever is still blocked after
      // 40 s (15 s in the quick run) is closed by the test.
      long waitUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(HEAVY ? 40 : 15);
      for (Future<?> task : tasks) {
        try {
          task.get(Math.max(1, waitUntil - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
          break;
        } catch (java.util.concurrent.ExecutionException e) {
          e.getCause().printStackTrace();
        }
      }
      sockets.forEach(AttackSocket::close);
      for (Future<?> task : tasks) {
        try {
          task.get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
          task.cancel(true);
        }
      }
      for (Map.Entry<String, Map<String, Integer>> kind : trickler.answers().entrySet()) {
        kind.getValue().forEach((answer, n) -> answers.get(Kind.valueOf(kind.getKey()))
            .computeIfAbsent(answer, a -> new AtomicInteger()).addAndGet(n));
      }
      trickler.close();
      for (Kind kind : Kind.values()) {
        int recorded = answers.get(kind).values().stream().mapToInt(AtomicInteger::get).sum();
        if (recorded < attackers.get(kind).get()) {
          record(kind, "no answer recorded (still blocked at the end)", attackers.get(kind).get() - recorded);
        }
      }

      // ---- afterwards ----
      settle(() -> ledger.sent.size() == ledger.acked.size() + ledger.unacked.size()
          && ledger.delivered(users) == (long) ledger.acked.size() * users.size(), Duration.ofSeconds(30));
      long sent = ledger.sent.size();
      long acked = ledger.acked.size();
      long delivered = ledger.delivered(users);
      Map<String, Integer> missing = ledger.missing(users);
      Map<String, Integer> unackedWhy = new TreeMap<>();
      ledger.unacked.values().forEach(why -> unackedWhy.merge(why.length() > 100 ? why.substring(0, 100) : why, 1,
          Integer::sum));
      String fresh = freshUsers(ledger, chat);
      ChatAppProcess.HeapFigures heap = chat.heap();

      if (lastJoin.get() > 0) {
        counts.get(Kind.PRESENCE).computeIfAbsent("the last one joined at (s into the attack)", w -> new LongAdder())
            .add(Math.max(0, (lastJoin.get() - attackStart) / 1_000_000_000L));
      }
      String table = table();
      StringBuilder summary = new StringBuilder();
      summary.append(String.format(Locale.ROOT, "[attack] %s run: %d s of ten attacks at once on the example chat "
              + "(-Xmx%dm, SerialGC), %d normal users (%d WebSocket, %d SSE) in #general, %d lines/s each%n",
          SIZES.name(), SIZES.attack().toSeconds(), ChatAppProcess.MAX_HEAP_MIB, users.size(),
          (users.size() + 1) / 2, users.size() / 2, SIZES.linesPerSecond()));
      if (!OWN_ADDRESSES) {
        summary.append("[attack] 127.0.0.11 cannot be bound here: every attacker comes from 127.0.0.1, as the users do,"
            + " so per-address limits count them together\n");
      }
      summary.append(String.format(Locale.ROOT, "[attack] node: alive at the end of the attack %s, alive now %s, "
              + "OutOfMemoryError %s; heap %s; peak threads %d, peak file descriptors %,d%n",
          yes(aliveAtEnd), yes(chat.alive()), chat.ranOutOfMemory() ? "yes" + chat.outOfMemoryAt()
              .map(at -> String.format(Locale.ROOT, " (first %+.1f s after the attack began)",
                  (at - attackStartMillis) / 1000.0)).orElse("") : "no", heap, chat.peakThreads(),
          chat.peakDescriptors()));
      summary.append(String.format(Locale.ROOT, "[attack] normal users: lines sent %,d, acknowledged %,d, receipts "
              + "%,d of %,d (%.4f); latency p50 / p99 / max: alone %s, under attack %s%n", sent, acked, delivered,
          acked * users.size(), acked == 0 ? 0.0 : (double) delivered / (acked * users.size()),
          ledger.latency(Phase.ALONE), ledger.latency(Phase.ATTACK)));
      summary.append(String.format(Locale.ROOT, "[attack] normal users' p99 under attack by when the line was sent: "
              + "%s; by receiver: %s; slowest: %s%n", ledger.attackTimeline(attackStart, HEAVY ? 15 : 2),
          ledger.attackByTransport(), ledger.slowest(attackStart)));
      summary.append(String.format(Locale.ROOT, "[attack] CPU during the attack (%d cores × %d s): the node %.0f s, "
              + "this JVM (attackers and users) %.0f s, the whole machine %.0f s%n",
          Runtime.getRuntime().availableProcessors(), SIZES.attack().toSeconds(), nodeCpu, ownCpu, machineCpu));
      if (!unackedWhy.isEmpty()) {
        summary.append("[attack] lines not acknowledged: ").append(unackedWhy).append('\n');
      }
      if (!missing.isEmpty()) {
        summary.append("[attack] users missing lines: ").append(missing).append('\n');
      }
      summary.append("[attack] afterwards: ").append(fresh).append('\n');
      summary.append(table);
      List<String> highlights = chat.stderrHighlights(12);
      if (!highlights.isEmpty()) {
        summary.append(String.format(Locale.ROOT, "[attack] the node's stderr: %,d lines; warnings and errors, "
            + "first of each:%n  ", chat.stderr().lines().count())).append(String.join("\n  ", highlights)).append('\n');
      }
      System.out.print(summary);
      System.out.flush();
      users.forEach(User::close);

      soft.assertThat(aliveAtEnd).as("the node was alive at the end of the attack").isTrue();
      soft.assertThat(chat.alive()).as("the node is alive").isTrue();
      soft.assertThat(chat.ranOutOfMemory()).as("the node threw an OutOfMemoryError").isFalse();
      soft.assertThat(fresh).as("fresh users after the attack").startsWith("served");
      soft.assertThat(unackedWhy).as("normal users' lines not acknowledged with a message id").isEmpty();
      soft.assertThat(missing).as("normal users missing acknowledged lines").isEmpty();
      soft.assertThat(acked).as("lines acknowledged").isPositive();
      for (Kind kind : Kind.values()) {
        for (String answer : answers.get(kind).keySet()) {
          List<String> wrong = Arrays.stream(answer.split(" \\+ ")).map(p -> p.replaceFirst(" ×[0-9,]+$", ""))
              .filter(Predicate.not(kind::allows)).toList();
          soft.assertThat(wrong).as("attack %s (%s): answer \"%s\" has parts that are not among %s", kind.number,
              kind, answer, kind.allowed).isEmpty();
        }
      }
      if (Kind.RATE_RESET.selected()) {
        soft.assertThat(answers.get(Kind.RATE_RESET).keySet()).as("attack 9: some events rate limited")
            .anyMatch(a -> a.contains("rate limited"));
      }
    } finally {
      sockets.forEach(AttackSocket::close);
      pool.shutdownNow();
      drains.shutdownNow();
      pace.shutdownNow();
    }
    soft.assertAll();
  }

  // ---- the attacks ----

  /** 1: pings of 900 KB, back to back, never reading, never joining a namespace. */
  private void pingFlood(int i) {
    Kind kind = Kind.PING_FLOOD;
    AttackSocket s = open(kind, i);
    if (s == null) {
      return;
    }
    byte[] two = {'2'};
    int written = 0;
    try {
      for (; written < SIZES.pingsEach() && attacking(); written++) {
        s.sendText(two, big);
      }
    } catch (IOException e) {
      count(kind, "writes failed", 1);
    }
    count(kind, "pings written", written);
    awaitAttackEnd();
    Map<String, Integer> parts = new LinkedHashMap<>();
    String end = s.drain(DRAIN_QUIET, DRAIN_LIMIT, false, m -> {
      if (m.text() && m.head().startsWith("3")) {
        count(kind, "pongs read afterwards", 1);
      }
    });
    parts.put(end, 1);
    record(kind, parts);
  }

  /** 2: a BINARY_EVENT announcing 64 attachments; 63 are sent; then pings are answered and nothing else. */
  private void partialBinary(int i) {
    Kind kind = Kind.PARTIAL_BINARY;
    AttackSocket s = open(kind, i);
    if (s == null || !joined(kind, s)) {
      return;
    }
    StringBuilder json = new StringBuilder("45" + "64-[\"chat\",{\"room\":\"random\",\"text\":\"x\",\"files\":[");
    for (int n = 0; n < 64; n++) {
      json.append(n == 0 ? "" : ",").append("{\"_placeholder\":true,\"num\":").append(n).append('}');
    }
    json.append("]}]");
    int sent = 0;
    Map<String, Integer> parts = new LinkedHashMap<>();
    try {
      s.sendText(json.toString());
      for (; sent < 63; sent++) {
        s.sendBinary(big);
      }
    } catch (IOException e) {
      count(kind, "writes failed", 1);
    }
    count(kind, "attachments sent", sent);
    Duration left = Duration.ofNanos(Math.max(1_000_000, attackEnd - System.nanoTime()));
    String end = s.drain(left.plusSeconds(5), left.plusSeconds(5), true, m -> { });
    parts.put(end.equals("open") ? "open (held until the end)" : end, 1);
    record(kind, parts);
  }

  /** 3: acked {@code chat} events whose argument is 1 MB of {@code [{},{},…]}. */
  private void objectFrames(int i) {
    Kind kind = Kind.OBJECT_FRAMES;
    AttackSocket s = open(kind, i);
    if (s == null || !joined(kind, s)) {
      return;
    }
    Map<String, Integer> parts = new LinkedHashMap<>();
    List<Integer> ids = new ArrayList<>();
    try {
      for (int f = 0; f < SIZES.objectFrames(); f++) {
        int id = s.nextAck();
        s.sendText(("42" + id).getBytes(StandardCharsets.US_ASCII), objects);
        ids.add(id);
        count(kind, "frames sent", 1);
      }
    } catch (IOException e) {
      count(kind, "writes failed", 1);
    }
    collectAcks(s, ids.size(), Duration.ofSeconds(30), parts);
    record(kind, parts);
  }

  /** 3: a CONNECT whose auth is 1 MB of {@code {}}s. */
  private void bigAuth(int i) {
    Kind kind = Kind.BIG_AUTH;
    AttackSocket s = open(kind, i);
    if (s == null) {
      return;
    }
    Map<String, Integer> parts = new LinkedHashMap<>();
    try {
      s.sendText(bigAuth);
      parts.put(connectAnswer(s.awaitText("4", Duration.ofSeconds(30))), 1);
    } catch (IOException e) {
      parts.put(endOf(s, e), 1);
    }
    record(kind, parts);
  }

  /** 4: 900 KB lines to a room the attacker is in, never reading: the room sends each back to it. */
  private void echoNonReader(int i) {
    Kind kind = Kind.ECHO_NON_READER;
    AttackSocket s = open(kind, i);
    if (s == null || !joined(kind, s) || !joinRoom(kind, s, "random")) {
      return;
    }
    byte[] head = "[\"chat\",{\"room\":\"random\",\"text\":\"x\",\"cid\":\"".getBytes(StandardCharsets.US_ASCII);
    byte[] tail = "\"}]".getBytes(StandardCharsets.US_ASCII);
    try {
      for (int n = 0; n < SIZES.echoPostsEach() && attacking(); n++) {
        s.sendText(("42" + s.nextAck()).getBytes(StandardCharsets.US_ASCII), head, big, tail);
        count(kind, "lines sent", 1);
      }
    } catch (IOException e) {
      count(kind, "writes failed", 1);
    }
    awaitAttackEnd();
    Map<String, Integer> parts = new LinkedHashMap<>();
    String end = s.drain(DRAIN_QUIET, DRAIN_LIMIT, false, m -> {
      if (m.text() && m.head().startsWith("43")) {
        parts.merge(ackPart(m.head()), 1, Integer::sum);
      } else if (m.text() && m.head().startsWith("42[\"chat\"") && m.length() > BIG) {
        count(kind, "900 KB lines read back afterwards", 1);
      }
    });
    parts.merge(end, 1, Integer::sum);
    record(kind, parts);
  }

  /** 5: one attachment, thousands of placeholders pointing at it; the attacker's SSE stream in the room. */
  private void placeholders(int i) {
    Kind kind = Kind.PLACEHOLDERS;
    LongAdder sseBytes = new LongAdder();
    Thread stream = new Thread(() -> sseMember(kind, i, sseBytes), "placeholder-sse-" + i);
    stream.setDaemon(true);
    stream.start();
    AttackSocket s = open(kind, i);
    if (s == null || !joined(kind, s) || !joinRoom(kind, s, "random")) {
      return;
    }
    Map<String, Integer> parts = new LinkedHashMap<>();
    try {
      for (int f = 0; f < SIZES.placeholderFrames() && attacking(); f++) {
        int id = s.nextAck();
        s.sendText(("451-" + id).getBytes(StandardCharsets.US_ASCII), placeholderJson);
        s.sendBinary(attachment);
        count(kind, "frames sent", 1);
        parts.merge(ackPart(s.awaitText("43" + id, Duration.ofSeconds(30))), 1, Integer::sum);
      }
      // Reading on (what the others post to #random too) until the attack ends, so that its answer is its own.
      Duration left = Duration.ofNanos(Math.max(1_000_000, attackEnd - System.nanoTime()));
      String end = s.drain(left, left, true, m -> { });
      parts.merge(end, 1, Integer::sum);
    } catch (IOException e) {
      parts.merge(endOf(s, e), 1, Integer::sum);
    }
    try {
      stream.join(Math.max(1, (attackEnd - System.nanoTime()) / 1_000_000 + 2_000));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    count(kind, "bytes its SSE stream got", sseBytes.sum());
    record(kind, parts);
  }

  /** The attacker's own SSE stream in {@code #random}, read until the attack ends; counts the bytes. */
  private void sseMember(Kind kind, int i, LongAdder bytes) {
    try (Socket socket = AttackSocket.tcp(kind.source(i), target)) {
      socket.getOutputStream().write(("GET /sse/random HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n"
          + "Cookie: nick=" + nick(kind, i) + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      InputStream in = socket.getInputStream();
      byte[] buffer = new byte[64 * 1024];
      while (attacking()) {
        socket.setSoTimeout((int) Math.max(1, (attackEnd - System.nanoTime()) / 1_000_000));
        int n = in.read(buffer);
        if (n < 0) {
          return;
        }
        bytes.add(n);
      }
    } catch (IOException e) {
      // The stream ended, or the attack did (a timeout).
    }
  }

  /** 8: posts of 900 KB into {@code #help}, one after another, each waiting for its ack. */
  private void bigPosts(int i) {
    Kind kind = Kind.BIG_POSTS;
    AttackSocket s = open(kind, i);
    if (s == null || !joined(kind, s) || !joinRoom(kind, s, "help")) {
      return;
    }
    byte[] head = "[\"chat\",{\"room\":\"help\",\"text\":\"x\",\"cid\":\"".getBytes(StandardCharsets.US_ASCII);
    byte[] tail = "\"}]".getBytes(StandardCharsets.US_ASCII);
    Map<String, Integer> parts = new LinkedHashMap<>();
    try {
      for (int n = 0; n < SIZES.bigPostsEach() && attacking(); n++) {
        int id = s.nextAck();
        s.sendText(("42" + id).getBytes(StandardCharsets.US_ASCII), head, big, tail);
        count(kind, "posts sent", 1);
        parts.merge(ackPart(s.awaitText("43" + id, Duration.ofSeconds(30))), 1, Integer::sum);
      }
    } catch (IOException e) {
      parts.merge(endOf(s, e), 1, Integer::sum);
    }
    record(kind, parts);
  }

  /** 9: bursts of 1,000 acked events, leaving and joining the namespace between bursts; then CONNECTs. */
  private void rateReset(int i) {
    Kind kind = Kind.RATE_RESET;
    AttackSocket s = open(kind, i);
    if (s == null || !joined(kind, s)) {
      return;
    }
    Map<String, Integer> parts = new ConcurrentHashMap<>();
    AtomicInteger answered = new AtomicInteger();
    Thread reader = new Thread(() -> {
      String end = s.drain(Duration.ofSeconds(5), SIZES.attack().plusSeconds(10), true, m -> {
        if (!m.text()) {
          return;
        }
        if (m.head().startsWith("43")) {
          answered.incrementAndGet();
          parts.merge(ackPart(m.head()), 1, Integer::sum);
        } else if (m.head().startsWith("40")) {
          parts.merge("CONNECT ok", 1, Integer::sum);
        } else if (m.head().startsWith("44")) {
          parts.merge(connectAnswer(m.head()), 1, Integer::sum);
        }
      });
      if (!end.equals("open")) {
        parts.merge(end, 1, Integer::sum);
      }
    }, "rate-reset-reader-" + i);
    reader.setDaemon(true);
    reader.start();
    int events = 0;
    try {
      for (int r = 0; r < SIZES.rateRounds() && attacking(); r++) {
        for (int e = 0; e < 1_000; e++) {
          s.sendText("42" + s.nextAck() + "[\"chat\",{}]");
          events++;
        }
        s.sendText("41");
        s.sendText("40");
      }
      for (int c = 0; c < SIZES.connectFlood() && attacking(); c++) {
        s.sendText("41");
        s.sendText("40");
        count(kind, "41/40 pairs sent", 1);
      }
    } catch (IOException e) {
      count(kind, "writes failed", 1);
    }
    count(kind, "events sent", events);
    int expected = events;
    try {
      await().atMost(Duration.ofSeconds(20)).until(() -> answered.get() >= expected || !reader.isAlive());
    } catch (ConditionTimeoutException e) {
      // Reported as what was answered.
    }
    s.close();
    try {
      reader.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (answered.get() < expected) {
      // Events to a namespace whose CONNECT was refused are dropped without an answer (README, "Hostile input").
      parts.merge(parts.keySet().stream().anyMatch(p -> p.startsWith("CONNECT_ERROR"))
          ? "events dropped unanswered (after a refused CONNECT)" : "events unanswered",
          expected - answered.get(), Integer::sum);
    }
    parts.remove("still blocked, closed by the test");
    record(kind, new LinkedHashMap<>(new TreeMap<>(parts)));
  }

  /** 9: CONNECTs to a 900 KB namespace, never reading: would each CONNECT_ERROR echo the name? */
  private void namespaceEcho(int i) {
    Kind kind = Kind.NAMESPACE_ECHO;
    AttackSocket s = open(kind, i);
    if (s == null) {
      return;
    }
    byte[] head = "40/".getBytes(StandardCharsets.US_ASCII);
    byte[] comma = ",".getBytes(StandardCharsets.US_ASCII);
    try {
      for (int n = 0; n < SIZES.namespaceEchoes() && attacking(); n++) {
        s.sendText(head, big, comma);
        count(kind, "CONNECTs sent", 1);
      }
    } catch (IOException e) {
      count(kind, "writes failed", 1);
    }
    awaitAttackEnd();
    Map<String, Integer> parts = new LinkedHashMap<>();
    String end = s.drain(DRAIN_QUIET, DRAIN_LIMIT, false, m -> {
      if (m.text() && m.head().startsWith("44")) {
        parts.merge(m.length() > 10_000
            ? "CONNECT_ERROR echoing the namespace (" + m.length() / 1024 + " KB)" : connectAnswer(m.head()), 1,
            Integer::sum);
      }
    });
    parts.merge(end, 1, Integer::sum);
    record(kind, parts);
  }

  /**
   * 10: many members join {@code #general}, each join telling the room who came; none reads after its join.
   * Afterwards each socket's backlog is read (up to 1 s each, 100 at a time) to see how it ended.
   */
  private List<Future<?>> presence(ExecutorService pool) {
    Kind kind = Kind.PRESENCE;
    int workers = Math.min(40, SIZES.presenceSockets());
    List<Future<?>> tasks = new ArrayList<>();
    if (!kind.selected()) {
      return tasks;
    }
    for (int w = 0; w < workers; w++) {
      int worker = w;
      tasks.add(pool.submit(() -> {
        List<AttackSocket> mine = new ArrayList<>();
        for (int i = worker; i < SIZES.presenceSockets() && attacking(); i += workers) {
          attackers.get(kind).incrementAndGet();
          AttackSocket s = open(kind, i);
          if (s != null && joined(kind, s) && joinRoom(kind, s, "general")) {
            mine.add(s);
            count(kind, "joined", 1);
            lastJoin.accumulateAndGet(System.nanoTime(), Math::max);
          }
        }
        awaitAttackEnd();
        List<Future<?>> drained = new ArrayList<>();
        for (AttackSocket s : mine) {
          drained.add(drains.submit(() -> {
            LongAdder bytes = new LongAdder();
            String end = s.drain(Duration.ofMillis(300), Duration.ofSeconds(1), false, m -> bytes.add(m.length()));
            count(kind, "bytes read afterwards (chat lines, joined, left)", bytes.sum());
            record(kind, Map.of(end, 1));
            s.close();
          }));
        }
        for (Future<?> d : drained) {
          try {
            d.get();
          } catch (Exception e) {
            record(kind, Map.of("test error: " + e, 1));
          }
        }
      }));
    }
    return tasks;
  }

  /** 6 and 7: slow HTTP on the trickler's one thread. */
  private void startSlowHttp(Trickler trickler) {
    String host = "Host: 127.0.0.1:" + target.getPort() + "\r\n";
    byte[] body = ("{\"event\":\"chat\",\"args\":[{\"room\":\"general\",\"text\":\"slow\"}],\"ack\":true}"
        + " ".repeat(200)).getBytes(StandardCharsets.US_ASCII);
    if (Kind.SLOW_POST.selected()) {
      trickler.start(new Trickler.Plan(Kind.SLOW_POST.name(), Kind.SLOW_POST.source(0), target,
        ("POST /sse/general?sid=no-such-session HTTP/1.1\r\n" + host + "Content-Type: application/json\r\n"
            + "X-Parley-Token: forged\r\nContent-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII),
        body, Duration.ofSeconds(10), SIZES.slowPosts(), 100));
      attackers.get(Kind.SLOW_POST).addAndGet(SIZES.slowPosts());
    }
    if (Kind.SLOWLORIS.selected()) {
      trickler.start(new Trickler.Plan(Kind.SLOWLORIS.name(), Kind.SLOWLORIS.source(0), target,
        ("GET / HTTP/1.1\r\n" + host).getBytes(StandardCharsets.US_ASCII),
        ("X-Slow: " + "a".repeat(200) + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII), Duration.ofSeconds(15),
        SIZES.slowloris(), SIZES.slowlorisPerSecond()));
      attackers.get(Kind.SLOWLORIS).addAndGet(SIZES.slowloris());
    }
  }

  // ---- helpers ----

  private List<Future<?>> launch(ExecutorService pool, Kind kind, int count, AttackerBody body) {
    List<Future<?>> tasks = new ArrayList<>();
    if (!kind.selected()) {
      return tasks;
    }
    attackers.get(kind).addAndGet(count);
    for (int i = 0; i < count; i++) {
      int n = i;
      tasks.add(pool.submit(() -> {
        try {
          body.run(n);
        } catch (RuntimeException e) {
          record(kind, Map.of("test error: " + e, 1));
        }
      }));
    }
    return tasks;
  }

  @FunctionalInterface
  private interface AttackerBody {
    void run(int i);
  }

  private static String nick(Kind kind, int i) {
    return kind == Kind.PRESENCE ? String.format(Locale.ROOT, "presence-attacker-%06d", i)
        : "a" + kind.number + "-" + kind.ordinal() + "-" + i;
  }

  /** Opens an attacker's WebSocket; records the refusal and returns null if it is refused. */
  private AttackSocket open(Kind kind, int i) {
    try {
      AttackSocket s = AttackSocket.open(kind.source(i), target, nick(kind, i));
      sockets.add(s);
      return s;
    } catch (AttackSocket.RefusedException e) {
      record(kind, Map.of("refused: " + e.answer, 1));
    } catch (IOException e) {
      record(kind, Map.of("refused: " + e, 1));
    }
    return null;
  }

  /** Joins namespace {@code /}; records the answer and returns false if it is not a CONNECT. */
  private boolean joined(Kind kind, AttackSocket s) {
    try {
      String answer = s.connect();
      if (answer.startsWith("40")) {
        return true;
      }
      record(kind, Map.of("refused at CONNECT: " + connectAnswer(answer), 1));
    } catch (IOException e) {
      record(kind, Map.of("refused at CONNECT: " + endOf(s, e), 1));
    }
    return false;
  }

  /** The example's {@code join}; records the answer and returns false if it is not {@code "ok"}. */
  private boolean joinRoom(Kind kind, AttackSocket s, String room) {
    try {
      int id = s.nextAck();
      s.sendText("42" + id + "[\"join\",\"" + room + "\"]");
      String ack = s.awaitText("43" + id, Duration.ofSeconds(30));
      if (ack.endsWith("[\"ok\"]")) {
        return true;
      }
      record(kind, Map.of("refused at join: " + ack, 1));
    } catch (IOException e) {
      record(kind, Map.of("refused at join: " + endOf(s, e), 1));
    }
    return false;
  }

  /** Reads up to {@code expected} acks or the end of the connection, into {@code parts}. */
  private static void collectAcks(AttackSocket s, int expected, Duration limit, Map<String, Integer> parts) {
    AtomicInteger got = new AtomicInteger();
    long deadline = System.nanoTime() + limit.toNanos();
    while (got.get() < expected) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        parts.merge("no answer within " + limit.toSeconds() + " s", expected - got.get(), Integer::sum);
        return;
      }
      String end = s.drain(Duration.ofNanos(left), Duration.ofNanos(left), true, m -> {
        if (m.text() && m.head().startsWith("43")) {
          got.incrementAndGet();
          parts.merge(ackPart(m.head()), 1, Integer::sum);
        }
      });
      if (!end.equals("open")) {
        parts.merge(end, 1, Integer::sum);
        return;
      }
    }
  }

  /** An ack as an answer: {@code ack {"error":"…"}}, {@code ack "ok"}, or {@code ack message id}. */
  private static String ackPart(String head) {
    int bracket = head.indexOf('[');
    String args = bracket < 0 ? head : head.substring(bracket + 1, Math.max(bracket + 1, head.length() - 1));
    if (args.startsWith("\"") && !args.equals("\"ok\"")) {
      return "ack message id";
    }
    return "ack " + args;
  }

  /** A CONNECT answer: {@code CONNECT ok} or {@code CONNECT_ERROR <message>}. */
  private static String connectAnswer(String head) {
    if (head.startsWith("40")) {
      return "CONNECT ok";
    }
    Matcher m = MESSAGE.matcher(head);
    return "CONNECT_ERROR " + (m.find() ? m.group(1) : head.substring(0, Math.min(60, head.length())));
  }

  /** How a connection ended, after an I/O error: the close frame if one can still be read. */
  private static String endOf(AttackSocket s, IOException e) {
    String message = String.valueOf(e.getMessage());
    if (message.startsWith("close ")) {
      return message;
    }
    String drained = s.drain(Duration.ofSeconds(1), Duration.ofSeconds(2), false, m -> { });
    return drained.equals("open") ? s.ended(e) : drained;
  }

  private boolean attacking() {
    return System.nanoTime() < attackEnd;
  }

  private void awaitAttackEnd() {
    long left = attackEnd - System.nanoTime();
    if (left > 0) {
      try {
        TimeUnit.NANOSECONDS.sleep(left);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void record(Kind kind, Map<String, Integer> parts) {
    String answer = parts.entrySet().stream()
        .map(p -> p.getValue() > 1 ? p.getKey() + " ×" + String.format(Locale.ROOT, "%,d", p.getValue()) : p.getKey())
        .collect(Collectors.joining(" + "));
    record(kind, answer.isEmpty() ? "nothing" : answer, 1);
  }

  private void record(Kind kind, String answer, int n) {
    answers.get(kind).computeIfAbsent(answer, a -> new AtomicInteger()).addAndGet(n);
  }

  private void count(Kind kind, String what, long n) {
    counts.get(kind).computeIfAbsent(what, w -> new LongAdder()).add(n);
  }

  /** After the attack: a new WebSocket user and a new SSE user join #general and each says a line. */
  private static String freshUsers(ChatUsers ledger, ChatAppProcess chat) {
    if (!chat.alive()) {
      return "the node is gone";
    }
    List<User> fresh = new ArrayList<>();
    try {
      fresh.add(ledger.webSocket("fresh-ws", false));
      fresh.add(ledger.sse("fresh-sse", false));
      List<String> lines = fresh.stream().map(User::say).toList();
      try {
        await().atMost(Duration.ofSeconds(30)).until(() -> fresh.stream().allMatch(u -> u.received.containsAll(lines))
            && ledger.acked.containsAll(lines) || lines.stream().anyMatch(ledger.unacked::containsKey));
      } catch (ConditionTimeoutException e) {
        // Reported below.
      }
      boolean served = fresh.stream().allMatch(u -> u.received.containsAll(lines))
          && ledger.acked.containsAll(lines);
      return served ? "served (a new WebSocket user and a new SSE user joined #general, and each got both their lines)"
          : "not served: " + fresh.stream().map(u -> u.nick + " got " + lines.stream().filter(u.received::contains).count()
              + " of 2" + (u.end == null ? "" : " (" + u.end + ")")).toList() + ", not acknowledged: "
              + lines.stream().map(ledger.unacked::get).toList();
    } catch (Exception e) {
      return "not served: " + e;
    } finally {
      fresh.forEach(User::close);
    }
  }

  private String table() {
    StringBuilder t = new StringBuilder();
    t.append("| # | attack | attackers | sent | answers (attackers) |\n|---|---|---|---|---|\n");
    for (Kind kind : Kind.values()) {
      String sent = counts.get(kind).entrySet().stream().sorted(Map.Entry.comparingByKey())
          .map(e -> e.getKey() + " " + String.format(Locale.ROOT, "%,d", e.getValue().sum()))
          .collect(Collectors.joining(", "));
      String got = answers.get(kind).entrySet().stream()
          .sorted(Map.Entry.<String, AtomicInteger>comparingByValue((a, b) -> b.get() - a.get()))
          .map(e -> e.getKey() + " (" + String.format(Locale.ROOT, "%,d", e.getValue().get()) + ")")
          .collect(Collectors.joining("; "));
      t.append("| ").append(kind.number).append(" | ").append(kind.what).append(" | ")
          .append(String.format(Locale.ROOT, "%,d", attackers.get(kind).get())).append(" | ").append(sent)
          .append(" | ").append(got).append(" |\n");
    }
    return t.toString();
  }

  private static void settle(java.util.concurrent.Callable<Boolean> done, Duration limit) {
    try {
      await().atMost(limit).pollInterval(Duration.ofMillis(200)).until(done);
    } catch (ConditionTimeoutException e) {
      // What is left over is reported.
    }
  }

  /** CPU time used by everything on the machine so far, in seconds (Linux, {@code /proc/stat}); -1 elsewhere. */
  private static double machineCpuSeconds() {
    try {
      String[] f = java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/stat")).get(0).trim().split("\\s+");
      // cpu user nice system idle iowait irq softirq steal ...: busy is all but idle and iowait.
      long busy = 0;
      for (int i = 1; i < Math.min(f.length, 9); i++) {
        if (i != 4 && i != 5) {
          busy += Long.parseLong(f[i]);
        }
      }
      return busy / 100.0;
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  private static double ownCpuSeconds() {
    java.lang.management.OperatingSystemMXBean os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    return os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getProcessCpuTime() / 1e9 : -1;
  }

  private static boolean canBind(String address) {
    try (Socket socket = new Socket()) {
      socket.bind(new InetSocketAddress(InetAddress.getByName(address), 0));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static String yes(boolean b) {
    return b ? "yes" : "no";
  }

  private static byte[] fill(int n, byte b) {
    byte[] bytes = new byte[n];
    Arrays.fill(bytes, b);
    return bytes;
  }

  /** {@code ["chat",[{},{},…]]}, as much as fits in maxPayload after {@code 42<id>}. */
  private static byte[] objectsFrame() {
    StringBuilder s = new StringBuilder(1_000_000).append("[\"chat\",[{}");
    while (s.length() < 999_000) {
      s.append(",{}");
    }
    return s.append("]]").toString().getBytes(StandardCharsets.US_ASCII);
  }

  /** {@code 40{"a":[{},{},…]}} of about 1 MB. */
  private static byte[] bigAuthFrame() {
    StringBuilder s = new StringBuilder(1_000_000).append("40{\"a\":[{}");
    while (s.length() < 999_000) {
      s.append(",{}");
    }
    return s.append("]}").toString().getBytes(StandardCharsets.US_ASCII);
  }

  /** A chat line whose {@code p} holds {@code n} placeholders, every one pointing at attachment 0. */
  private static byte[] placeholderJson(int n) {
    StringBuilder s = new StringBuilder().append("[\"chat\",{\"room\":\"random\",\"text\":\"x\",\"cid\":\"c\",\"p\":[");
    for (int i = 0; i < n; i++) {
      s.append(i == 0 ? "" : ",").append("{\"_placeholder\":true,\"num\":0}");
    }
    return s.append("]}]").toString().getBytes(StandardCharsets.US_ASCII);
  }

  private static ThreadFactory daemon(String name) {
    AtomicInteger counter = new AtomicInteger();
    return r -> {
      Thread thread = new Thread(r, name + "-" + counter.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }
}
