package dev.parley.transport.sse.internal;

import java.nio.charset.StandardCharsets;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/** Generators of hostile POST bodies, for the decoder's properties and for the same over HTTP. */
public final class HostileBodies {
  /** Characters that mean something in JSON, and some that should never reach a log. */
  public static final String TRICKY = "0123456789-,:[]{}\" \\.eE+tfnul\u0000\n\u001b\u2028\u00e9";
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final JsonMapper MAPPER = JsonMapper.builder().build();

  private HostileBodies() {
  }

  /** JSON values up to {@code depth} levels of arrays and objects. */
  public static Arbitrary<JsonNode> json(int depth) {
    Arbitrary<JsonNode> scalar = Arbitraries.oneOf(
        Arbitraries.strings().ofMaxLength(20).map(s -> (JsonNode) NODES.stringNode(s)),
        Arbitraries.longs().map(n -> (JsonNode) NODES.numberNode(n)),
        Arbitraries.doubles().map(n -> (JsonNode) NODES.numberNode(n)),
        Arbitraries.bigIntegers().between(java.math.BigInteger.TEN.pow(30).negate(), java.math.BigInteger.TEN.pow(30))
            .map(n -> (JsonNode) NODES.numberNode(n)),
        Arbitraries.of(true, false).map(b -> (JsonNode) NODES.booleanNode(b)),
        Arbitraries.just(NODES.nullNode()));
    if (depth == 0) {
      return scalar;
    }
    Arbitrary<JsonNode> inner = json(depth - 1);
    Arbitrary<JsonNode> array = inner.list().ofMaxSize(4).map(list -> {
      ArrayNode node = NODES.arrayNode();
      list.forEach(node::add);
      return node;
    });
    Arbitrary<JsonNode> object = Arbitraries.maps(Arbitraries.strings().ofMaxLength(6), inner).ofMaxSize(3)
        .map(map -> {
          ObjectNode node = NODES.objectNode();
          map.forEach(node::set);
          return node;
        });
    return Arbitraries.frequencyOf(Tuple.of(3, scalar), Tuple.of(2, array), Tuple.of(1, object));
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
    Arbitrary<Double> where = Arbitraries.doubles().between(0, 1);
    Arbitrary<Character> tricky = Arbitraries.of(TRICKY.chars().mapToObj(c -> (char) c).toArray(Character[]::new));
    Arbitrary<Mutation> truncate = where.map(w -> t -> t.substring(0, at(t, w)));
    Arbitrary<Mutation> insert = Combinators.combine(where, tricky)
        .as((w, c) -> t -> t.substring(0, at(t, w)) + c + t.substring(at(t, w)));
    Arbitrary<Mutation> hugeNumber = Arbitraries.of("9223372036854775808", "1e999999999", "-1e999999999",
        "1" + "0".repeat(1_200), "0.5", "1.0e3").map(n -> t -> t.replaceFirst("-?[0-9]+", n));
    Arbitrary<Mutation> nest = Combinators.combine(where, Arbitraries.integers().between(10, 1_500))
        .as((w, n) -> t -> t.substring(0, at(t, w)) + "[".repeat(n) + t.substring(at(t, w)) + "]".repeat(n));
    Arbitrary<Mutation> duplicateKey = Arbitraries.of(",\"ackId\":1", ",\"event\":7", ",\"args\":{}", ",\"event\":\"\"",
        ",\"ack\":\"yes\"").map(extra -> t -> t.endsWith("}") ? t.substring(0, t.length() - 1) + extra + "}" : t);
    Arbitrary<Mutation> mutation = Arbitraries.oneOf(truncate, insert, hugeNumber, nest, duplicateKey);
    return Combinators.combine(valid, mutation, Arbitraries.integers().between(1, 3)).as((text, m, times) -> {
      String out = text;
      for (int i = 0; i < times; i++) {
        out = m.apply(out);
      }
      return out;
    });
  }

  /** A change to a body's text. */
  private interface Mutation {
    String apply(String text);
  }

  private static int at(String text, double where) {
    return (int) Math.floor(where * text.length());
  }

  /** The body as UTF-8. */
  public static byte[] utf8(String body) {
    return body.getBytes(StandardCharsets.UTF_8);
  }
}
