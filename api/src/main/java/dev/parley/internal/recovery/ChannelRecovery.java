package dev.parley.internal.recovery;

import dev.parley.internal.support.Handles;
import dev.parley.internal.support.Ids;
import dev.parley.protocol.DisconnectReason;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Connection state recovery of one channel: the private id its client resumes with, the session it was
 * restored from (if any), the offset the client presented, and the journal of posted messages sent to it,
 * which is saved with the channel's rooms and data when its connection drops.
 *
 * <p>Threading: the journal (made by the first journalled message: an idle channel keeps none) is guarded by this
 * object's monitor (nothing else locks it), held across each journalled send so that the journal's order is the
 * order the client receives them in. The lock is held while the send runs,
 * which may close the channel and save it on the same thread; it is never taken under another lock that a
 * send can wait for.
 */
public final class ChannelRecovery {
  private static final VarHandle WRITTEN = Handles.field(MethodHandles.lookup(), "written", boolean.class);
  private final Scope scope;
  // What the client presented and what it got back, for a client that presented anything (most new channels keep
  // none of it): the private id it resumed with, the session restored, the offset it gave. A new channel's
  // private id is not kept but made from its id when needed (Ids.privateId).
  private final @Nullable Resumption resumption;
  // Guarded by this; null until the first journalled message.
  private @Nullable RecoveryJournal journal;
  // One write per channel: a close racing the registration could otherwise both save and put back, and
  // whichever write landed last would win.
  // Through WRITTEN: a field rather than an atomic object per channel.
  private volatile boolean written;
  // A restored channel is back in its rooms, with its data; until then it has only what was taken.
  private volatile boolean entered;

  private ChannelRecovery(Scope scope, @Nullable Resumption resumption) {
    this.scope = scope;
    this.resumption = resumption;
  }

  /**
   * What the recoverable channels of one namespace share: one per namespace, not three fields per channel.
   *
   * @param journalSize how many sent messages a channel's journal keeps
   */
  public record Scope(Recovery recovery, String namespace, int journalSize) {
  }

  private record Resumption(@Nullable String resumedId, Recovery.@Nullable Restored restored,
                            @Nullable String presentedOffset) {
  }

  private @Nullable String resumedId() {
    return resumption == null ? null : resumption.resumedId();
  }

  private @Nullable String presentedOffset() {
    return resumption == null ? null : resumption.presentedOffset();
  }

  /**
   * Recovery for a channel being admitted: the saved session the client names, taken back, or else a new
   * private id. Blocks on the store (at most {@code connectTimeout}): call it on the handler executor, and
   * after middleware, so that a client no longer allowed in cannot take its old channel back.
   *
   * @param scope the namespace's
   * @param presented what the client presented; its private id is ignored if null
   * @return the channel's recovery, {@linkplain #restored() restored} or new
   */
  public static ChannelRecovery admit(Scope scope, Presented presented) {
    String resumeId = presented.privateId();
    Recovery.Restored restored = resumeId == null ? null
        : scope.recovery().take(scope.namespace(), resumeId, presented.offset()).orElse(null);
    if (restored == null && presented.offset() == null) {
      return new ChannelRecovery(scope, null);
    }
    return new ChannelRecovery(scope, new Resumption(restored != null ? resumeId : null, restored,
        presented.offset()));
  }

  /**
   * Whether a channel that disconnected for this reason may come back: not when the client or the
   * application ended it on purpose, nor after a protocol violation (as Socket.IO).
   */
  public static boolean keepsChannel(DisconnectReason reason) {
    return switch (reason) {
      case TRANSPORT_CLOSE, TRANSPORT_ERROR, PING_TIMEOUT, SLOW_CONSUMER, SERVER_SHUTTING_DOWN -> true;
      default -> false;
    };
  }

  /** The secret the client resumes with; never logged. */
  public String privateId(String channelId) {
    String resumedId = resumedId();
    return resumedId != null ? resumedId : Ids.privateId(channelId);
  }

  /** Whether the channel is a disconnected one coming back. */
  public boolean recovered() {
    return restored() != null;
  }

  /** The channel to bring back (its id, rooms and data), or null for a new channel. */
  public Recovery.@Nullable Restored restored() {
    return resumption == null ? null : resumption.restored();
  }

  /** The restored channel's data as plain Java values; empty for a new channel. */
  public Map<String, Object> restoredData() {
    Recovery.Restored restored = restored();
    return restored == null ? Map.of() : scope.recovery().dataFrom(restored.data());
  }

  /**
   * The connection went before the restored channel was registered: saves it again for the next attempt.
   * Does nothing if the channel was saved already; see {@link #save}.
   */
  public void putBack() {
    Recovery.Restored restored = restored();
    if (restored != null && WRITTEN.compareAndSet(this, false, true)) {
      scope.recovery().putBack(scope.namespace(), Objects.requireNonNull(resumedId()), restored, presentedOffset());
    }
  }

  /**
   * The channel is registered and back in its rooms, with its data: from now on {@link #save} records the
   * channel itself rather than what was taken for it.
   */
  public void entered() {
    entered = true;
  }

  /** Where the channel starts in a room it joins now; see {@link RoomStart#RoomStart(String)}. */
  public RoomStart start(@Nullable String base) {
    return "".equals(base) ? RoomStart.FROM_THE_START : new RoomStart(base);
  }

  /**
   * Records a posted message in the journal and sends it, as one step; nothing once the channel is closed.
   *
   * @param open whether the channel is still open, read under the journal's lock
   * @param send sends the message to the client
   */
  public void journalled(String room, String messageId, BooleanSupplier open, Runnable send) {
    synchronized (this) {
      if (!open.getAsBoolean()) {
        return;
      }
      RecoveryJournal sent = journal;
      if (sent == null) {
        sent = new RecoveryJournal(scope.journalSize());
        journal = sent;
      }
      sent.add(room, messageId);
      send.run();
    }
  }

  /**
   * Saves the closed channel: where it started in each room it was in, what it was sent, and its data.
   * Call once the channel sends nothing more and before it leaves its rooms. Asynchronous. Writes at most
   * once, together with {@link #putBack}: the first of the two wins. A restored channel that closes before
   * it has {@linkplain #entered entered} its rooms is put back as it was taken, since its rooms and data
   * here are not all restored yet and nothing has reached its client.
   *
   * @param rooms per room it is in (its own included), where it started there, or null if not known
   */
  public void save(String channelId, Map<String, @Nullable RoomStart> rooms, Map<String, Object> data) {
    if (restored() != null && !entered) {
      putBack();
      return;
    }
    if (!WRITTEN.compareAndSet(this, false, true)) {
      return;
    }
    RecoveryJournal.Snapshot sent;
    synchronized (this) {
      sent = journal == null ? RecoveryJournal.Snapshot.EMPTY : journal.snapshot();
    }
    Map<String, SavedSession.@Nullable Position> starts = new LinkedHashMap<>();
    rooms.forEach((room, start) -> starts.put(room, start == null ? null : start.position()));
    scope.recovery().save(scope.namespace(), privateId(channelId), SavedSession.of(channelId, starts, sent,
        presentedOffset(), scope.recovery().dataOf(channelId, data)));
  }

  /**
   * What a connecting client presented for recovery, read from its CONNECT data.
   *
   * @param auth the data without the recovery keys, which are the protocol's, not the application's:
   *     middleware sees the auth without them
   * @param privateId the private id it resumes with, or null
   * @param offset the id of the last posted message it received, or null
   */
  public record Presented(JsonNode auth, @Nullable String privateId, @Nullable String offset) {
    // The auth of every client that sent none: one empty object that cannot be changed, shared rather than one
    // per connection (with its map, about 80 bytes) for the connection's life.
    private static final ObjectNode NO_AUTH = new ObjectNode(JsonNodeFactory.instance, Map.of());

    /**
     * @param data the CONNECT data, or null
     * @param speaksRecovery whether the client's connection can recover: its keys are stripped then, even
     *     with recovery off here, because a client given a private id before (say, before a restart with
     *     recovery turned off) still sends them
     * @param enabled whether recovery is on for this namespace and connection
     */
    public static Presented from(@Nullable JsonNode data, boolean speaksRecovery, boolean enabled) {
      JsonNode auth = data != null ? data : NO_AUTH;
      if (!speaksRecovery || !(auth instanceof ObjectNode object) || !(object.has("pid") || object.has("offset"))) {
        return new Presented(auth, null, null);
      }
      ObjectNode stripped = object.deepCopy();
      JsonNode pid = stripped.remove("pid");
      JsonNode last = stripped.remove("offset");
      return new Presented(stripped, enabled && pid != null && pid.isString() ? pid.asString() : null,
          enabled && last != null && last.isString() ? last.asString() : null);
    }
  }
}
