package dev.parley.store.mongo.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.MongoConnectionPoolClearedException;
import com.mongodb.MongoSocketOpenException;
import com.mongodb.MongoTimeoutException;
import com.mongodb.ServerAddress;
import com.mongodb.connection.ClusterId;
import com.mongodb.connection.ServerId;
import dev.parley.error.StoreException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;

class RoomLanesTest {
  private static final Duration WAIT = Duration.ofSeconds(5);
  private static final RoomKey ROOM = new RoomKey("/", "r");

  private final RoomLanes lanes = new RoomLanes(100);
  private final AtomicInteger tried = new AtomicInteger();

  /** A post that counts that it was tried and then does what {@code result} does. */
  private Mono<String> post(Mono<String> result) {
    return lanes.submit(ROOM, lane -> {
      tried.incrementAndGet();
      return result;
    });
  }

  @Test
  void postsRunOneAfterAnotherInCallOrder() {
    Sinks.One<String> first = Sinks.one();
    Mono<String> a = post(first.asMono()).cache();
    Mono<String> b = post(Mono.just("b")).cache();
    a.subscribe();
    b.subscribe();

    assertThat(tried).hasValue(1);
    first.tryEmitValue("a");
    StepVerifier.create(a).expectNext("a").expectComplete().verify(WAIT);
    StepVerifier.create(b).expectNext("b").expectComplete().verify(WAIT);
    assertThat(tried).hasValue(2);
  }

  @Test
  void postsWaitingBehindOneThatFoundTheDatabaseUnreachableFailAtOnceUntried() {
    Sinks.One<String> first = Sinks.one();
    Mono<String> head = post(first.asMono()).cache();
    head.subscribe(v -> { }, e -> { });
    Mono<String> waiting1 = post(Mono.just("never")).cache();
    Mono<String> waiting2 = post(Mono.just("never")).cache();
    waiting1.subscribe(v -> { }, e -> { });
    waiting2.subscribe(v -> { }, e -> { });

    first.tryEmitError(new MongoTimeoutException("Timed out while waiting for a server"));

    StepVerifier.create(head).expectError(MongoTimeoutException.class).verify(WAIT);
    for (Mono<String> waiting : List.of(waiting1, waiting2)) {
      StepVerifier.create(waiting).expectErrorSatisfies(e -> assertThat(e)
              .isInstanceOf(MongoTimeoutException.class)
              .hasMessage("not tried: a post before it in the room found the database unreachable while it waited"
                  + " (Timed out while waiting for a server)"))
          .verify(WAIT);
    }
    assertThat(tried).as("only the head was tried").hasValue(1);
    assertThat(MongoErrors.wrap("post \"m\" to room \"r\"", new MongoTimeoutException("not tried")))
        .isInstanceOf(StoreException.class)
        .hasMessage("post \"m\" to room \"r\" failed: the database is unreachable (not tried)");

    // Submitted after the failure: tried, so the lane sees at once that the database is back.
    StepVerifier.create(post(Mono.just("back"))).expectNext("back").expectComplete().verify(WAIT);
    assertThat(tried).hasValue(2);
  }

  @Test
  void unreachableMeansNoServerNoConnectionOrAPausedPool() {
    ServerId server = new ServerId(new ClusterId(), new ServerAddress("127.0.0.1", 27017));
    assertThat(MongoErrors.isUnreachable(new MongoTimeoutException("no server"))).isTrue();
    assertThat(MongoErrors.isUnreachable(new MongoSocketOpenException("refused", server.getAddress()))).isTrue();
    assertThat(MongoErrors.isUnreachable(new MongoConnectionPoolClearedException(server, null))).isTrue();
    assertThat(MongoErrors.isUnreachable(new IllegalStateException("refused"))).isFalse();
  }

  @Test
  void otherFailuresDoNotFailThePostsWaitingBehind() {
    Sinks.One<String> first = Sinks.one();
    Mono<String> head = post(first.asMono()).cache();
    head.subscribe(v -> { }, e -> { });
    Mono<String> waiting = post(Mono.just("stored")).cache();
    waiting.subscribe(v -> { }, e -> { });

    first.tryEmitError(new IllegalStateException("refused"));

    StepVerifier.create(head).expectError(IllegalStateException.class).verify(WAIT);
    StepVerifier.create(waiting).expectNext("stored").expectComplete().verify(WAIT);
    assertThat(tried).hasValue(2);
  }
}
