package dev.trcr.kernel;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;

import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Prometheus metrics of one node, served on {@code TRCR_METRICS_PORT} (off when negative) at {@code /metrics}, away
 * from the public API. Vert.x's own meters (HTTP requests by route template, event-bus messages, pools) come from
 * vertx-micrometer-metrics with trcr's filters: event-bus addresses are reduced to their family (every UUID becomes
 * {@code {id}}), HTTP paths are never labels (route templates are), and any label that would still grow past a bound is
 * cut off. trcr's own meters (bridge sockets, journal relay lag, jobs, command durations) are registered through
 * {@link #of}. A node without metrics gets a registry that keeps nothing.
 */
public final class Metrics {

  private static final Pattern UUID = Pattern.compile(
      "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
  private static final Pattern NUMBER = Pattern.compile("(?<=\\.)[0-9]+(?=\\.|$)");
  /** Above this many values of a label on one meter, new values are dropped (a guard; families stay far below). */
  static final int MAX_LABEL_VALUES = 300;
  private static final MeterRegistry NONE = new CompositeMeterRegistry();
  private static final Map<Vertx, MeterRegistry> REGISTRIES = new WeakHashMap<>();
  private static final Map<MeterRegistry, JvmGcMetrics> GC = java.util.Collections.synchronizedMap(new WeakHashMap<>());

  private Metrics() {
  }

  /** Whether {@code config} asks for metrics. */
  static boolean enabled(JsonObject config) {
    return Config.integer(config, "TRCR_METRICS_PORT") >= 0;
  }

  /** A node's registry with trcr's filters and the JVM's meters, or null when metrics are off. */
  static PrometheusMeterRegistry newRegistry(JsonObject config) {
    if (!enabled(config)) {
      return null;
    }
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    registry.config()
        .meterFilter(MeterFilter.replaceTagValues("address", Metrics::family))
        // Vert.x Web joins every route a request matched with '>' ("/api/>/api/teams/:teamId"): keep the last one,
        // the route template that answered.
        .meterFilter(MeterFilter.replaceTagValues("route", route -> route.substring(route.lastIndexOf('>') + 1)))
        .meterFilter(MeterFilter.denyNameStartsWith("vertx.http.server.request.bytes"))
        .meterFilter(MeterFilter.denyNameStartsWith("vertx.http.server.response.bytes"))
        .meterFilter(MeterFilter.maximumAllowableTags("vertx.eventbus", "address", MAX_LABEL_VALUES, MeterFilter.deny()))
        .meterFilter(MeterFilter.maximumAllowableTags("vertx.http.server", "route", MAX_LABEL_VALUES, MeterFilter.deny()))
        .meterFilter(MeterFilter.maximumAllowableTags("trcr.command", "address", MAX_LABEL_VALUES, MeterFilter.deny()))
        .meterFilter(new MeterFilter() {
          @Override
          public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
            // Latency histograms with a few fixed buckets, so that p99 can be computed across nodes.
            if (id.getName().equals("vertx.http.server.response.time") || id.getName().equals("trcr.command.duration")
                || id.getName().equals("vertx.pool.queue.time")) {
              return DistributionStatisticConfig.builder()
                  .serviceLevelObjectives(ms(1), ms(2.5), ms(5), ms(10), ms(25), ms(50), ms(100), ms(250), ms(500),
                      ms(1000), ms(2500), ms(5000), ms(10000))
                  .build().merge(config);
            }
            return config;
          }
        });
    new JvmMemoryMetrics().bindTo(registry);
    JvmGcMetrics gc = new JvmGcMetrics();
    gc.bindTo(registry);
    GC.put(registry, gc);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    return registry;
  }

  private static double ms(double millis) {
    return Duration.ofNanos((long) (millis * 1_000_000)).toNanos();
  }

  /** Metrics options for the node's Vert.x instance: the labels trcr keeps (no HTTP path: route templates only). */
  static VertxOptions options(VertxOptions options, MeterRegistry registry) {
    if (registry == null) {
      return options;
    }
    return options.setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true).setJvmMetricsEnabled(false)
        .setLabels(EnumSet.of(Label.HTTP_ROUTE, Label.HTTP_METHOD, Label.HTTP_CODE, Label.EB_ADDRESS, Label.EB_SIDE,
            Label.EB_FAILURE, Label.POOL_TYPE, Label.POOL_NAME)));
  }

  static VertxBuilder withMetrics(VertxBuilder builder, MeterRegistry registry) {
    return registry == null ? builder : builder.withMetrics(new MicrometerMetricsFactory(registry));
  }

  static void remember(Vertx vertx, MeterRegistry registry) {
    if (registry != null) {
      synchronized (REGISTRIES) {
        REGISTRIES.put(vertx, registry);
      }
    }
  }

  /** Stops the JVM listeners of a node's registry (on node close). */
  static void close(MeterRegistry registry) {
    if (registry == null) {
      return;
    }
    JvmGcMetrics gc = GC.remove(registry);
    if (gc != null) {
      gc.close();
    }
    registry.close();
  }

  /** The node's registry (one that keeps nothing when metrics are off). */
  public static MeterRegistry of(Vertx vertx) {
    synchronized (REGISTRIES) {
      return REGISTRIES.getOrDefault(vertx, NONE);
    }
  }

  /** An event-bus address reduced to its family: ids become {@code {id}}, numbered parts {@code {n}}. */
  public static String family(String address) {
    if (address == null) {
      return "";
    }
    String family = UUID.matcher(address).replaceAll("{id}");
    return NUMBER.matcher(family).replaceAll("{n}");
  }

  /** Serves {@code GET /metrics} on {@code TRCR_METRICS_HOST:TRCR_METRICS_PORT}; records the port in the local map. */
  static Future<HttpServer> serve(Vertx vertx, JsonObject config, PrometheusMeterRegistry registry) {
    return vertx.createHttpServer(new HttpServerOptions().setHost(Config.string(config, "TRCR_METRICS_HOST"))
            .setPort(Config.integer(config, "TRCR_METRICS_PORT")))
        .requestHandler(req -> {
          if (!"/metrics".equals(req.path())) {
            req.response().setStatusCode(404).end();
            return;
          }
          // Scraping walks every meter: off the event loop.
          vertx.executeBlocking(registry::scrape, false).onComplete(ar -> {
            if (ar.succeeded()) {
              req.response().putHeader("content-type", "text/plain; version=0.0.4; charset=utf-8").end(ar.result());
            } else {
              req.response().setStatusCode(500).end();
            }
          });
        })
        .listen()
        .onSuccess(server -> vertx.sharedData().getLocalMap(Node.LOCAL_MAP).put("metrics.port", server.actualPort()));
  }

  // --- trcr's own meters ---------------------------------------------------------------------------------------------

  /** A handled command: {@code trcr_command_duration_seconds{address, status}} (addresses of commands have no ids). */
  static void command(Vertx vertx, Address address, int status, long nanos) {
    MeterRegistry registry = of(vertx);
    if (registry == NONE) {
      return;
    }
    Timer.builder("trcr.command.duration").description("Bus commands handled on this node, by address and status")
        .tag("address", address.address()).tag("status", String.valueOf(status))
        .register(registry).record(Duration.ofNanos(nanos));
  }

  /** A gauge read from {@code value} (for example the bridge's sockets), tagged by pairs of strings. */
  public static void gauge(Vertx vertx, String name, String description, Supplier<Number> value, String... tags) {
    Gauge.builder(name, value).description(description).tags(tags).register(of(vertx));
  }

  /** Counts one run of a job ({@code overdue}, {@code forgotten_timers}, {@code webhooks}...) with its outcome. */
  public static void jobRun(Vertx vertx, String job, String outcome) {
    Counter.builder("trcr.job.runs").description("Runs of background jobs by outcome").tag("job", job)
        .tag("outcome", outcome).register(of(vertx)).increment();
  }

  /** A counter tagged by pairs of strings (bounded values only: never an id). */
  public static Counter counter(Vertx vertx, String name, String description, String... tags) {
    return Counter.builder(name).description(description).tags(tags).register(of(vertx));
  }
}
