package dev.trcr.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The node's own view of the measured window ({@code --server-metrics}): its Prometheus histograms scraped at the
 * window's edges, so the generator's latency can be split into time spent handling commands on the node (the
 * {@code timers} command, the {@code workspace.access} check it asks for, the wait for a PostgreSQL connection) and
 * everything else (bridge, bus hops, scheduling on the shared core, the generator itself).
 */
final class ServerMetrics {

  /** The histogram families worth splitting: command handling and PostgreSQL pool waits. */
  private static final List<String> FAMILIES = List.of("trcr_command_duration_seconds", "vertx_pool_queue_time_seconds");

  private ServerMetrics() {
  }

  /** Every sample of {@code /metrics}, keyed by its series ({@code name{labels}}). */
  static Map<String, Double> scrape(int port) throws IOException, InterruptedException {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    String text = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()).body();
    Map<String, Double> samples = new LinkedHashMap<>();
    for (String line : text.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      int space = line.lastIndexOf(' ');
      try {
        samples.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
      } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
        // a sample with a timestamp or an odd value: not one we read
      }
    }
    return samples;
  }

  /**
   * One line per histogram series that moved between the scrapes: how many observations, their mean, and the share
   * at or below each bucket bound (so "≤ 5 ms 98.7 %" means 1.3 % took longer).
   */
  static String commandBreakdown(Map<String, Double> before, Map<String, Double> after) {
    // series without le → (bound → delta of the cumulative count)
    Map<String, TreeMap<Double, Double>> buckets = new TreeMap<>();
    Map<String, Double> sums = new LinkedHashMap<>();
    for (Map.Entry<String, Double> e : after.entrySet()) {
      String key = e.getKey();
      String family = FAMILIES.stream().filter(f -> key.startsWith(f + "_bucket{") || key.startsWith(f + "_sum"))
          .findFirst().orElse(null);
      if (family == null) {
        continue;
      }
      double delta = e.getValue() - before.getOrDefault(key, 0.0);
      if (key.startsWith(family + "_sum")) {
        sums.put(family + key.substring((family + "_sum").length()), delta);
        continue;
      }
      String labels = key.substring(key.indexOf('{') + 1, key.lastIndexOf('}'));
      List<String> kept = new ArrayList<>();
      Double le = null;
      for (String label : labels.split(",(?=[a-z_]+=\")")) {
        if (label.startsWith("le=")) {
          String v = label.substring(4, label.length() - 1);
          le = v.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(v);
        } else {
          kept.add(label);
        }
      }
      if (le != null) {
        buckets.computeIfAbsent(family + "{" + String.join(",", kept) + "}", k -> new TreeMap<>()).put(le, delta);
      }
    }
    StringBuilder out = new StringBuilder();
    for (Map.Entry<String, TreeMap<Double, Double>> series : buckets.entrySet()) {
      double count = series.getValue().getOrDefault(Double.POSITIVE_INFINITY, 0.0);
      if (count < 1) {
        continue;
      }
      double sum = sums.getOrDefault(series.getKey(), Double.NaN);
      out.append(String.format(Locale.ROOT, "  %s: %.0f, mean %.2f ms;", series.getKey(), count, 1000 * sum / count));
      for (Map.Entry<Double, Double> b : series.getValue().entrySet()) {
        if (b.getKey().isInfinite() || b.getKey() > 0.5) {
          continue;
        }
        out.append(String.format(Locale.ROOT, " ≤%s ms %.1f %%", trim(1000 * b.getKey()), 100 * b.getValue() / count));
      }
      out.append('\n');
    }
    return out.isEmpty() ? "  (no histogram moved: are metrics on?)" : out.toString().stripTrailing();
  }

  private static String trim(double ms) {
    return ms == Math.rint(ms) ? Long.toString((long) ms) : Double.toString(ms);
  }
}
