package dev.parley.store.memory;

import dev.parley.spi.Post;
import java.util.ArrayDeque;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * A cheap estimate of the heap a stored message or saved session holds, in bytes, as a 64-bit JVM with
 * compressed references and compact strings lays them out. One pass over the payload's JSON tree, no
 * allocation beyond a small stack, no serialisation. The rules are on {@link MemoryStoreConfig}.
 */
final class MemorySize {
  /** The {@code Message} record, its id (16 chars), its {@code Instant}, its slots in the room's ring. */
  static final long MESSAGE = 176;
  /** A room's own bookkeeping: map entry, key, log, its smallest ring, its place in the size order. */
  static final long ROOM = 256;
  /** A saved session's entry: key, map and ordering nodes, expiry. */
  static final long SESSION = 160;

  static final long VALUE = 24;
  static final long STRING = 40;
  static final long OBJECT = 88;
  static final long MEMBER = 56;
  static final long ARRAY = 56;
  static final long BINARY = 16;
  static final long BIG_NUMBER = 40;

  private MemorySize() {
  }

  /** What a message made from this post holds, the payload included. */
  static long of(Post post) {
    return MESSAGE + string(post.namespace()) + string(post.room()) + string(post.event())
        + string(post.sender()) + json(post.payload());
  }

  /** What a saved session holds. */
  static long session(String namespace, String privateId, String state) {
    return SESSION + string(namespace) + string(privateId) + string(state);
  }

  /**
   * A string: its object and array headers, then one byte per char if every char is Latin-1 (as compact
   * strings hold it), two otherwise.
   */
  static long string(@Nullable String s) {
    if (s == null) {
      return 0;
    }
    int length = s.length();
    for (int i = 0; i < length; i++) {
      if (s.charAt(i) > 0xFF) {
        return STRING + 2L * length;
      }
    }
    return STRING + length;
  }

  /** A JSON tree, walked without recursion (a payload built on the server may be deeply nested). */
  static long json(JsonNode root) {
    long total = 0;
    ArrayDeque<JsonNode> pending = new ArrayDeque<>();
    pending.push(root);
    while (!pending.isEmpty()) {
      JsonNode node = pending.pop();
      total += VALUE;
      if (node.isObject()) {
        total += OBJECT;
        for (Map.Entry<String, JsonNode> member : node.properties()) {
          total += MEMBER + string(member.getKey());
          pending.push(member.getValue());
        }
      } else if (node.isArray()) {
        total += ARRAY;
        for (JsonNode element : node.values()) {
          pending.push(element);
        }
      } else if (node.isString()) {
        total += string(node.stringValue());
      } else if (node.isBinary()) {
        total += BINARY + node.binaryValue().length;
      } else if (node.isBigInteger()) {
        total += BIG_NUMBER + node.bigIntegerValue().bitLength() / 8;
      } else if (node.isBigDecimal()) {
        total += BIG_NUMBER + node.decimalValue().unscaledValue().bitLength() / 8;
      }
    }
    return total;
  }
}
