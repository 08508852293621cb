package dev.parley.bench.reliability;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Many slow HTTP clients on one thread: each opens a TCP connection from a given source address, writes a
 * head at once, then one more byte of its trickle every {@code interval}, and reads whatever the server
 * answers. Its answer is the first status line it gets ({@code HTTP 404}), or how the connection ended
 * ({@code closed (EOF)}, {@code closed (reset)}), or {@code open} if neither happened; a client that gets a
 * status line is done and closes its side. Connections are opened at a given pace, so that thousands do not
 * all arrive in the same millisecond.
 */
final class Trickler implements AutoCloseable {
  private final Selector selector;
  private final Thread thread;
  private final ConcurrentLinkedQueue<Plan> plans = new ConcurrentLinkedQueue<>();
  private final List<Client> clients = new ArrayList<>();
  private volatile boolean running = true;

  /** {@code count} clients opened {@code perSecond} a second from {@code source}. */
  record Plan(String kind, InetAddress source, InetSocketAddress target, byte[] head, byte[] trickle,
              Duration interval, int count, int perSecond) {
  }

  private final class Client {
    final String kind;
    final SocketChannel channel;
    final byte[] trickle;
    final long intervalNanos;
    byte[] head = new byte[0];
    int next;
    long nextWrite;
    String answer = "open";
    boolean done;
    final ByteBuffer in = ByteBuffer.allocate(512);

    Client(String kind, SocketChannel channel, byte[] trickle, long intervalNanos) {
      this.kind = kind;
      this.channel = channel;
      this.trickle = trickle;
      this.intervalNanos = intervalNanos;
    }

    void finish(String how) {
      if (!done) {
        done = true;
        answer = how;
      }
      if (channel == null) {
        return;
      }
      try {
        channel.close();
      } catch (IOException e) {
        // Already closed.
      }
    }
  }

  Trickler() throws IOException {
    this.selector = Selector.open();
    this.thread = new Thread(this::loop, "trickler");
    thread.setDaemon(true);
    thread.start();
  }

  void start(Plan plan) {
    plans.add(plan);
    selector.wakeup();
  }

  private void loop() {
    List<Plan> active = new ArrayList<>();
    long[] opened = new long[0];
    long[] started = new long[0];
    try {
      while (this.running) {
        Plan incoming;
        while ((incoming = plans.poll()) != null) {
          active.add(incoming);
          opened = java.util.Arrays.copyOf(opened, active.size());
          started = java.util.Arrays.copyOf(started, active.size());
          started[active.size() - 1] = System.nanoTime();
        }
        long now = System.nanoTime();
        for (int i = 0; i < active.size(); i++) {
          Plan plan = active.get(i);
          long due = Math.min(plan.count(), (now - started[i]) / 1_000_000L * plan.perSecond() / 1000 + 1);
          while (opened[i] < due) {
            opened[i]++;
            open(plan, now);
          }
        }
        synchronized (clients) {
          for (Client client : clients) {
            if (!client.done && !client.answer.equals("connecting") && client.next < client.trickle.length
                && now >= client.nextWrite) {
              try {
                client.channel.write(ByteBuffer.wrap(client.trickle, client.next, 1));
                client.next++;
                client.nextWrite = now + client.intervalNanos;
              } catch (IOException e) {
                client.finish(ended(e));
              }
            }
          }
        }
        selector.select(50);
        for (SelectionKey key : selector.selectedKeys()) {
          Client client = (Client) key.attachment();
          try {
            if (key.isConnectable() && client.channel.finishConnect()) {
              connected(client, System.nanoTime());
              key.interestOps(SelectionKey.OP_READ);
            }
            if (key.isValid() && key.isReadable()) {
              read(client);
            }
          } catch (IOException e) {
            client.finish(ended(e));
          }
        }
        selector.selectedKeys().clear();
      }
    } catch (IOException | RuntimeException e) {
      e.printStackTrace();
    }
  }

  private void open(Plan plan, long now) {
    Client client = null;
    try {
      SocketChannel channel = SocketChannel.open();
      client = new Client(plan.kind(), channel, plan.trickle(), plan.interval().toNanos());
      synchronized (clients) {
        clients.add(client);
      }
      channel.bind(new InetSocketAddress(plan.source(), 0));
      channel.configureBlocking(false);
      channel.socket().setTcpNoDelay(true);
      client.head = plan.head();
      if (channel.connect(plan.target())) {
        connected(client, now);
        channel.register(selector, SelectionKey.OP_READ, client);
      } else {
        client.answer = "connecting";
        channel.register(selector, SelectionKey.OP_CONNECT, client);
      }
    } catch (IOException e) {
      if (client == null) {
        client = new Client(plan.kind(), null, new byte[0], 0);
        synchronized (clients) {
          clients.add(client);
        }
      }
      client.finish("connect failed: " + e.getMessage());
    }
  }

  /** Writes the head (small enough for any send buffer) once the connection is up. */
  private static void connected(Client client, long now) throws IOException {
    client.answer = "open";
    client.channel.write(ByteBuffer.wrap(client.head));
    client.nextWrite = now + client.intervalNanos;
  }

  private void read(Client client) throws IOException {
    int n = client.channel.read(client.in);
    if (n < 0) {
      String line = statusLine(client.in);
      client.finish(line != null ? line : "closed (EOF)");
      return;
    }
    String line = statusLine(client.in);
    if (line != null) {
      client.finish(line);
    } else if (!client.in.hasRemaining()) {
      client.finish("answered: " + new String(client.in.array(), 0, 40, StandardCharsets.ISO_8859_1));
    }
  }

  private static String statusLine(ByteBuffer in) {
    String text = new String(in.array(), 0, in.position(), StandardCharsets.ISO_8859_1);
    int end = text.indexOf("\r\n");
    if (end < 0) {
      return null;
    }
    String line = text.substring(0, end);
    return line.startsWith("HTTP/1.1 ") ? "HTTP " + line.substring(9) : "answered: " + line;
  }

  private static String ended(IOException e) {
    String message = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
    return e instanceof SocketException && (message.contains("reset") || message.contains("broken pipe"))
        ? "closed (reset)" : "closed (EOF)";
  }

  /** Each kind's answers so far, counted: answer → clients. */
  Map<String, Map<String, Integer>> answers() {
    Map<String, Map<String, Integer>> all = new TreeMap<>();
    synchronized (clients) {
      for (Client client : clients) {
        all.computeIfAbsent(client.kind, k -> new TreeMap<>()).merge(client.answer, 1, Integer::sum);
      }
    }
    return all;
  }

  /** How many clients of {@code kind} are still open (no answer, not ended). */
  int open(String kind) {
    synchronized (clients) {
      return (int) clients.stream().filter(c -> c.kind.equals(kind) && !c.done).count();
    }
  }

  @Override
  public void close() throws Exception {
    running = false;
    selector.wakeup();
    thread.join(10_000);
    synchronized (clients) {
      for (Client client : clients) {
        if (client.channel != null) {
          try {
            client.channel.close();
          } catch (IOException e) {
            // Already closed.
          }
        }
      }
    }
    selector.close();
  }
}
