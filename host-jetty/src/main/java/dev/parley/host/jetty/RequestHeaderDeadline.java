package dev.parley.host.jetty;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.ConnectionMetaData;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpStream;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.thread.Scheduler;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts the requests being handled, for a graceful stop ({@link #awaitNoRequest}), and closes an HTTP/1.1
 * connection that has not delivered a request's complete headers within
 * {@link JettyHostConfig#requestHeaderTimeout()}, counted from when the connection opened or, once kept
 * alive, from the end of the previous response. Jetty's idle timeout restarts with every byte, so a
 * client trickling one byte at a time holds a connection for ever; this deadline does not move.
 *
 * <p>It listens to the HTTP/1.1 connections of one connection factory ({@link Connection.Listener}: watched from
 * when one opens until it closes or is upgraded to WebSocket, since an upgrade closes the HTTP connection) and to
 * every request once its headers are parsed ({@link HttpConfiguration.Customizer}). A connection is watched only
 * while it waits for a request's headers: the request's arrival takes it off the watch, and the request's
 * completion puts it back with a new deadline. A request being handled, such as an SSE stream that never ends, is
 * therefore never subject to it, and costs it nothing while held but the wrapper of its stream that tells of
 * its completion (24 bytes; Jetty's own completion listeners would keep a wrapper, a list and its array).
 *
 * <p>One sweep for all connections checks the deadlines, every quarter of the timeout while any connection is
 * watched: a connection is closed between the timeout and a quarter of it later. Cost: per connection waiting
 * for headers a watch and its map entry, nothing on the timer; per request a map removal and insertion and a
 * stream wrapper; per sweep a look at each watch.
 *
 * <p>The same wrapper counts requests from their headers to their completion, on every connection (HTTP/2
 * ones included). A stop waits for that count to reach zero: the last answers the engine writes as it closes
 * (a held long-poll's close packet, a stream's end) complete before Jetty closes what is left. It does for the
 * host what Jetty's {@code GracefulHandler} would, without wrapping each request and its callback (two objects
 * that a held request would keep for its lifetime).
 */
final class RequestHeaderDeadline implements Connection.Listener, HttpConfiguration.Customizer {
  private static final Logger log = LoggerFactory.getLogger(RequestHeaderDeadline.class);
  private static final long MIN_SWEEP_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

  private final Scheduler scheduler;
  private final Duration timeout;
  private final long timeoutNanos;
  private final long sweepNanos;
  // The HTTP/1.1 connections waiting for a request's headers.
  private final ConcurrentHashMap<Connection, Watch> watches = new ConcurrentHashMap<>();
  private final AtomicLong requests = new AtomicLong();
  // Told when the count of requests reaches zero (awaitNoRequest waits on it).
  private final Object noRequest = new Object();
  // Set when the stop begins to wait for the requests in flight.
  private volatile boolean stopping;
  // Guarded by this: the next sweep, scheduled while there are watches.
  private Scheduler.@Nullable Task sweep;

  RequestHeaderDeadline(Scheduler scheduler, Duration timeout) {
    this.scheduler = scheduler;
    this.timeout = timeout;
    this.timeoutNanos = timeout.toNanos();
    this.sweepNanos = Math.max(MIN_SWEEP_NANOS, timeoutNanos / 4);
  }

  /** A connection opened: its first request's headers are due within the timeout. */
  @Override
  public void onOpened(Connection connection) {
    // Only HTTP connections carry requests; anything else (an upgraded one) is not watched.
    if (connection instanceof ConnectionMetaData) {
      watch(connection);
    }
  }

  /** A connection closed, or was upgraded (which closes the HTTP connection): nothing left to watch. */
  @Override
  public void onClosed(Connection connection) {
    Watch watch = watches.remove(connection);
    if (watch != null) {
      watch.close();
    }
  }

  /**
   * A request's headers are complete: counted, and its connection off the watch until the request completes.
   * Jetty parses a connection's next request only once this one has completed.
   */
  @Override
  public Request customize(Request request, HttpFields.Mutable responseHeaders) {
    Connection connection = request.getConnectionMetaData().getConnection();
    Watch watch = watches.remove(connection);
    if (watch != null) {
      watch.close();
    }
    boolean watched = watch != null;
    // Counted once its completion will be told: Jetty refuses the wrapper (it throws) for a stream already gone.
    request.addHttpStreamWrapper(stream -> new Completion(stream, watched ? connection : null));
    requests.incrementAndGet();
    return request;
  }

  /** Whether the host is stopping: new requests are then refused (503), as Jetty's GracefulHandler refused them. */
  boolean stopping() {
    return stopping;
  }

  /** Requests whose headers are in and that have not completed: for tests and the stop. */
  long requests() {
    return requests.get();
  }

  /**
   * The stop's wait: from now on {@link #stopping()} is true (new requests are refused), and this waits until no
   * request is being handled, at most {@code millis}.
   *
   * @return whether none is
   * @throws InterruptedException if interrupted while waiting
   */
  boolean awaitNoRequest(long millis) throws InterruptedException {
    stopping = true;
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    synchronized (noRequest) {
      while (requests.get() > 0) {
        long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (left <= 0) {
          return false;
        }
        noRequest.wait(left);
      }
      return true;
    }
  }

  /** The connections waiting for a request's headers now: for tests. */
  int watched() {
    return watches.size();
  }

  /** Whether a sweep is scheduled (there are connections to watch): for tests. */
  synchronized boolean sweeping() {
    return sweep != null;
  }

  // Whether the connection is still its endpoint's (not replaced by an upgrade) and open.
  private static boolean current(Connection connection) {
    EndPoint endPoint = connection.getEndPoint();
    return endPoint.getConnection() == connection && endPoint.isOpen();
  }

  // A connection waits for a request's headers from now on, and the sweep runs.
  private void watch(Connection connection) {
    watches.put(connection, new Watch(connection, System.nanoTime() + timeoutNanos));
    // After the put: a sweep that finds no watch under the lock and stops is followed by this one's start.
    synchronized (this) {
      if (sweep == null) {
        try {
          sweep = scheduler.schedule(this::sweep, sweepNanos, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
          log.debug("no request-header sweep: {}", e.toString());
        }
      }
    }
  }

  // A request completed: its connection, if still this HTTP connection and open, waits for the next one's headers.
  private void completed(@Nullable Connection connection) {
    if (connection != null && current(connection)) {
      watch(connection);
      // Closed meanwhile (onClosed found nothing to remove): the sweep drops it, as it drops any such watch.
    }
    if (requests.decrementAndGet() == 0) {
      synchronized (noRequest) {
        noRequest.notifyAll();
      }
    }
  }

  // Closes the connections past their deadline and forgets those closed or upgraded; runs again while any
  // connection is watched, whatever one close throws (a failure must not end the deadline for every connection
  // after it).
  private void sweep() {
    long now = System.nanoTime();
    try {
      for (Watch watch : watches.values()) {
        if (!current(watch.connection)) {
          watches.remove(watch.connection, watch);
        } else if (watch.expired(now)) {
          try {
            watch.closeConnection();
          } catch (RuntimeException e) {
            // Not watched again: the sweep would otherwise keep a watch that never expires again.
            watches.remove(watch.connection, watch);
            log.warn("closing a connection past its request-header deadline failed", e);
          }
        }
      }
    } finally {
      synchronized (this) {
        try {
          sweep = watches.isEmpty() ? null : scheduler.schedule(this::sweep, sweepNanos, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
          // The host is stopping: its connections close with it.
          sweep = null;
        }
      }
    }
  }

  /**
   * A request's stream, told when the request completes (its response, or its failure). Runs before the stream
   * completes, so before Jetty parses the next request or hands the connection over to an upgrade (which closes
   * this one).
   */
  private final class Completion extends HttpStream.Wrapper {
    // The HTTP/1.1 connection that was waiting for this request's headers; null for any other (HTTP/2).
    private final @Nullable Connection connection;

    Completion(HttpStream wrapped, @Nullable Connection connection) {
      super(wrapped);
      this.connection = connection;
    }

    @Override
    public void succeeded() {
      try {
        completed(connection);
      } finally {
        super.succeeded();
      }
    }

    @Override
    public void failed(Throwable failure) {
      try {
        completed(connection);
      } finally {
        super.failed(failure);
      }
    }
  }

  /** One connection's wait for a request's headers. Thread-safe: guarded by its monitor. */
  private final class Watch {
    private final Connection connection;
    private final long deadline;
    // Guarded by this.
    private boolean closed;

    Watch(Connection connection, long deadline) {
      this.connection = connection;
      this.deadline = deadline;
    }

    /** The connection closed, or its request arrived: nothing more to check. */
    synchronized void close() {
      closed = true;
    }

    /** Whether the connection still waits for headers past its deadline; if so it is marked closed. */
    synchronized boolean expired(long now) {
      if (closed || now - deadline < 0) {
        return false;
      }
      closed = true;
      return true;
    }

    void closeConnection() {
      EndPoint endPoint = connection.getEndPoint();
      // An upgrade replaces the endpoint's connection (and closes this one first): never close that one.
      if (current(connection)) {
        log.debug("Closing the connection from {}: no complete request headers within {}",
            endPoint.getRemoteSocketAddress(), timeout);
        endPoint.close(new TimeoutException("no complete request headers within " + timeout));
      }
    }
  }
}
