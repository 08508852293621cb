package dev.parley.bench.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.testsupport.TestMongo;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Node A, a JVM of its own, is killed with SIGKILL while clients post through it: the clients move to
 * node B and lose nothing that was acknowledged; members resume on B after their last id and get every
 * message exactly once.
 */
class NodeKillTest extends FailoverScenario {

  @Test
  void clientsOfAKilledNodeLoseNothingAcknowledgedOnTheOtherNode() throws Exception {
    TestMongo mongo = track(TestMongo.inProcess());
    NodeProcess nodeA = track(NodeProcess.start(mongo.connectionString(), "kill"));
    ReliabilityNode nodeB = track(ReliabilityNode.start(mongo.connectionString(), "kill"));

    run("node killed", nodeA.url(), nodeB, posters -> {
      int status = nodeA.kill();
      assertThat(status).as("exit status of a process killed by SIGKILL").isEqualTo(128 + 9);
      Map<String, Object> figures = new LinkedHashMap<>();
      figures.put("node A", "pid " + nodeA.pid() + " killed by SIGKILL");
      return figures;
    });
  }
}
