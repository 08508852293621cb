package dev.parley.internal.recovery;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * What connection state recovery keeps of a disconnected channel, and the one computation it exists for:
 * given the client's offset, where the client is in each of its rooms.
 *
 * @param channelId the channel's id, which the recovered channel takes again
 * @param starts per room (the channel's own room included), where the channel's share of it begins: after
 *     the room's last message dropped from the journal, or where it was joined; null until looked up
 * @param journalRooms the room of each posted message sent to the channel, in the order sent
 * @param journalIds the id of each of those messages, parallel to {@code journalRooms}
 * @param truncated whether entries were dropped from the journal for space
 * @param resumedFrom the offset the client presented when this channel connected (recovered or not): until
 *     it receives a posted message on this channel, it presents that offset again
 * @param data the application's {@code data()}, as JSON
 */
public record SavedSession(String channelId, Map<String, @Nullable Position> starts, List<String> journalRooms,
                    List<String> journalIds, boolean truncated, @Nullable String resumedFrom, ObjectNode data) {
  private static final int VERSION = 1;
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  public SavedSession {
    starts = Collections.unmodifiableMap(new LinkedHashMap<>(starts));
    journalRooms = List.copyOf(journalRooms);
    journalIds = List.copyOf(journalIds);
    if (journalRooms.size() != journalIds.size()) {
      throw new IllegalArgumentException("journal rooms and ids differ in length");
    }
  }

  /**
   * The state of a channel from where it started in its rooms, its journal and its data.
   *
   * @param joined per room, where the channel started in it (see {@code Membership.start()}), or null
   */
  public static SavedSession of(String channelId, Map<String, @Nullable Position> joined, RecoveryJournal.Snapshot journal,
                         @Nullable String resumedFrom, ObjectNode data) {
    Map<String, @Nullable Position> starts = new LinkedHashMap<>();
    joined.forEach((room, start) -> {
      String evicted = journal.evicted().get(room);
      starts.put(room, evicted != null ? Position.after(evicted) : start);
    });
    return new SavedSession(channelId, starts, journal.rooms(), journal.ids(), !journal.evicted().isEmpty(),
        resumedFrom, data);
  }

  /** Rooms whose start is not known yet: it must be looked up before saving. */
  public List<String> roomsWithoutStart() {
    List<String> out = new ArrayList<>();
    starts.forEach((room, start) -> {
      if (start == null) {
        out.add(room);
      }
    });
    return out;
  }

  /** This state with the rooms that had no start starting after the given ids. */
  public SavedSession withStarts(Map<String, String> lastIds) {
    Map<String, @Nullable Position> merged = new LinkedHashMap<>(starts);
    lastIds.forEach((room, id) -> {
      if (merged.containsKey(room) && merged.get(room) == null) {
        merged.put(room, Position.after(id));
      }
    });
    return new SavedSession(channelId, merged, journalRooms, journalIds, truncated, resumedFrom, data);
  }

  /**
   * Where a client with this offset is in each room; empty if the offset does not identify a place: not
   * in the journal (too old, or never sent to this channel), in it twice, or absent while the journal
   * lost entries the client may have received.
   *
   * @param offset the id of the last posted message the client received, or null if it received none
   *     (or none on this channel: then the offset it presented when the channel connected)
   */
  public Optional<Map<String, Position>> positions(@Nullable String offset) {
    int upTo = -1;
    if (offset == null || (offset.equals(resumedFrom) && !journalIds.contains(offset))) {
      if (truncated) {
        return Optional.empty();
      }
    } else {
      upTo = journalIds.lastIndexOf(offset);
      if (upTo < 0 || journalIds.indexOf(offset) != upTo) {
        return Optional.empty();
      }
    }
    Map<String, Integer> lastAtOrBefore = new HashMap<>();
    for (int i = 0; i <= upTo; i++) {
      lastAtOrBefore.put(journalRooms.get(i), i);
    }
    Map<String, Position> out = new LinkedHashMap<>();
    for (Map.Entry<String, @Nullable Position> entry : starts.entrySet()) {
      String room = entry.getKey();
      Integer last = lastAtOrBefore.get(room);
      Position start = entry.getValue();
      if (last != null) {
        // An entry older than the start was sent before the room was last joined: the start is the place.
        String id = journalIds.get(last);
        boolean startLater = start != null && start.id().compareTo(id) > 0;
        out.put(room, startLater ? start : Position.after(id));
      } else if (start != null) {
        out.put(room, start);
      } else {
        return Optional.empty();
      }
    }
    return Optional.of(out);
  }

  /**
   * A place in a room's history: right after message {@code id} ({@code ""}: before every message), or,
   * when {@code before}, right before it.
   */
  public record Position(String id, boolean before) {
    public static Position after(String id) {
      return new Position(id, false);
    }

    public static Position before(String id) {
      return new Position(id, true);
    }
  }

  // ---- JSON ----

  /**
   * The state as JSON, for the store. Written directly rather than through a tree: every closing channel is
   * saved, and a fresh JVM compiles what each of them runs; only the application's data, when there is
   * any, goes through the mapper.
   */
  public String toJson(JsonMapper mapper) {
    StringBuilder out = new StringBuilder(96 + 24 * starts.size() + 32 * journalIds.size());
    out.append("{\"v\":").append(VERSION).append(",\"id\":");
    quote(channelId, out);
    out.append(",\"rooms\":{");
    boolean first = true;
    for (Map.Entry<String, @Nullable Position> room : starts.entrySet()) {
      if (!first) {
        out.append(',');
      }
      first = false;
      quote(room.getKey(), out);
      Position start = room.getValue();
      if (start == null) {
        out.append(":null");
      } else {
        out.append(start.before() ? ":{\"before\":" : ":{\"after\":");
        quote(start.id(), out);
        out.append('}');
      }
    }
    out.append("},\"sent\":[");
    for (int i = 0; i < journalIds.size(); i++) {
      out.append(i == 0 ? "[" : ",[");
      quote(journalRooms.get(i), out);
      out.append(',');
      quote(journalIds.get(i), out);
      out.append(']');
    }
    out.append("],\"truncated\":").append(truncated);
    if (resumedFrom != null) {
      out.append(",\"resumedFrom\":");
      quote(resumedFrom, out);
    }
    out.append(",\"data\":").append(data.isEmpty() ? "{}" : mapper.writeValueAsString(data)).append('}');
    return out.toString();
  }

  /** A JSON string: quote, backslash and the control characters escaped, the rest as it is. */
  static void quote(String value, StringBuilder out) {
    out.append('"');
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '"' || c == '\\') {
        out.append('\\').append(c);
      } else if (c < 0x20) {
        out.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xF]);
      } else {
        out.append(c);
      }
    }
    out.append('"');
  }

  /**
   * Reads a state written by {@link #toJson}.
   *
   * @throws IllegalArgumentException if it is not such a state
   */
  public static SavedSession fromJson(JsonMapper mapper, String json) {
    JsonNode root;
    try {
      root = mapper.readTree(json);
    } catch (JacksonException e) {
      throw new IllegalArgumentException("saved session is not JSON: " + e.getOriginalMessage(), e);
    }
    if (root == null || root.path("v").asInt(-1) != VERSION || !root.path("id").isString()
        || !root.path("rooms").isObject() || !root.path("sent").isArray() || !root.path("data").isObject()) {
      throw new IllegalArgumentException("saved session has an unknown shape");
    }
    Map<String, @Nullable Position> starts = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> room : root.get("rooms").properties()) {
      JsonNode start = room.getValue();
      if (start.isNull()) {
        starts.put(room.getKey(), null);
      } else if (start.path("after").isString()) {
        starts.put(room.getKey(), Position.after(start.get("after").asString()));
      } else if (start.path("before").isString()) {
        starts.put(room.getKey(), Position.before(start.get("before").asString()));
      } else {
        throw new IllegalArgumentException("saved session has a malformed room position");
      }
    }
    List<String> rooms = new ArrayList<>();
    List<String> ids = new ArrayList<>();
    for (JsonNode entry : root.get("sent").values()) {
      if (!entry.isArray() || entry.size() != 2 || !entry.get(0).isString() || !entry.get(1).isString()) {
        throw new IllegalArgumentException("saved session has a malformed journal entry");
      }
      rooms.add(entry.get(0).asString());
      ids.add(entry.get(1).asString());
    }
    JsonNode resumedFrom = root.path("resumedFrom");
    return new SavedSession(root.get("id").asString(), starts, rooms, ids, root.path("truncated").asBoolean(false),
        resumedFrom.isString() ? resumedFrom.asString() : null, (ObjectNode) root.get("data"));
  }
}
