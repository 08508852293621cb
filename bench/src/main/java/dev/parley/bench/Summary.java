package dev.parley.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Turns the JSON lines bench/run.sh collected into a Markdown table: per scenario and figure, the
 * median and min–max for Parley and for Socket.IO, and their ratio; and, when the run had it (FLOOR=1), the
 * same for the Jetty floor ({@link JettyFloor}) and Parley's ratio to it.
 *
 * <pre>java -cp parley-bench.jar dev.parley.bench.Summary results.jsonl</pre>
 */
public final class Summary {
  private static final List<String> FIGURES = List.of("deliveries_per_s", "p50_ms", "p99_ms", "p999_ms", "max_ms",
      "server_cpu_s_per_million", "generator_cpu_s_per_million", "server_cpu_s", "generator_cpu_s",
      "kib_per_connection", "connections_per_s", "handshake_p99_ms", "server_cpu_ms_per_connection",
      "deliveries_per_poll");

  private Summary() {
  }

  public static void main(String[] args) throws Exception {
    JsonMapper mapper = JsonMapper.builder().build();
    Map<String, Map<String, Map<String, List<Double>>>> values = new LinkedHashMap<>();
    for (String line : Files.readAllLines(Path.of(args[0]))) {
      if (line.isBlank()) {
        continue;
      }
      JsonNode row = mapper.readTree(line);
      String scenario = row.path("scenario").asString();
      String server = row.path("server").asString();
      for (String figure : FIGURES) {
        if (row.has(figure)) {
          values.computeIfAbsent(scenario, s -> new LinkedHashMap<>())
              .computeIfAbsent(figure, f -> new LinkedHashMap<>())
              .computeIfAbsent(server, s -> new ArrayList<>()).add(row.get(figure).asDouble());
        }
      }
    }
    boolean floor = values.values().stream().flatMap(figures -> figures.values().stream())
        .anyMatch(servers -> servers.containsKey("jetty-floor"));
    System.out.println("| scenario | figure | Parley median (min–max) | Socket.IO median (min–max) | Parley / Socket.IO |"
        + (floor ? " Jetty floor median (min–max) | Parley / floor |" : ""));
    System.out.println("|---|---|---|---|---|" + (floor ? "---|---|" : ""));
    values.forEach((scenario, figures) -> figures.forEach((figure, servers) -> {
      List<Double> parley = servers.getOrDefault("parley", List.of());
      List<Double> node = servers.getOrDefault("socket.io", List.of());
      String row = String.format(Locale.ROOT, "| %s | %s | %s | %s | %s |", scenario, figure, cell(parley), cell(node),
          ratio(parley, node));
      if (floor) {
        List<Double> jetty = servers.getOrDefault("jetty-floor", List.of());
        row += String.format(Locale.ROOT, " %s | %s |", cell(jetty), ratio(parley, jetty));
      }
      System.out.println(row);
    }));
  }

  private static String ratio(List<Double> of, List<Double> to) {
    return of.isEmpty() || to.isEmpty() || median(to) == 0 ? "–"
        : String.format(Locale.ROOT, "%.2f", median(of) / median(to));
  }

  private static String cell(List<Double> values) {
    if (values.isEmpty()) {
      return "–";
    }
    return String.format(Locale.ROOT, "%s (%s–%s)", number(median(values)),
        number(values.stream().mapToDouble(Double::doubleValue).min().orElse(0)),
        number(values.stream().mapToDouble(Double::doubleValue).max().orElse(0)));
  }

  private static double median(List<Double> values) {
    List<Double> sorted = values.stream().sorted().toList();
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  private static String number(double value) {
    return value >= 100 ? String.format(Locale.ROOT, "%.0f", value) : String.format(Locale.ROOT, "%.3g", value);
  }
}
