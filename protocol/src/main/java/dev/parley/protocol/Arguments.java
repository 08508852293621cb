package dev.parley.protocol;

import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * The JSON arguments of an event or an ack. Binary arguments are {@code BinaryNode}s, read with
 * {@link #bytes(int)}.
 */
public interface Arguments {

  /** The arguments as JSON trees, in order; unmodifiable. */
  List<JsonNode> args();

  /** How many arguments there are. */
  default int size() {
    return args().size();
  }

  /**
   * One argument as a JSON tree.
   *
   * @throws IllegalArgumentException if there is no argument at {@code index}
   */
  JsonNode arg(int index);

  /**
   * One argument converted to {@code type} by the server's JSON mapper.
   *
   * @throws IllegalArgumentException if there is no such argument or it does not convert to {@code type}
   */
  <T> T arg(int index, Class<T> type);

  /**
   * One binary argument.
   *
   * @throws IllegalArgumentException if there is no such argument or it is not binary
   */
  byte[] bytes(int index);
}
