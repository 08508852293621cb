package dev.parley.host.jetty;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.ConnectionMetaData;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.thread.Scheduler;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes an HTTP/1.1 connection that has not delivered a request's complete headers within
 * {@link JettyHostConfig#requestHeaderTimeout()}, counted from when the connection opened or, once kept
 * alive, from the end of the previous response. Jetty's idle timeout restarts with every byte, so a
 * client trickling one byte at a time holds a connection for ever; this deadline does not move.
 *
 * <p>It listens to the HTTP/1.1 connections of one connection factory ({@link Connection.Listener}:
 * armed when one opens, dropped when it closes or is upgraded to WebSocket, since an upgrade closes the
 * HTTP connection) and to every request once its headers are parsed ({@link HttpConfiguration.Customizer}:
 * disarmed then, armed again when the response completes). A request being handled, such as an SSE
 * stream that never ends, is therefore never subject to it.
 *
 * <p>Cost: per request two uncontended monitor enters and a completion listener (Jetty's wrapper of the
 * request's stream; the listener is the connection's watch); per connection at most one scheduled task pending at
 * a time, cancelled when its first request arrives or the connection closes, scheduled again when a response
 * completes, rescheduled when it fires before a deadline that a later response moved: a busy connection schedules
 * about one task per timeout, not one per request, and a held request (an SSE stream, a long-poll) keeps none.
 */
final class RequestHeaderDeadline implements Connection.Listener, HttpConfiguration.Customizer {
  private static final Logger log = LoggerFactory.getLogger(RequestHeaderDeadline.class);

  private final Scheduler scheduler;
  private final Duration timeout;
  private final long timeoutNanos;
  private final ConcurrentHashMap<Connection, Watch> watches = new ConcurrentHashMap<>();

  RequestHeaderDeadline(Scheduler scheduler, Duration timeout) {
    this.scheduler = scheduler;
    this.timeout = timeout;
    this.timeoutNanos = timeout.toNanos();
  }

  /** A connection opened: its first request's headers are due within the timeout. */
  @Override
  public void onOpened(Connection connection) {
    // Only HTTP connections carry requests; anything else (an upgraded one) is not watched.
    if (connection instanceof ConnectionMetaData) {
      Watch watch = new Watch(connection);
      watches.put(connection, watch);
      watch.awaitRequest();
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

  /** A request's headers are complete: disarms until its response completes. */
  @Override
  public Request customize(Request request, HttpFields.Mutable responseHeaders) {
    Watch watch = watches.get(request.getConnectionMetaData().getConnection());
    if (watch != null) {
      watch.requestArrived();
      // Runs before the stream completes, so before Jetty parses the next request (whose arrival then
      // disarms again) or hands the connection over to an upgrade (which closes this one).
      Request.addCompletionListener(request, watch);
    }
    return request;
  }

  /** The connections watched now: for tests. */
  int watched() {
    return watches.size();
  }

  /** The checks waiting on the timer now: for tests. */
  int pending() {
    int pending = 0;
    for (Watch watch : watches.values()) {
      if (watch.pending()) {
        pending++;
      }
    }
    return pending;
  }

  /**
   * One connection's deadline; also the completion listener of each of its requests (one object per connection
   * rather than a listener per request, which a held request would keep). Thread-safe: guarded by its monitor.
   */
  private final class Watch implements Runnable, Consumer<Throwable> {
    private final Connection connection;
    // Guarded by this.
    private boolean awaiting;
    private boolean answered;
    private long deadline;
    private boolean closed;
    private Scheduler.@Nullable Task pending;

    Watch(Connection connection) {
      this.connection = connection;
    }

    /** The connection waits for a request: its headers are due within the timeout from now. */
    synchronized void awaitRequest() {
      if (closed) {
        return;
      }
      awaiting = true;
      deadline = System.nanoTime() + timeoutNanos;
      if (pending == null) {
        pending = scheduler.schedule(this, timeoutNanos, TimeUnit.NANOSECONDS);
      }
    }

    /**
     * A request's headers are in: a check that fires now finds nothing to do. The connection's first request
     * also cancels the pending check: most connections carry one request (an upgrade, a stream, a held poll), and
     * the check would stay in the timer's queue, a task for each, until its time. A kept-alive connection's later
     * requests leave it there (a busy connection then schedules about one check per timeout, not one per request).
     */
    synchronized void requestArrived() {
      awaiting = false;
      if (!answered && pending != null) {
        pending.cancel();
        pending = null;
      }
    }

    /** A request completed (its response, or its failure): the next request's headers are due. */
    @Override
    public void accept(Throwable failure) {
      synchronized (this) {
        answered = true;
      }
      awaitRequest();
    }

    synchronized boolean pending() {
      return pending != null;
    }

    /** The connection closed: the pending check, if any, is cancelled so that it holds nothing. */
    synchronized void close() {
      closed = true;
      awaiting = false;
      if (pending != null) {
        pending.cancel();
        pending = null;
      }
    }

    /** The check: closes the connection if it still waits for headers past the deadline. */
    @Override
    public void run() {
      synchronized (this) {
        pending = null;
        if (closed || !awaiting) {
          return;
        }
        long left = deadline - System.nanoTime();
        if (left > 0) {
          pending = scheduler.schedule(this, left, TimeUnit.NANOSECONDS);
          return;
        }
        closed = true;
      }
      EndPoint endPoint = connection.getEndPoint();
      // An upgrade replaces the endpoint's connection (and closes this one first): never close that one.
      if (endPoint.getConnection() == connection && endPoint.isOpen()) {
        log.debug("Closing the connection from {}: no complete request headers within {}",
            endPoint.getRemoteSocketAddress(), timeout);
        endPoint.close(new TimeoutException("no complete request headers within " + timeout));
      }
    }
  }
}
