package dev.parley.testsupport;

import java.nio.charset.StandardCharsets;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/** Generators of hostile SSE POST bodies, for the decoder's properties and for the same over HTTP. */
public final class HostileBodies {
  /** Characters that mean something in JSON, and some that should never reach a log. */
  public static final String TRICKY = "0123456789-,:[]{}\" \\.eE+tfnul\u0000\n\u001b\u2028\u00e9";
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final JsonMapper MAPPER = JsonMapper.builder().build();

  private HostileBodies() {
  }

  /** JSON values up to {@code depth} levels of arrays and objects. */
  public static Arbitrary<JsonNode> json(int depth) {
    return Hostile.json(depth, false);
  }

  /** Valid event and answer bodies, each changed one to three times (truncated, spliced, deepened, ...). */
  public static Arbitrary<String> mutated() {
    Arbitrary<String> valid = Combinators.combine(Arbitraries.strings().ofMaxLength(12), json(2).list().ofMaxSize(3),
        Arbitraries.of(true, false), Arbitraries.longs().between(-1, Long.MAX_VALUE), Arbitraries.of(true, false))
        .as((event, args, ack, ackId, answer) -> {
          ObjectNode body = NODES.objectNode();
          ArrayNode array = body.putArray("args");
          args.forEach(array::add);
          if (answer) {
            body.put("ackId", ackId);
          } else {
            body.put("event", event).put("ack", ack);
          }
          return MAPPER.writeValueAsString(body);
        });
    Arbitrary<Hostile.Mutation> hugeNumber = Arbitraries.of("9223372036854775808", "1e999999999", "-1e999999999",
        "1" + "0".repeat(1_200), "0.5", "1.0e3").map(n -> t -> t.replaceFirst("-?[0-9]+", n));
    Arbitrary<Hostile.Mutation> duplicateKey = Arbitraries.of(",\"ackId\":1", ",\"event\":7", ",\"args\":{}",
        ",\"event\":\"\"", ",\"ack\":\"yes\"").map(extra -> t -> t.endsWith("}") ? t.substring(0, t.length() - 1) + extra + "}" : t);
    return Hostile.mutated(valid, Arbitraries.oneOf(Hostile.truncations(), Hostile.insertions(TRICKY), hugeNumber,
        Hostile.nestings(), duplicateKey), 3);
  }

  /** The body as UTF-8. */
  public static byte[] utf8(String body) {
    return body.getBytes(StandardCharsets.UTF_8);
  }
}
