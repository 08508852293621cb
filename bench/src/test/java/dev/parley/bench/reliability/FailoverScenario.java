package dev.parley.bench.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.parley.Message;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;

/**
 * Two nodes on one MongoDB, and a fault that takes node A away under load. WebSocket posters post through
 * A with acks; SSE members read the room from A; a watcher reads it from B all along. When A goes, posters
 * move to B and go on posting, and members resume on B after the last id they saw ({@code Last-Event-ID}).
 * Afterwards: every acknowledged post is stored, and every member (and the watcher) got every stored
 * message exactly once, in id order.
 */
abstract class FailoverScenario {
  final Load load = Load.current();
  private final List<AutoCloseable> resources = new ArrayList<>();
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  /** What takes node A away; returns the figures it measured. */
  @FunctionalInterface
  interface Fault {
    Map<String, Object> strike(Posters posters) throws Exception;
  }

  @AfterEach
  void closeResources() throws Exception {
    for (int i = resources.size() - 1; i >= 0; i--) {
      resources.get(i).close();
    }
    resources.clear();
    timer.shutdownNow();
  }

  /** Closes {@code resource} after the test, last opened first. */
  <T extends AutoCloseable> T track(T resource) {
    resources.add(resource);
    return resource;
  }

  /**
   * Runs the scenario, prints its figures and checks them.
   *
   * @param scenario the name the figures are printed under
   * @param nodeA the node that goes away
   * @param nodeB the node that stays
   * @param fault takes node A away, while the posters post
   */
  void run(String scenario, URI nodeA, ReliabilityNode nodeB, Fault fault) throws Exception {
    List<SseMember> members = new ArrayList<>();
    for (int i = 0; i < load.members(); i++) {
      members.add(track(SseMember.join(http, timer, List.of(nodeA, nodeB.url()))));
    }
    SseMember watcher = track(SseMember.join(http, timer, List.of(nodeB.url())));
    Posters posters = track(Posters.start(load.posters(), List.of(nodeA, nodeB.url()), load.ackTimeout()));
    await().atMost(load.phaseTimeout()).until(() -> posters.ackedCount() >= load.ackedBeforeFault());

    Map<String, String> ackedBeforeFault = posters.acked();
    Map<String, Object> figures = new LinkedHashMap<>(fault.strike(posters));
    int ackedAtFault = posters.ackedCount();
    await().atMost(load.phaseTimeout()).until(() -> posters.failovers() >= load.posters()
        && members.stream().allMatch(m -> m.streams() == 2));
    await().atMost(load.phaseTimeout()).until(() -> posters.ackedCount() >= ackedAtFault + load.ackedAfterFault());
    posters.close();
    nodeB.server.room(ReliabilityNode.ROOM).post(ReliabilityNode.EVENT, Map.of("from", "end", "n", 0))
        .block(Duration.ofSeconds(30));
    List<SseMember> everyone = new ArrayList<>(members);
    everyone.add(watcher);
    await().atMost(Duration.ofSeconds(60)).until(() -> everyone.stream().allMatch(m -> m.hasReceived("end:0")));

    List<String> storedIds = nodeB.history().stream().map(Message::id).toList();
    Set<String> stored = new HashSet<>(storedIds);
    Map<String, String> acked = posters.acked();
    long lost = acked.values().stream().filter(id -> !stored.contains(id)).count();
    int byNodeA = members.stream().mapToInt(m -> m.receivedAtStreamEnds().get(0)).min().orElse(0);
    figures.put("sent", posters.sent());
    figures.put("acknowledged", acked.size());
    figures.put("acknowledged before the fault", ackedBeforeFault.size());
    figures.put("of those, delivered by A before it went", members.stream()
        .mapToLong(m -> deliveredBeforeFailover(m, ackedBeforeFault.values())).min().orElse(0));
    figures.put("error acks", posters.errorCount());
    figures.put("unanswered", posters.unanswered());
    figures.put("stored", storedIds.size() - 1);
    figures.put("stored unacknowledged", storedIds.size() - 1 - acked.size());
    figures.put("delivered", (everyone.stream().mapToInt(m -> m.received().size()).min().orElse(0) - 1)
        + " to each of " + everyone.size() + " members (" + members.size() + " resumed on B after at least "
        + byNodeA + " from A)");
    figures.put("lost", lost);
    load.print(scenario, figures);

    assertThat(posters.crashes()).isEmpty();
    // The only error a poster may get: node A refusing posts while it closes.
    assertThat(posters.errors()).allSatisfy(error ->
        assertThat(error).startsWith("IllegalStateException: ChatServer is closing"));
    assertThat(posters.failovers()).isEqualTo(load.posters());
    assertThat(lost).isZero();
    assertThat(storedIds).isSorted().doesNotHaveDuplicates();
    for (SseMember member : members) {
      assertThat(member.problems()).isEmpty();
      assertThat(member.streams()).isEqualTo(2);
      assertThat(member.received()).extracting(SseMember.Received::id).containsExactlyElementsOf(storedIds);
    }
    assertThat(stored).containsAll(ackedBeforeFault.values());
    assertThat(watcher.streams()).isEqualTo(1);
    assertThat(watcher.received()).extracting(SseMember.Received::id).containsExactlyElementsOf(storedIds);
  }

  /** How many of {@code ids} the member got on its first stream, from node A. */
  private static long deliveredBeforeFailover(SseMember member, Collection<String> ids) {
    Set<String> fromA = new HashSet<>();
    List<SseMember.Received> received = member.received();
    int end = member.receivedAtStreamEnds().isEmpty() ? received.size() : member.receivedAtStreamEnds().get(0);
    received.subList(0, end).forEach(r -> fromA.add(r.id()));
    return ids.stream().filter(fromA::contains).count();
  }
}
