package dev.parley.testsupport;

import dev.parley.protocol.sse.EventStreamParser;
import java.net.http.HttpResponse.BodyHandlers;
import java.util.concurrent.Flow;
import org.jspecify.annotations.Nullable;

/**
 * A {@code text/event-stream} read line by line on the JDK {@code HttpClient}
 * ({@link BodyHandlers#fromLineSubscriber}), each line going to the protocol's {@link EventStreamParser}
 * and each event it dispatches to {@link #event}: an {@code EventSource} with no thread of its own. It
 * requests every line at once; {@link #cancel()} ends the stream, as {@code EventSource.close()} does.
 * Lines arrive on the client's I/O thread, one at a time.
 */
public abstract class EventStreamSubscriber implements Flow.Subscriber<String> {
  private final EventStreamParser parser;
  private volatile Flow.@Nullable Subscription subscription;

  /** A stream whose last event id starts as {@code lastEventId} (a resumed stream), or null. */
  protected EventStreamSubscriber(@Nullable String lastEventId) {
    this.parser = new EventStreamParser(lastEventId);
  }

  /** Called for each event the stream dispatches, on the client's I/O thread. */
  protected abstract void event(EventStreamParser.Event event);

  @Override
  public final void onSubscribe(Flow.Subscription subscription) {
    this.subscription = subscription;
    subscription.request(Long.MAX_VALUE);
  }

  @Override
  public final void onNext(String line) {
    EventStreamParser.Event event = parser.line(line);
    if (event != null) {
      event(event);
    }
  }

  /** Cancels the stream; nothing more is read. Safe before the response has started and more than once. */
  public void cancel() {
    Flow.Subscription current = subscription;
    if (current != null) {
      current.cancel();
    }
  }
}
