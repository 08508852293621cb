package dev.parley.bench.reliability;

import java.time.Duration;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * How hard a fault test pushes: the quick load of a normal build (seconds per test), or the heavy one of
 * the {@code reliability} profile ({@code mvn -Preliability verify -pl bench}), chosen by the system
 * property {@value #PROPERTY}.
 *
 * @param name {@code quick} or {@code heavy}
 * @param posters clients posting with acks
 * @param members SSE members of the room (besides any the test adds)
 * @param ackedBeforeFault acknowledged posts before the fault
 * @param outage how long the fault lasts where the test controls it (the store's outage)
 * @param ackedAfterFault acknowledged posts after the fault, before the posters stop
 * @param ackTimeout how long a poster waits for an ack
 */
record Load(String name, int posters, int members, int ackedBeforeFault, Duration outage, int ackedAfterFault,
            Duration ackTimeout) {
  static final String PROPERTY = "parley.reliability.load";
  static final Load QUICK = new Load("quick", 8, 2, 100, Duration.ofSeconds(3), 100, Duration.ofSeconds(30));
  static final Load HEAVY = new Load("heavy", 16, 8, 3_000, Duration.ofSeconds(20), 3_000, Duration.ofSeconds(60));

  /** The load the build asked for; quick unless {@value #PROPERTY} is {@code heavy}. */
  static Load current() {
    String name = System.getProperty(PROPERTY, "quick");
    return switch (name) {
      case "quick" -> QUICK;
      case "heavy" -> HEAVY;
      default -> throw new IllegalArgumentException(PROPERTY + " must be quick or heavy: \"" + name + "\"");
    };
  }

  /** How long to wait for the acks of one phase: generous, as the machine is shared. */
  Duration phaseTimeout() {
    return Duration.ofSeconds(60).plus(Duration.ofMillis(20L * (ackedBeforeFault + ackedAfterFault)));
  }

  /** Prints a test's figures as one line, for the build log and bench/RESULTS.md. */
  void print(String scenario, Map<String, ?> figures) {
    System.out.println("[reliability] " + scenario + " (" + name + "): " + figures.entrySet().stream()
        .map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", ")));
  }
}
