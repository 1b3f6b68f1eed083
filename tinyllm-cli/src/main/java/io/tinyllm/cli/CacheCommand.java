package io.tinyllm.cli;

import io.tinyllm.api.cache.ResponseCache;
import io.tinyllm.api.config.Settings;
import io.tinyllm.api.error.TinyLlmException;
import io.tinyllm.cache.CacheConfig;
import io.tinyllm.cache.RedisCacheConfig;
import io.tinyllm.cache.RedisResponseCache;
import io.tinyllm.metrics.TinyLlm;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tinyllm cache stats|clear}: look at and empty the response cache. */
@Command(
    name = "cache",
    description =
        "Response cache: hit rate and state (stats), or empty the shared Redis cache (clear).",
    footerHeading = "%nExamples:%n",
    footer = {
      "  tinyllm cache stats --url 127.0.0.1:9478",
      "  tinyllm cache clear --cache-backend redis"
    },
    subcommands = {CacheCommand.Stats.class, CacheCommand.Clear.class})
final class CacheCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(
        spec.commandLine(), "Missing subcommand: stats or clear");
  }

  /** The backend options of both subcommands. */
  static final class BackendOptions {
    @Option(
        names = "--cache-backend",
        paramLabel = "BACKEND",
        description = "memory (default) or redis.")
    String backend;

    @Option(
        names = "--redis-uri",
        paramLabel = "URI",
        description = "Redis of the redis backend (default redis://127.0.0.1:6379).")
    String redisUri;

    boolean redis() {
      if (backend != null && !CacheOptions.BACKENDS.contains(backend)) {
        throw new UsageException(
            "Invalid value '" + backend + "' for --cache-backend: expected memory or redis");
      }
      return "redis".equals(backend) || (backend == null && redisUri != null);
    }

    Settings settings() {
      Map<String, String> settings = new LinkedHashMap<>();
      settings.put(CacheConfig.BACKEND, redis() ? "redis" : "memory");
      if (redisUri != null) {
        settings.put(RedisCacheConfig.URI_KEY, redisUri);
      }
      return Settings.of(settings);
    }
  }

  /** {@code cache stats}. */
  @Command(
      name = "stats",
      description = {
        "Show the cache backend and, with --url, the hits, misses and hit rate a running tinyllm"
            + " recorded.",
        "With --cache-backend redis, also whether Redis answers."
      },
      footerHeading = "%nExamples:%n",
      footer = {
        "  tinyllm cache stats --url http://127.0.0.1:9478/metrics",
        "  tinyllm cache stats --cache-backend redis --redis-uri redis://cache-box:6379",
        "  tinyllm cache stats --url localhost:9478 --json"
      })
  static final class Stats implements Callable<Integer> {
    @CommandLine.Mixin BackendOptions backend;

    @Option(
        names = "--url",
        paramLabel = "URL",
        description = "A running tinyllm's /metrics to read the cache counters from.")
    String url;

    @Option(
        names = "--json",
        description =
            "Print a JSON object: backend, redis (address, reachable), metrics_url and caches"
                + " (cache_type, hits, misses, hit_rate, stores, errors, entries).")
    boolean json;

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      Settings settings = backend.settings();
      Map<String, Object> report = new LinkedHashMap<>();
      report.put("backend", backend.redis() ? "redis" : "memory");
      String unreachable = null;
      if (backend.redis()) {
        String uri = redisAddress(settings);
        boolean up;
        // this command reports an unreachable Redis itself
        quietRedisLogs();
        try (TinyLlm app = TinyLlm.start(settings)) {
          up = redisAnswers(app);
        }
        Map<String, Object> redis = new LinkedHashMap<>();
        redis.put("address", uri);
        redis.put("reachable", up);
        redis.put("key_prefix", RedisCacheConfig.from(settings).keyPrefix());
        report.put("redis", redis);
        if (!json) {
          out.println("backend: redis at " + uri + (up ? " (reachable)" : " (NOT reachable)"));
          out.println(
              "entries: not counted (that would scan a shared server); keys start with "
                  + RedisCacheConfig.from(settings).keyPrefix());
        }
        if (!up) {
          unreachable =
              "cannot reach Redis at " + uri + ": start it (redis-server) or fix --redis-uri";
        }
      } else if (!json) {
        out.println(
            "backend: memory (inside each tinyllm process; it starts empty and ends with the"
                + " process)");
      }
      if (url != null && unreachable == null) {
        java.net.URI uri = StatsCommand.metricsUri(url);
        report.put("metrics_url", uri.toString());
        List<Map<String, Object>> caches = caches(PrometheusText.parse(StatsCommand.scrape(uri)));
        report.put("caches", caches);
        if (!json) {
          printCaches(uri, caches, out);
        }
      }
      if (json) {
        out.println(CliJson.pretty(report));
      }
      out.flush();
      if (unreachable != null) {
        throw new TinyLlmException(unreachable);
      }
      return ExitCodes.OK;
    }

    private static List<Map<String, Object>> caches(PrometheusText scrape) {
      Map<String, Double> hits = scrape.sumBy("tinyllm_cache_hits_total", "cache_type");
      Map<String, Double> misses = scrape.sumBy("tinyllm_cache_misses_total", "cache_type");
      Map<String, Double> stores = scrape.sumBy("tinyllm_cache_stores_total", "cache_type");
      Map<String, Double> errors = scrape.sumBy("tinyllm_cache_errors_total", "cache_type");
      Map<String, Double> entries = scrape.sumBy("tinyllm_cache_entries", "cache_type");
      java.util.TreeSet<String> types = new java.util.TreeSet<>(hits.keySet());
      types.addAll(misses.keySet());
      List<Map<String, Object>> caches = new ArrayList<>();
      for (String type : types) {
        double h = hits.getOrDefault(type, 0.0);
        double m = misses.getOrDefault(type, 0.0);
        Map<String, Object> cache = new LinkedHashMap<>();
        cache.put("cache_type", type);
        cache.put("hits", (long) h);
        cache.put("misses", (long) m);
        cache.put("hit_rate", h + m > 0 ? h / (h + m) : null);
        cache.put("stores", (long) (double) stores.getOrDefault(type, 0.0));
        cache.put("errors", (long) (double) errors.getOrDefault(type, 0.0));
        cache.put("entries", entries.containsKey(type) ? (long) (double) entries.get(type) : null);
        caches.add(cache);
      }
      return caches;
    }

    private static void printCaches(
        java.net.URI uri, List<Map<String, Object>> caches, PrintWriter out) {
      out.println("from " + uri + ":");
      if (caches.isEmpty()) {
        out.println("  no cache lookups recorded (is the cache on? run with --cache)");
        return;
      }
      Table table =
          new Table("  TYPE", "HITS", "MISSES", "HIT RATE", "STORES", "ERRORS", "ENTRIES");
      for (Map<String, Object> c : caches) {
        Object rate = c.get("hit_rate");
        table.row(
            "  " + c.get("cache_type"),
            c.get("hits"),
            c.get("misses"),
            rate == null
                ? "-"
                : String.format(java.util.Locale.ROOT, "%.1f%%", 100 * (Double) rate),
            c.get("stores"),
            c.get("errors"),
            c.get("entries") == null ? "-" : c.get("entries"));
      }
      table.print(out);
    }
  }

  /** {@code cache clear}. */
  @Command(
      name = "clear",
      description = "Remove every cached answer from Redis (only keys under the cache's prefix).",
      footerHeading = "%nExamples:%n",
      footer = {
        "  tinyllm cache clear --cache-backend redis",
        "  tinyllm cache clear --redis-uri redis://cache-box:6379"
      })
  static final class Clear implements Callable<Integer> {
    @CommandLine.Mixin BackendOptions backend;

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      if (!backend.redis()) {
        out.println(
            "Nothing to clear: the memory cache lives inside each tinyllm process and ends with it."
                + " Use --cache-backend redis for the shared cache.");
        out.flush();
        return ExitCodes.OK;
      }
      Settings settings = backend.settings();
      String uri = redisAddress(settings);
      // this command reports an unreachable Redis itself
      quietRedisLogs();
      try (TinyLlm app = TinyLlm.start(settings)) {
        ResponseCache cache = app.get(ResponseCache.class);
        cache.clear();
        if (!(cache instanceof RedisResponseCache redis) || !redis.isConnected()) {
          throw new TinyLlmException(
              "cannot reach Redis at "
                  + uri
                  + ", nothing was cleared: start it (redis-server) or fix --redis-uri");
        }
      }
      out.println("Cleared the Redis cache at " + uri);
      out.flush();
      return ExitCodes.OK;
    }
  }

  /** The logger of the Redis cache, whose warnings these commands report themselves. */
  static final String REDIS_LOGGER = "io.tinyllm.cache";

  /**
   * Quiets what these commands report themselves: the cache's warning that Redis is down, and the
   * Redis client's event loop, which may log a rejected task when it is shut down right after a
   * failed connection (noise about its own shutdown, not about the user's Redis).
   */
  static void quietRedisLogs() {
    LogSetup.quiet(REDIS_LOGGER);
    LogSetup.quiet("io.netty", "OFF");
  }

  /** Where Redis is, without any password the URI holds. */
  static String redisAddress(Settings settings) {
    java.net.URI uri = RedisCacheConfig.from(settings).uri();
    return uri.getScheme()
        + "://"
        + uri.getHost()
        + ":"
        + (uri.getPort() < 0 ? 6379 : uri.getPort());
  }

  static boolean redisAnswers(TinyLlm app) {
    ResponseCache cache = app.get(ResponseCache.class);
    cache.get("tinyllm-health-probe");
    return cache instanceof RedisResponseCache redis && redis.isConnected();
  }
}
