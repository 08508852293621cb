package dev.parley.bench.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.testsupport.TestMongo;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Node A is closed ({@code ChatServer.close()}) while clients post through it: every post acknowledged
 * before the close is stored, and reached its connected members either from A before it closed or, after
 * they resumed on node B with their last id, from B; nothing twice.
 */
class GracefulShutdownTest extends FailoverScenario {

  @Test
  void postsAcknowledgedBeforeCloseAreStoredAndDeliveredOrRecoverable() throws Exception {
    TestMongo mongo = track(TestMongo.inProcess());
    ReliabilityNode nodeA = track(ReliabilityNode.start(mongo.connectionString(), "graceful"));
    ReliabilityNode nodeB = track(ReliabilityNode.start(mongo.connectionString(), "graceful"));

    run("graceful shutdown", nodeA.url(), nodeB, posters -> {
      long start = System.nanoTime();
      nodeA.server.close();
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      assertThat(nodeA.server.isRunning()).isFalse();
      assertThat(took).isLessThan(nodeA.server.config().shutdownTimeout().plusSeconds(5));
      Map<String, Object> figures = new LinkedHashMap<>();
      figures.put("close() took ms", took.toMillis());
      return figures;
    });
  }
}
