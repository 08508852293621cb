package dev.parley.transport.websocket;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.testsupport.Timeouts;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An Engine.IO v4 long-polling client by hand, over the JDK's HttpClient (HTTP/1.1): handshake, GETs and POSTs
 * of one server, every wait bounded by {@link Timeouts#STEP}. Thread-safe, but the protocol allows one POST
 * and one GET per session at a time: the caller keeps to that.
 */
final class RawPolling {
  /** Engine.IO v4's separator between the packets of one HTTP body. */
  static final String RS = "\u001e";
  static final Duration WAIT = Timeouts.STEP;
  private static final Pattern SID = Pattern.compile("^0\\{\"sid\":\"([A-Za-z0-9_-]+)\"");

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final String base;

  /** A client of the server at {@code serverUrl} ({@code http://127.0.0.1:port}). */
  RawPolling(String serverUrl) {
    base = serverUrl + "/socket.io/?EIO=4&transport=polling";
  }

  /** The handshake GET, whatever it is answered. */
  HttpResponse<String> open() throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(base)).timeout(WAIT).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** A handshake that must succeed: the new session's id. */
  String handshake() throws Exception {
    HttpResponse<String> open = open();
    assertThat(open.statusCode()).as(open.body()).isEqualTo(200);
    Matcher sid = SID.matcher(open.body());
    assertThat(sid.find()).as(open.body()).isTrue();
    return sid.group(1);
  }

  /** A session connected to the main namespace, its CONNECT answered: its id. */
  String connected() throws Exception {
    String sid = handshake();
    assertThat(post(sid, "40").body()).isEqualTo("ok");
    // With a short heartbeat a ping may come first: answered, as a client would, before the CONNECT answer.
    for (int polls = 0; polls < 5; polls++) {
      for (String packet : get(sid).body().split(RS)) {
        if (packet.equals("2")) {
          assertThat(post(sid, "3").body()).isEqualTo("ok");
        } else {
          assertThat(packet).startsWith("40{\"sid\":");
          return sid;
        }
      }
    }
    throw new AssertionError("no CONNECT answer for " + sid + " in 5 polls");
  }

  HttpResponse<String> get(String sid) throws Exception {
    return http.send(request(sid).build(), HttpResponse.BodyHandlers.ofString());
  }

  CompletableFuture<HttpResponse<String>> getAsync(String sid) {
    return http.sendAsync(request(sid).build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> post(String sid, String body) throws Exception {
    return http.send(request(sid).POST(HttpRequest.BodyPublishers.ofString(body))
        .header("Content-Type", "text/plain;charset=UTF-8").build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpRequest.Builder request(String sid) {
    return HttpRequest.newBuilder(URI.create(base + "&sid=" + sid)).timeout(WAIT);
  }

  /** The packets of a response body. */
  static List<String> packets(String body) {
    return Arrays.asList(body.split(RS));
  }

  /** Long-polls until at least {@code count} packets other than pings have come; pings are answered. */
  List<String> receive(String sid, int count) throws Exception {
    List<String> packets = new ArrayList<>();
    while (packets.size() < count) {
      HttpResponse<String> response = get(sid);
      assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
      for (String packet : packets(response.body())) {
        if (packet.equals("2")) {
          post(sid, "3");
        } else {
          packets.add(packet);
        }
      }
    }
    return packets;
  }
}
