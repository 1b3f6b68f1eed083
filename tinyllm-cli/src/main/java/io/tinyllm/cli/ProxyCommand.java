package io.tinyllm.cli;

import io.tinyllm.api.config.Durations;
import io.tinyllm.api.config.Settings;
import io.tinyllm.cache.RedisCacheConfig;
import io.tinyllm.metrics.TinyLlm;
import io.tinyllm.metrics.exporter.HttpExporterConfig;
import io.tinyllm.metrics.exporter.HttpMetricsExporter;
import io.tinyllm.ollama.OllamaConfig;
import io.tinyllm.ollama.OllamaHost;
import io.tinyllm.proxy.Fleet;
import io.tinyllm.proxy.FleetConfig;
import io.tinyllm.proxy.ProxyCacheConfig;
import io.tinyllm.proxy.ProxyConfig;
import io.tinyllm.proxy.ProxyServer;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code tinyllm proxy}: Ollama's API on another port, forwarded unchanged to one Ollama or a fleet
 * ({@code --ollama} repeated), with the metrics Ollama lacks served at {@code /metrics} on the same
 * port.
 */
@Command(
    name = "proxy",
    description = {
      "Forward Ollama's API unchanged and record metrics for every client (curl, Open WebUI,"
          + " LangChain, ...): point them at this port instead of Ollama's; /metrics is served"
          + " here too."
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  tinyllm proxy                                 # :11435 to Ollama at $OLLAMA_HOST",
      "  OLLAMA_HOST=127.0.0.1:11435 ollama run qwen2.5:0.5b",
      "  tinyllm proxy --port 8080 --ollama gpu-box:11434 --metrics-port 9478",
      "  tinyllm proxy --cache --cache-backend redis --redis-uri redis://redis:6379"
    })
final class ProxyCommand implements Callable<Integer> {
  @Option(
      names = "--port",
      paramLabel = "PORT",
      description = "Port to listen on (default ${DEFAULT-VALUE}; 0 picks a free one).")
  int port = ProxyConfig.DEFAULT_PORT;

  @Option(
      names = "--addr",
      paramLabel = "ADDRESS",
      description = "Address to bind (default ${DEFAULT-VALUE}: this machine only).")
  String addr = ProxyConfig.DEFAULT_HOST;

  @Option(
      names = "--ollama",
      paramLabel = "URL",
      converter = UpstreamConverter.class,
      description = {
        "Ollama server to forward to: host, host:port or http://host:port, optionally named",
        "(gpu-1=http://10.0.0.1:11434). Repeat for a fleet: each request goes to a server that has",
        "its model (default: $OLLAMA_HOST, else http://127.0.0.1:11434)."
      })
  List<String> upstreams = new ArrayList<>();

  @Option(
      names = "--metrics-port",
      paramLabel = "PORT",
      description = "Also serve /metrics on this port (0 picks a free one).")
  Integer metricsPort;

  @Option(
      names = "--metrics-addr",
      paramLabel = "ADDRESS",
      description = "Address of --metrics-port (default 127.0.0.1).")
  String metricsAddr;

  @Option(
      names = "--max-concurrent",
      paramLabel = "N",
      description =
          "Client connections served at once, one thread each (default ${DEFAULT-VALUE}).")
  int maxConcurrent = ProxyConfig.DEFAULT_MAX_CONCURRENT;

  @Option(
      names = "--cache",
      negatable = true,
      description =
          "Answer repeated deterministic calls (temperature 0 or a fixed seed) from the stored"
              + " answer, without Ollama (default: off).")
  Boolean cache;

  @Option(
      names = "--cache-backend",
      paramLabel = "BACKEND",
      description = "memory (this proxy, the default) or redis (shared by proxy replicas).")
  String cacheBackend;

  @Option(
      names = "--cache-ttl",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description = "How long a cached answer is served (default 1h; 0 = until evicted).")
  Duration cacheTtl;

  @Option(
      names = "--redis-uri",
      paramLabel = "URI",
      description = "Redis for --cache-backend redis (default redis://127.0.0.1:6379).")
  String redisUri;

  @Mixin DurationOption duration;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws InterruptedException {
    Duration runFor = duration.runFor();
    Map<String, String> settings = new HashMap<>();
    settings.put(ProxyConfig.HOST, addr);
    settings.put(ProxyConfig.PORT, String.valueOf(checkPort(port, "--port")));
    if (maxConcurrent < 1 || maxConcurrent > 10_000) {
      throw new UsageException("--max-concurrent must be from 1 to 10000, got " + maxConcurrent);
    }
    settings.put(ProxyConfig.MAX_CONCURRENT, String.valueOf(maxConcurrent));
    if (upstreams.size() == 1 && !named(upstreams.get(0))) {
      settings.put(OllamaConfig.HOST, upstreams.get(0));
    } else if (!upstreams.isEmpty()) {
      settings.put(FleetConfig.UPSTREAMS, String.join(",", upstreams));
      // the Java client in the same process keeps one address: the fleet's first
      settings.put(OllamaConfig.HOST, address(upstreams.get(0)));
    }
    addCacheOptions(settings);
    if (metricsPort != null || metricsAddr != null) {
      settings.put("metrics.exporters", HttpMetricsExporter.NAME);
      settings.put(
          HttpExporterConfig.PORT,
          String.valueOf(
              metricsPort == null
                  ? HttpExporterConfig.DEFAULT_PORT
                  : checkPort(metricsPort, "--metrics-port")));
      settings.put(
          HttpExporterConfig.HOST,
          metricsAddr == null ? HttpExporterConfig.DEFAULT_HOST : metricsAddr);
    }
    PrintWriter out = spec.commandLine().getOut();
    try (StopSignal stop = StopSignal.install();
        TinyLlm app = TinyLlm.start(Settings.of(settings))) {
      ProxyServer proxy = app.get(ProxyServer.class);
      proxy.start();
      Fleet fleet = proxy.fleet();
      if (fleet.names().size() == 1) {
        out.println("Proxying " + proxy.uri() + " to Ollama at " + proxy.upstream());
      } else {
        out.println(
            "Proxying "
                + proxy.uri()
                + " to a fleet of "
                + fleet.names().size()
                + " Ollama servers: "
                + fleet.names().stream()
                    .map(name -> name + " (" + fleet.address(name) + ")")
                    .collect(Collectors.joining(", ")));
      }
      out.println("Serving metrics at " + proxy.uri() + "/metrics");
      app.metrics()
          .exporter(HttpMetricsExporter.class)
          .ifPresent(exporter -> out.println("Serving metrics at " + exporter.uri()));
      ProxyCacheConfig cacheConfig = app.get(ProxyCacheConfig.class);
      if (cacheConfig.enabled()) {
        out.println(
            "Answering repeated deterministic calls from the "
                + cacheConfig.backend()
                + " cache ("
                + (cacheConfig.ttl().isZero()
                    ? "entries kept until evicted"
                    : "entries live " + Durations.format(cacheConfig.ttl()))
                + ")");
      }
      out.flush();
      stop.await(runFor);
    }
    return ExitCodes.OK;
  }

  /** The response cache's flags as settings; a wrong backend is a usage error. */
  private void addCacheOptions(Map<String, String> settings) {
    if (cacheBackend != null && !ProxyCacheConfig.BACKENDS.contains(cacheBackend)) {
      throw new UsageException(
          "Invalid value '" + cacheBackend + "' for --cache-backend: expected memory or redis");
    }
    if (cache != null) {
      settings.put(ProxyCacheConfig.ENABLED, cache.toString());
    }
    if (cacheBackend != null) {
      settings.put(ProxyCacheConfig.BACKEND, cacheBackend);
    }
    if (cacheTtl != null) {
      settings.put(ProxyCacheConfig.TTL, Durations.format(cacheTtl));
    }
    if (redisUri != null) {
      // the cache plug-in's setting: one Redis address for the proxy and the Java client
      settings.put(RedisCacheConfig.URI_KEY, redisUri);
    }
  }

  /** Whether {@code value} is {@code name=URL}: an address never has '=' before its host. */
  private static boolean named(String value) {
    int equals = value.indexOf('=');
    return equals > 0 && value.substring(0, equals).chars().noneMatch(c -> c == ':' || c == '/');
  }

  private static String address(String value) {
    return named(value) ? value.substring(value.indexOf('=') + 1).strip() : value;
  }

  /** Rejects a bad {@code --ollama} while picocli parses, so it is a usage error. */
  static final class UpstreamConverter implements ITypeConverter<String> {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");

    @Override
    public String convert(String value) {
      String text = value.strip();
      if (text.contains(",")) {
        throw new TypeConversionException(
            "one Ollama server per --ollama (repeat the option), not a list: " + text);
      }
      if (named(text)) {
        String name = text.substring(0, text.indexOf('=')).strip();
        if (!NAME.matcher(name).matches()) {
          throw new TypeConversionException(
              "invalid server name '"
                  + name
                  + "': letters, digits, '.', '_' or '-', at most 63 (name=URL)");
        }
      }
      try {
        OllamaHost.parse(address(text));
      } catch (IllegalArgumentException e) {
        // picocli's own message for other exceptions repeats the value, password included
        throw new TypeConversionException(e.getMessage());
      }
      return text;
    }
  }

  private static int checkPort(int value, String option) {
    if (value < 0 || value > 65535) {
      throw new UsageException(option + " must be from 0 to 65535, got " + value);
    }
    return value;
  }
}
