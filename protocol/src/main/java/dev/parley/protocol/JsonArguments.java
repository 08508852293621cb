package dev.parley.protocol;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * {@link Arguments} over a list of JSON trees, converted to Java types with a given {@link JsonMapper};
 * and the one conversion of application values to JSON trees that every emit and ack uses. The engine's
 * events and replies and the Java client's ({@code dev.parley.client}) are built on it, so that they read
 * and convert arguments, and word their errors, the same way.
 *
 * <p>A subclass adds what its kind of arguments needs (a name, an ack); the argument access itself is
 * final. Immutable: the list is copied once, in the constructor; {@code JsonNode}s are not copied.
 *
 * <pre>{@code
 * final class MyReply extends JsonArguments implements Reply {
 *   MyReply(List<JsonNode> args, JsonMapper mapper) {
 *     super("Reply", args, mapper);
 *   }
 * }
 * List<JsonNode> json = JsonArguments.toJson(mapper, "chat", new Object[] {"hi", Map.of("n", 1)});
 * }</pre>
 */
public abstract class JsonArguments implements Arguments {
  private final String kind;
  private final List<JsonNode> args;
  private final JsonMapper mapper;

  /**
   * Keeps the arguments and the mapper that {@link #arg(int, Class)} converts them with.
   *
   * @param args the arguments, in order; copied (null elements are not allowed: use a {@code NullNode})
   * @param mapper the mapper for {@link #arg(int, Class)}
   * @throws NullPointerException if either is null, or an argument is
   */
  protected JsonArguments(List<JsonNode> args, JsonMapper mapper) {
    this("Arguments", args, mapper);
  }

  /**
   * As {@link #JsonArguments(List, JsonMapper)}, with the name {@link #toString()} gives these arguments:
   * {@code Reply[...]} for {@code kind} "Reply". A reply needs nothing more than this.
   *
   * @param kind what these arguments are, for {@code toString()}
   * @param args the arguments, in order; copied (null elements are not allowed: use a {@code NullNode})
   * @param mapper the mapper for {@link #arg(int, Class)}
   * @throws NullPointerException if any is null, or an argument is
   */
  protected JsonArguments(String kind, List<JsonNode> args, JsonMapper mapper) {
    this.kind = Objects.requireNonNull(kind, "kind");
    this.args = List.copyOf(args);
    this.mapper = Objects.requireNonNull(mapper, "mapper");
  }

  @Override
  public final List<JsonNode> args() {
    return args;
  }

  @Override
  public final JsonNode arg(int index) {
    if (index < 0 || index >= args.size()) {
      throw new IllegalArgumentException("no argument " + index + ": there are " + args.size());
    }
    return args.get(index);
  }

  @Override
  public final <T> T arg(int index, Class<T> type) {
    JsonNode node = arg(index);
    try {
      T value = mapper.treeToValue(node, type);
      if (value == null) {
        throw new IllegalArgumentException("argument " + index + " is null, not a " + type.getSimpleName());
      }
      return value;
    } catch (JacksonException e) {
      throw new IllegalArgumentException("argument " + index + " is not a " + type.getSimpleName()
          + ": " + e.getOriginalMessage(), e);
    }
  }

  @Override
  public final byte[] bytes(int index) {
    JsonNode node = arg(index);
    if (!node.isBinary()) {
      throw new IllegalArgumentException("argument " + index + " is not binary but " + node.getNodeType());
    }
    return node.binaryValue();
  }

  /** The kind given to the constructor followed by the arguments, such as {@code Reply["hi", 1]}. */
  @Override
  public String toString() {
    return kind + args;
  }

  /**
   * Converts the arguments of an emit or an ack to JSON trees, each as
   * {@link #toJson(JsonMapper, String, int, Object)} does.
   *
   * @param mapper serialises values that are not JSON trees already
   * @param event the event the arguments belong to, for error messages
   * @param args the application's values, in order
   * @return a new mutable list of the trees, one per value
   * @throws NullPointerException if {@code args} is null
   * @throws IllegalArgumentException if a value cannot be serialised; the message names its index and the
   *     event
   */
  public static List<JsonNode> toJson(JsonMapper mapper, String event, @Nullable Object[] args) {
    Objects.requireNonNull(args, "args");
    List<JsonNode> out = new ArrayList<>(args.length);
    for (int i = 0; i < args.length; i++) {
      out.add(toJson(mapper, event, i, args[i]));
    }
    return out;
  }

  /**
   * Converts one application value to a JSON tree: null becomes a {@code NullNode}, a {@code JsonNode} is
   * taken as it is, a {@code byte[]} becomes a {@code BinaryNode} of a copy of it (a binary attachment
   * where the transport has them), anything else goes through {@code mapper.valueToTree}.
   *
   * @param mapper serialises values that are not JSON trees already
   * @param event the event the value belongs to, for the error message
   * @param index the value's position among the event's arguments, for the error message
   * @param value the value
   * @return the tree
   * @throws IllegalArgumentException if the mapper cannot serialise the value:
   *     {@code argument <index> of event "<event>" cannot be serialised to JSON (<class>): <reason>}
   */
  public static JsonNode toJson(JsonMapper mapper, String event, int index, @Nullable Object value) {
    if (value == null) {
      return JsonNodeFactory.instance.nullNode();
    }
    if (value instanceof JsonNode node) {
      return node;
    }
    if (value instanceof byte[] bytes) {
      return JsonNodeFactory.instance.binaryNode(bytes.clone());
    }
    try {
      return mapper.valueToTree(value);
    } catch (JacksonException e) {
      throw new IllegalArgumentException("argument " + index + " of event " + Names.quote(event)
          + " cannot be serialised to JSON (" + value.getClass().getName() + "): " + e.getOriginalMessage(), e);
    }
  }
}
