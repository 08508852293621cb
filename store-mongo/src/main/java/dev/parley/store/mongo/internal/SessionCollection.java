package dev.parley.store.mongo.internal;

import com.mongodb.client.model.ReplaceOptions;
import com.mongodb.reactivestreams.client.MongoCollection;
import dev.parley.protocol.Names;
import java.time.Clock;
import java.time.Duration;
import org.bson.BsonDocument;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

/**
 * Saved channel states in the sessions collection, one document per (namespace, private id) with its expiry
 * time by this node's clock. Thread-safe; the arguments are checked by the store before they get here.
 */
public final class SessionCollection {
  private static final ReplaceOptions REPLACE_OR_INSERT = new ReplaceOptions().upsert(true);

  private final MongoCollection<BsonDocument> sessions;
  private final Clock clock;

  public SessionCollection(MongoCollection<BsonDocument> sessions, Clock clock) {
    this.sessions = sessions;
    this.clock = clock;
  }

  /** Saves the state until {@code ttl} from now, replacing what the key held; errors with a StoreException. */
  public Mono<Void> save(String namespace, String privateId, String state, Duration ttl) {
    return Mono.defer(() -> {
          long expiresAt = SessionDocuments.expiry(clock.millis(), ttl);
          return Mono.from(sessions.replaceOne(SessionDocuments.byKey(namespace, privateId),
              SessionDocuments.of(namespace, privateId, state, expiresAt), REPLACE_OR_INSERT));
        })
        // Two upserts of one new key can race to insert it; the loser's retry finds it and replaces it.
        .retryWhen(Retry.max(1).filter(MongoErrors::isDuplicateKey)
            .onRetryExhaustedThrow((spec, signal) -> signal.failure()))
        .onErrorMap(e -> MongoErrors.wrap("saving a session of namespace " + Names.quote(namespace), e))
        .then();
  }

  /** Removes and returns the unexpired state under the key with one find-and-delete; empty if none. */
  public Mono<String> take(String namespace, String privateId) {
    return Mono.defer(() -> Mono.from(sessions.findOneAndDelete(
            SessionDocuments.unexpired(namespace, privateId, clock.millis()))))
        .mapNotNull(SessionDocuments::state)
        .onErrorMap(e -> MongoErrors.wrap("taking a session of namespace " + Names.quote(namespace), e));
  }
}
