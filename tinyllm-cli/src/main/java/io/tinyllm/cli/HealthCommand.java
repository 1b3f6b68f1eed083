package io.tinyllm.cli;

import io.tinyllm.api.config.Settings;
import io.tinyllm.api.error.TinyLlmException;
import io.tinyllm.cache.CacheConfig;
import io.tinyllm.cache.RedisCacheConfig;
import io.tinyllm.metrics.TinyLlm;
import io.tinyllm.metrics.exporter.HttpExporterConfig;
import io.tinyllm.ollama.LocalModel;
import io.tinyllm.ollama.OllamaClient;
import io.tinyllm.ollama.OllamaConfig;
import io.tinyllm.ollama.OllamaHealth;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tinyllm health} (alias {@code doctor}): is everything a run needs there? One line per
 * check, OK or FAIL with what to do.
 */
@Command(
    name = "health",
    aliases = "doctor",
    sortOptions = false,
    description = {
      "Check what TinyLLM needs: Ollama (reachable, version, models present), the metrics port,"
          + " Redis (with --cache-backend redis or --redis-uri) and the Pushgateway (with"
          + " --push-gateway). One line per check.",
      "Exit status: 0 all checks passed, 1 a check failed, 2 usage error."
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  tinyllm health",
      "  tinyllm health --model qwen2.5:0.5b --model nomic-embed-text",
      "  tinyllm health --cache-backend redis --push-gateway localhost:9091",
      "  tinyllm health --json | jq -r '.checks[] | select(.status == \"fail\") | .detail'"
    })
final class HealthCommand implements Callable<Integer> {
  private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(3);

  @Option(
      names = "--model",
      paramLabel = "NAME",
      description =
          "A model that must be installed; repeatable (default: the model the built-in qa.yaml"
              + " graph asks: the config file's or TINYLLM_MODEL's, else qwen2.5:0.5b).")
  List<String> models = new ArrayList<>();

  @Option(
      names = "--metrics-port",
      paramLabel = "PORT",
      converter = PortConverter.class,
      description =
          "Metrics port that must be free (default: metrics-port of the config file or"
              + " TINYLLM_METRICS_PORT, else 9478).")
  Integer metricsPort;

  @Option(
      names = "--metrics-addr",
      paramLabel = "ADDRESS",
      description = "Address of the metrics port (default ${DEFAULT-VALUE}).")
  String metricsAddr = HttpExporterConfig.DEFAULT_HOST;

  @Option(
      names = "--cache-backend",
      paramLabel = "BACKEND",
      description = "memory or redis; redis is checked when chosen.")
  String cacheBackend;

  @Option(
      names = "--redis-uri",
      paramLabel = "URI",
      description = "Redis to check (default redis://127.0.0.1:6379 with --cache-backend redis).")
  String redisUri;

  @Option(names = "--push-gateway", paramLabel = "HOST:PORT", description = "Pushgateway to check.")
  String pushGateway;

  @Option(
      names = "--json",
      description =
          "Print a JSON object: status (ok or fail) and the checks, each with name,"
              + " status (ok, fail or skip) and detail.")
  boolean json;

  @Mixin OllamaOptions ollama;

  @Spec CommandSpec spec;

  private final List<String[]> results = new ArrayList<>();

  @Override
  public Integer call() {
    if (cacheBackend != null && !CacheOptions.BACKENDS.contains(cacheBackend)) {
      throw new UsageException(
          "Invalid value '" + cacheBackend + "' for --cache-backend: expected memory or redis");
    }
    Map<String, String> settings = new LinkedHashMap<>();
    ollama.addTo(settings);
    boolean redis = "redis".equals(cacheBackend) || redisUri != null;
    if (redis) {
      settings.put(CacheConfig.BACKEND, "redis");
      if (redisUri != null) {
        settings.put(RedisCacheConfig.URI_KEY, redisUri);
      }
    }
    // a plain client: the injector is built only for the Redis check, which needs the cache
    try (OllamaClient client =
        OllamaClient.createOneShot(OllamaConfig.from(Settings.of(settings)))) {
      checkOllama(client);
    }
    checkMetricsPort();
    if (redis) {
      CacheCommand.quietRedisLogs();
      try (TinyLlm app = TinyLlm.start(Settings.of(settings))) {
        checkRedis(app, CacheCommand.redisAddress(Settings.of(settings)));
      }
    }
    if (pushGateway != null) {
      checkPushgateway();
    }
    print();
    long failed = results.stream().filter(r -> r[0].equals("FAIL")).count();
    if (failed > 0) {
      throw new TinyLlmException(
          failed
              + " of "
              + results.size()
              + (results.size() == 1 ? " check" : " checks")
              + " failed");
    }
    return ExitCodes.OK;
  }

  private void checkOllama(OllamaClient client) {
    URI host = client.host();
    OllamaHealth health = client.health();
    if (!health.healthy()) {
      fail("ollama", CliErrors.describe(health.detail()));
      skip("models", "Ollama is not reachable");
      return;
    }
    String version;
    List<LocalModel> installed;
    try {
      version = client.version();
      installed = client.list();
    } catch (RuntimeException e) {
      fail("ollama", "Ollama at " + host + " answers but its API failed: " + e.getMessage());
      return;
    }
    ok("ollama", "Ollama " + version + " at " + host + " is running");
    Set<String> wanted = new LinkedHashSet<>(models);
    if (wanted.isEmpty()) {
      // the model the built-in graph asks (without reading the graph: no YAML at start-up)
      wanted.add(CliConfig.current().model());
    }
    Set<String> present = new LinkedHashSet<>();
    installed.forEach(m -> present.add(m.name()));
    List<String> missing = new ArrayList<>();
    for (String model : wanted) {
      String tagged = model.contains(":") ? model : model + ":latest";
      if (!present.contains(model) && !present.contains(tagged)) {
        missing.add(model);
      }
    }
    if (missing.isEmpty()) {
      ok("models", String.join(", ", wanted) + " installed");
    } else {
      fail(
          "models",
          String.join(", ", missing)
              + (missing.size() == 1 ? " is" : " are")
              + " not installed; pull with: "
              + String.join(
                  " && ", missing.stream().map(m -> "tinyllm models pull " + m).toList()));
    }
  }

  private void checkMetricsPort() {
    int metricsPort =
        this.metricsPort != null
            ? this.metricsPort
            : CliConfig.current().metricsPort(HttpExporterConfig.DEFAULT_PORT);
    try (ServerSocket socket = new ServerSocket()) {
      socket.bind(new InetSocketAddress(metricsAddr, metricsPort));
      ok("metrics-port", metricsAddr + ":" + metricsPort + " is free for /metrics");
    } catch (IOException e) {
      fail(
          "metrics-port",
          metricsAddr
              + ":"
              + metricsPort
              + " is not available ("
              + e.getMessage()
              + "): stop what uses it or pick another with --metrics-port");
    }
  }

  private void checkRedis(TinyLlm app, String uri) {
    if (CacheCommand.redisAnswers(app)) {
      ok("redis", "Redis at " + uri + " answers");
    } else {
      fail(
          "redis",
          "cannot reach Redis at "
              + uri
              + ": start it (redis-server) or point --redis-uri at a running one");
    }
  }

  private void checkPushgateway() {
    String base =
        pushGateway.startsWith("http://") || pushGateway.startsWith("https://")
            ? pushGateway.replaceFirst("/+$", "")
            : "http://" + pushGateway;
    try {
      HttpClient http = HttpClient.newBuilder().connectTimeout(PROBE_TIMEOUT).build();
      HttpResponse<Void> response =
          http.send(
              HttpRequest.newBuilder(URI.create(base + "/-/ready")).timeout(PROBE_TIMEOUT).build(),
              HttpResponse.BodyHandlers.discarding());
      if (response.statusCode() == 200) {
        ok("pushgateway", "Pushgateway at " + base + " is ready");
      } else {
        fail(
            "pushgateway",
            "Pushgateway at " + base + " answered HTTP " + response.statusCode() + " to /-/ready");
      }
    } catch (IOException e) {
      fail(
          "pushgateway",
          "cannot reach the Pushgateway at "
              + base
              + " ("
              + IoErrors.describe(e)
              + "): start it or fix --push-gateway");
    } catch (IllegalArgumentException e) {
      fail("pushgateway", "'" + pushGateway + "' is not an address: fix --push-gateway");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      fail("pushgateway", "interrupted");
    }
  }

  private void ok(String check, String detail) {
    results.add(new String[] {"OK", check, detail});
  }

  private void fail(String check, String detail) {
    results.add(new String[] {"FAIL", check, detail});
  }

  private void skip(String check, String detail) {
    results.add(new String[] {"SKIP", check, detail});
  }

  private void print() {
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      List<Map<String, Object>> checks = new ArrayList<>();
      for (String[] r : results) {
        Map<String, Object> check = new LinkedHashMap<>();
        check.put("name", r[1]);
        check.put("status", r[0].toLowerCase(java.util.Locale.ROOT));
        check.put("detail", r[2]);
        checks.add(check);
      }
      Map<String, Object> report = new LinkedHashMap<>();
      report.put("status", results.stream().anyMatch(r -> r[0].equals("FAIL")) ? "fail" : "ok");
      report.put("checks", checks);
      out.println(CliJson.pretty(report));
      out.flush();
      return;
    }
    Table table = new Table("STATUS", "CHECK", "DETAIL");
    results.forEach(r -> table.row((Object[]) r));
    table.print(out);
  }
}
