package dev.parley.client.internal;

import java.lang.reflect.InvocationTargetException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

/**
 * Parley's SSE transport on the JDK {@link HttpClient}: one client of the client's own, HTTP/1.1, whose
 * asynchronous work runs on the client's {@code http} threads, and whose selector thread joins the client's
 * thread group because it is made on the control thread. Keeps the last event id across streams, for
 * {@code Last-Event-ID}.
 */
final class SseConnector extends Connector {
  private static final Logger log = LoggerFactory.getLogger(SseConnector.class);
  /** How the JDK's HttpClient prints itself, {@code jdk.internal.net.http.HttpClientImpl@1a2b(7)}: its id. */
  private static final Pattern CLIENT_ID = Pattern.compile("\\((\\d+)\\)$");
  private static final long IDLE_THREAD_SECONDS = 30;

  private final ClientConfig settings;
  private final ClientThreads threads;
  private final String postBase;
  private final ThreadPoolExecutor executor;
  private final Object lock = new Object();
  // Guarded by lock.
  private @Nullable HttpClient http;
  private boolean shut;
  private volatile @Nullable String lastEventId;

  SseConnector(ClientConfig settings, ClientThreads threads) {
    super(settings.sseStream(), "parley:session event");
    this.settings = settings;
    this.threads = threads;
    this.postBase = settings.ssePostBase();
    // Tasks the HttpClient hands over after close() are dropped: the client is gone.
    this.executor = new ThreadPoolExecutor(0, Integer.MAX_VALUE, IDLE_THREAD_SECONDS, TimeUnit.SECONDS,
        new SynchronousQueue<>(), threads.factory("http"), new ThreadPoolExecutor.DiscardPolicy());
  }

  JsonMapper mapper() {
    return settings.jsonMapper();
  }

  String namespace() {
    return settings.namespace();
  }

  /** The id of the last event the client received, or null: sent as {@code Last-Event-ID} on the next stream. */
  @Nullable String lastEventId() {
    return lastEventId;
  }

  void lastEventId(@Nullable String id) {
    lastEventId = id;
  }

  @Override
  Link newLink(LinkListener listener) {
    return new SseLink(listener, this,
        new OutboundBuffer(settings.outboundBufferSize(), settings.outboundBufferBytes()));
  }

  /**
   * Starts the stream request with these headers (also those of the stream's posts); the link reports its
   * answer. Runs on the control thread.
   */
  @Override
  void open(Link link, Map<String, String> headers) {
    HttpClient client = client();
    String resumeAfter = lastEventId;
    HttpRequest.Builder request = HttpRequest.newBuilder(endpoint()).GET();
    headers.forEach(request::header);
    request.setHeader("Accept", "text/event-stream").setHeader("Cache-Control", "no-cache");
    if (resumeAfter != null) {
      request.setHeader("Last-Event-ID", resumeAfter);
    }
    ((SseLink) link).start(client, request.build(), resumeAfter, headers);
  }

  /** A POST of a JSON body to the session of a stream, with the stream's headers. */
  HttpRequest post(String session, String token, byte[] body, Map<String, String> headers) {
    HttpRequest.Builder request = HttpRequest.newBuilder(
        URI.create(postBase + "?sid=" + URLEncoder.encode(session, StandardCharsets.UTF_8)))
        .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    headers.forEach(request::header);
    return request.setHeader("Content-Type", "application/json").setHeader("X-Parley-Token", token).build();
  }

  /** The HttpClient, made on first use, on the calling thread (the control thread): see the class comment. */
  private HttpClient client() {
    synchronized (lock) {
      if (shut) {
        throw new IllegalStateException("the client is closed");
      }
      if (http == null) {
        http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(settings.connectTimeout())
            .followRedirects(HttpClient.Redirect.NEVER)
            .executor(executor)
            .build();
      }
      return http;
    }
  }

  @Override
  void shutdown() {
    stop();
    executor.shutdown();
  }

  @Override
  void shutdownNow() {
    stop();
    executor.shutdownNow();
  }

  /**
   * Stops the HttpClient: {@code shutdownNow()} where the JDK has it (21 and later); before that, an
   * HttpClient has no way to stop but being garbage-collected, so its selector thread, which is in the
   * client's thread group, is interrupted, which makes it close the client's connections and end.
   */
  private void stop() {
    HttpClient client;
    synchronized (lock) {
      shut = true;
      client = http;
      http = null;
    }
    if (client == null) {
      return;
    }
    try {
      HttpClient.class.getMethod("shutdownNow").invoke(client);
      return;
    } catch (NoSuchMethodException e) {
      // JDK 17 to 20.
    } catch (IllegalAccessException | InvocationTargetException | RuntimeException e) {
      log.debug("HttpClient.shutdownNow failed: {}", e.toString());
    }
    Matcher id = CLIENT_ID.matcher(client.toString());
    String selector = id.find() ? "HttpClient-" + id.group(1) + "-SelectorManager" : null;
    threads.interrupt(thread -> selector == null
        ? thread.getName().startsWith("HttpClient-") && thread.getName().endsWith("-SelectorManager")
        : thread.getName().equals(selector));
  }
}
