package dev.parley.testsupport;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Hand-made hostile SSE POST bodies, for the decoder's tests, the same over HTTP, and the fuzz test's seeds. */
public final class HostileBodies {
  /** Characters that mean something in JSON, and some that should never reach a log. */
  public static final String TRICKY = "0123456789-,:[]{}\" \\.eE+tfnul\u0000\n\u001b\u2028\u00e9";

  /** Valid bodies: events with and without ack, answers, empty and nested arguments, binary-looking ones. */
  public static final List<String> VALID = List.of(
      "{\"event\":\"chat\",\"args\":[\"hi\"]}",
      "{\"event\":\"chat\",\"args\":[{\"text\":\"hi\",\"to\":[1,2]}],\"ack\":true}",
      "{\"event\":\"e\"}",
      "{\"event\":\"e\",\"args\":[],\"ack\":false}",
      "{\"ackId\":0,\"args\":[]}",
      "{\"ackId\":9223372036854775807,\"args\":[null,true,1.5,\"x\"]}",
      "{\"event\":\"x\",\"args\":[{\"_placeholder\":true,\"num\":0}]}",
      "{\"event\":\"\u00e9v\u00e9nement\",\"args\":[[[[1]]],{\"a\":{\"b\":{}}}]}");

  private HostileBodies() {
  }

  /** The valid bodies, each changed once in every way: truncated, spliced, given huge numbers, deepened, ... */
  public static List<String> mutated() {
    List<Hostile.Mutation> mutations = new ArrayList<>(Hostile.truncations());
    mutations.addAll(Hostile.insertions(TRICKY));
    for (String number : new String[] {"9223372036854775808", "1e999999999", "-1e999999999", "1" + "0".repeat(1_200),
        "0.5", "1.0e3"}) {
      mutations.add(t -> t.contains("0") || t.contains("9") ? t.replaceFirst("-?[0-9]+", number) : t + number);
    }
    mutations.addAll(Hostile.nestings());
    for (String extra : new String[] {",\"ackId\":1", ",\"event\":7", ",\"args\":{}", ",\"event\":\"\"",
        ",\"ack\":\"yes\""}) {
      mutations.add(t -> t.endsWith("}") ? t.substring(0, t.length() - 1) + extra + "}" : t);
    }
    mutations.add(Hostile.repeat());
    return Hostile.mutated(VALID, mutations);
  }

  /** The body as UTF-8. */
  public static byte[] utf8(String body) {
    return body.getBytes(StandardCharsets.UTF_8);
  }
}
