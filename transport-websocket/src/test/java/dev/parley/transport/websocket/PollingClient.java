package dev.parley.transport.websocket;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.testsupport.Timeouts;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Engine.IO long-polling by hand, for the raw protocol tests: each request a plain HttpClient call bounded by
 * {@link Timeouts#STEP}, and {@link #receive} long-polling as a client does (pings answered with pongs).
 */
final class PollingClient {
  static final String RS = "\u001e";
  static final Duration WAIT = Timeouts.STEP;
  private static final Pattern SID = Pattern.compile("^0\\{\"sid\":\"([A-Za-z0-9_-]+)\"");

  private final HttpClient http = HttpClient.newHttpClient();
  // The polling URL without sid: http://host:port/socket.io/?EIO=4&transport=polling
  private final String base;

  PollingClient(String serverUrl) {
    this.base = serverUrl + "/socket.io/?EIO=4&transport=polling";
  }

  String base() {
    return base;
  }

  HttpClient http() {
    return http;
  }

  HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return http.send(request.timeout(WAIT).build(), HttpResponse.BodyHandlers.ofString());
  }

  CompletableFuture<HttpResponse<String>> getAsync(String sid) {
    return http.sendAsync(HttpRequest.newBuilder(URI.create(base + "&sid=" + sid)).timeout(WAIT).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> get(String sid) throws Exception {
    return send(HttpRequest.newBuilder(URI.create(base + "&sid=" + sid)));
  }

  HttpResponse<String> post(String sid, String body) throws Exception {
    return send(HttpRequest.newBuilder(URI.create(base + "&sid=" + sid))
        .POST(HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "text/plain;charset=UTF-8"));
  }

  /** The open packet's body, after checking the handshake was answered 200. */
  String open() throws Exception {
    HttpResponse<String> open = send(HttpRequest.newBuilder(URI.create(base)));
    assertThat(open.statusCode()).as(open.body()).isEqualTo(200);
    return open.body();
  }

  /** A new session's id. */
  String handshake() throws Exception {
    return sid(open());
  }

  /** The session id an open packet names. */
  static String sid(String open) {
    Matcher sid = SID.matcher(open);
    assertThat(sid.find()).as(open).isTrue();
    return sid.group(1);
  }

  /** A session connected to the main namespace: its CONNECT answered. */
  String connected() throws Exception {
    return joined(handshake());
  }

  /** Connects session {@code sid} to the main namespace and waits for the answer. */
  String joined(String sid) throws Exception {
    assertThat(post(sid, "40").body()).isEqualTo("ok");
    assertThat(get(sid).body()).startsWith("40{\"sid\":");
    return sid;
  }

  /** Long-polls until at least {@code count} packets have come (pings answered with pongs on the way). */
  List<String> receive(String sid, int count) throws Exception {
    List<String> packets = new ArrayList<>();
    while (packets.size() < count) {
      HttpResponse<String> response = get(sid);
      assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
      for (String packet : response.body().split(RS)) {
        if (packet.equals("2")) {
          post(sid, "3");
        } else {
          packets.add(packet);
        }
      }
    }
    return packets;
  }

  /**
   * A WebSocket handshake for session {@code sid} sent by hand on a socket of its own, for the answers a client
   * library hides: the status line and the body of a refusal, {@code "HTTP/1.1 400 ...\n{...}"}, or the status
   * line alone for 101.
   */
  String upgrade(String sid) throws Exception {
    URI uri = URI.create(base.replace("transport=polling", "transport=websocket") + "&sid=" + sid);
    try (Socket socket = new Socket(uri.getHost(), uri.getPort())) {
      socket.setSoTimeout((int) WAIT.toMillis());
      OutputStream out = socket.getOutputStream();
      out.write(("GET " + uri.getRawPath() + "?" + uri.getRawQuery() + " HTTP/1.1\r\nHost: " + uri.getHost() + ":"
          + uri.getPort() + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
          + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
      String status = in.readLine();
      int length = 0;
      for (String header = in.readLine(); header != null && !header.isEmpty(); header = in.readLine()) {
        if (header.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
          length = Integer.parseInt(header.substring("content-length:".length()).trim());
        }
      }
      if (status.startsWith("HTTP/1.1 101")) {
        return status;
      }
      char[] body = new char[length];
      int read = 0;
      while (read < length) {
        int n = in.read(body, read, length - read);
        if (n < 0) {
          break;
        }
        read += n;
      }
      return status + "\n" + new String(body, 0, read);
    }
  }

  /** Checks an Engine.IO JSON error: its status, content type and body. */
  static void assertError(HttpResponse<String> response, int status, int code, String message) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    assertThat(response.headers().firstValue("content-type")).hasValueSatisfying(
        type -> assertThat(type).startsWith("application/json"));
    assertThat(response.body()).isEqualTo("{\"code\":" + code + ",\"message\":\"" + message + "\"}");
  }
}
