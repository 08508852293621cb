package dev.parley.testsupport;

import java.math.BigInteger;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The generators that hostile inputs of every wire format share: JSON values of any shape, and changes to
 * a valid text (cut short, a tricky character put in, deep nesting), applied a few times over.
 * {@link HostilePackets} (Socket.IO) and {@link HostileBodies} (SSE POST bodies) build on them.
 */
public final class Hostile {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private Hostile() {
  }

  /** A change to a text. */
  public interface Mutation {
    /** The changed text. */
    String apply(String text);
  }

  /**
   * JSON values up to {@code depth} levels of arrays and objects; some objects have the shape of a
   * Socket.IO binary placeholder, with {@code "_placeholder": placeholders}.
   */
  public static Arbitrary<JsonNode> json(int depth, boolean placeholders) {
    Arbitrary<JsonNode> scalar = Arbitraries.oneOf(
        Arbitraries.strings().ofMaxLength(20).map(s -> (JsonNode) NODES.stringNode(s)),
        Arbitraries.longs().map(n -> (JsonNode) NODES.numberNode(n)),
        Arbitraries.doubles().map(n -> (JsonNode) NODES.numberNode(n)),
        Arbitraries.bigIntegers().between(BigInteger.TEN.pow(30).negate(), BigInteger.TEN.pow(30))
            .map(n -> (JsonNode) NODES.numberNode(n)),
        Arbitraries.of(true, false).map(b -> (JsonNode) NODES.booleanNode(b)),
        Arbitraries.just(NODES.nullNode()),
        Arbitraries.of(0, 1, 2, 99, -1).map(n -> (JsonNode) NODES.objectNode().put("_placeholder", placeholders)
            .put("num", n)));
    if (depth == 0) {
      return scalar;
    }
    Arbitrary<JsonNode> inner = json(depth - 1, placeholders);
    Arbitrary<JsonNode> array = inner.list().ofMaxSize(4).map(list -> {
      ArrayNode node = NODES.arrayNode();
      list.forEach(node::add);
      return node;
    });
    Arbitrary<JsonNode> object = Arbitraries.maps(Arbitraries.strings().ofMaxLength(8), inner).ofMaxSize(4)
        .map(map -> {
          ObjectNode node = NODES.objectNode();
          map.forEach(node::set);
          return node;
        });
    return Arbitraries.frequencyOf(Tuple.of(3, scalar), Tuple.of(2, array), Tuple.of(1, object));
  }

  /** Cuts the text at any point. */
  public static Arbitrary<Mutation> truncations() {
    return where().map(w -> t -> t.substring(0, at(t, w)));
  }

  /** Puts one of the {@code tricky} characters in at any point. */
  public static Arbitrary<Mutation> insertions(String tricky) {
    return Combinators.combine(where(), Arbitraries.of(chars(tricky)))
        .as((w, c) -> t -> t.substring(0, at(t, w)) + c + t.substring(at(t, w)));
  }

  /** Wraps the rest of the text from any point in 10 to 1,500 arrays. */
  public static Arbitrary<Mutation> nestings() {
    return Combinators.combine(where(), Arbitraries.integers().between(10, 1_500))
        .as((w, n) -> t -> t.substring(0, at(t, w)) + "[".repeat(n) + t.substring(at(t, w)) + "]".repeat(n));
  }

  /** Texts from {@code valid}, each changed by one of {@code mutations} one to {@code maxTimes} times. */
  public static Arbitrary<String> mutated(Arbitrary<String> valid, Arbitrary<Mutation> mutations, int maxTimes) {
    return Combinators.combine(valid, mutations, Arbitraries.integers().between(1, maxTimes)).as((text, m, times) -> {
      String out = text;
      for (int i = 0; i < times; i++) {
        out = m.apply(out);
      }
      return out;
    });
  }

  /** A position in [0, 1), scaled to a text's length by {@link #at}. */
  public static Arbitrary<Double> where() {
    return Arbitraries.doubles().between(0, 1);
  }

  /** The index {@code where} of the way into {@code text}. */
  public static int at(String text, double where) {
    return (int) Math.floor(where * text.length());
  }

  /** The characters of {@code text}, for {@link Arbitraries#of}. */
  public static Character[] chars(String text) {
    Character[] out = new Character[text.length()];
    for (int i = 0; i < text.length(); i++) {
      out[i] = text.charAt(i);
    }
    return out;
  }
}
