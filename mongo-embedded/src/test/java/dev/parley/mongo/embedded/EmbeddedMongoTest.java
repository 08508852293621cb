package dev.parley.mongo.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.mongodb.client.model.changestream.ChangeStreamDocument;
import com.mongodb.reactivestreams.client.MongoClient;
import com.mongodb.reactivestreams.client.MongoClients;
import com.mongodb.reactivestreams.client.MongoCollection;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

class EmbeddedMongoTest {

  @Test
  void aChangeStreamSeesInsertsAndWaitsQuietlyInBetween() throws Exception {
    try (EmbeddedMongo mongo = EmbeddedMongo.start();
         MongoClient client = MongoClients.create(mongo.connectionString())) {
      assertThat(mongo.address().getAddress().isLoopbackAddress()).isTrue();
      MongoCollection<Document> collection = client.getDatabase("demo").getCollection("message");
      BlockingQueue<ChangeStreamDocument<Document>> seen = new ArrayBlockingQueue<>(16);
      Disposable stream = Flux.from(collection.watch()).subscribe(seen::add);
      try {
        // The stream opens asynchronously: insert until one is seen.
        ChangeStreamDocument<Document> first = null;
        for (int i = 0; i < 50 && first == null; i++) {
          Mono.from(collection.insertOne(new Document("n", i))).block(Duration.ofSeconds(5));
          first = seen.poll(100, TimeUnit.MILLISECONDS);
        }
        assertThat(first).isNotNull();
        seen.clear();
        // While nothing is written, the server holds each getMore: the driver's cursor thread is not spinning.
        long cpuBefore = processCpuNanos();
        Thread.sleep(1_000);
        long idleCpu = processCpuNanos() - cpuBefore;
        Mono.from(collection.insertOne(new Document("after", "quiet"))).block(Duration.ofSeconds(5));
        assertThat(seen.poll(5, TimeUnit.SECONDS).getFullDocument().getString("after")).isEqualTo("quiet");
        // A busy loop would use about a core (1e9 ns) in that second.
        assertThat(idleCpu).isLessThan(400_000_000L);
      } finally {
        stream.dispose();
      }
    }
  }

  @Test
  void aTakenPortIsAClearError() {
    try (EmbeddedMongo first = EmbeddedMongo.start()) {
      assertThatThrownBy(() -> EmbeddedMongo.start(first.address().getPort()))
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("cannot listen on 127.0.0.1:");
    }
    assertThatThrownBy(() -> EmbeddedMongo.start(70_000)).isInstanceOf(IllegalArgumentException.class);
  }

  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }
}
