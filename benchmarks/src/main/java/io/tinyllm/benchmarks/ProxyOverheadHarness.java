package io.tinyllm.benchmarks;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What {@code tinyllm proxy} adds, measured side by side in one run against going straight to the
 * simulator and against a bare forwarding loop ({@link BareForwarder}): latency per small request
 * (p50, p99) as a client sees it, and the CPU the middle process spends per streamed token. The
 * simulator, the proxy and the forwarder each run in a JVM of their own with the same flags, and
 * the proxy once more with the launcher's flags for short commands (C1 only; {@code tinyllm proxy}
 * itself keeps C2); the harness is the client. Rounds alternate the paths so drift on the machine
 * falls on all of them. With {@code baseline=JAR} (the benchmark jar of another commit), that
 * commit's proxy runs in the same run too, both ways, as the "before" of a change.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.tinyllm.benchmarks.ProxyOverheadHarness \
 *     [rounds=5] [requests=2000] [streams=100] [tokens=512] [warmup=300] [pace=0] [baseline=JAR] \
 *     [peers=nginx,ollama-exporter=PATH,ollama-metrics=PATH]
 * </pre>
 *
 * <p>{@code pace=MICROS} (0, the default: as fast as it can) has the simulator stream a token every
 * {@code MICROS} µs, so chunks reach the middle process one by one as a real Ollama sends them
 * instead of in bursts of many per read; warm-up streams are paced too. The small requests are not
 * paced: their model takes no time but 1 µs per token, one short sleep of the simulator's per
 * answer on every path alike.
 *
 * <p>{@code peers=} adds other projects' proxies as paths measured the same way ({@link Peers}).
 *
 * <p>Not a JMH benchmark: the figures are other processes' CPU and a latency distribution, which
 * JMH's in-process measurement cannot give. Nothing here runs in CI.
 */
public final class ProxyOverheadHarness {
  private static final String MODEL = "qwen2.5:0.5b";

  /**
   * The flags of every child: the JDK HTTP server (simulator, proxy) with Nagle off, as the {@code
   * tinyllm} launcher runs it; without it each small answer waits out a 40 ms delayed ACK.
   */
  private static final List<String> CHILD_JVM =
      List.of(
          "-Xmx512m",
          "-XX:+UseSerialGC",
          "-Dsun.net.httpserver.nodelay=true",
          // what io.tinyllm.cli.Main sets on a machine of 1 or 2 CPUs, before the pool exists
          "-Djava.util.concurrent.ForkJoinPool.common.parallelism=2");

  /**
   * The launcher's flags for short commands: C1 only, for a short start-up. {@code bin/tinyllm}
   * started the proxy this way until it kept C2 for the commands that serve until interrupted.
   */
  private static final List<String> LAUNCHER_JVM =
      List.of(
          "-Xmx512m",
          "-XX:+UseSerialGC",
          "-XX:TieredStopAtLevel=1",
          "-Dsun.net.httpserver.nodelay=true",
          "-Djava.util.concurrent.ForkJoinPool.common.parallelism=2");

  /** {@link ChunkForwarder}'s path: the floor with a write per chunk, as the issue words it. */
  private static final String PER_CHUNK = "bare forwarder, a flush per chunk";

  private ProxyOverheadHarness() {}

  public static void main(String[] args) throws Exception {
    Map<String, Integer> params = new LinkedHashMap<>();
    params.put("rounds", 5);
    params.put("requests", 2000);
    params.put("streams", 100);
    params.put("tokens", 512);
    params.put("warmup", 300);
    params.put("pace", 0);
    String baseline = null;
    for (String arg : args) {
      if (Peers.isFlag(arg)) {
        continue;
      }
      String[] kv = arg.split("=", 2);
      if (kv.length == 2 && kv[0].equals("baseline")) {
        if (!Files.isRegularFile(Path.of(kv[1]))) {
          throw new IllegalArgumentException("baseline=" + kv[1] + ": no such jar");
        }
        baseline = kv[1];
        continue;
      }
      if (kv.length != 2 || !params.containsKey(kv[0])) {
        throw new IllegalArgumentException(
            "expected one of " + params.keySet() + "=N or baseline=JAR: " + arg);
      }
      params.put(kv[0], Integer.parseInt(kv[1]));
    }
    int rounds = params.get("rounds");
    int requests = params.get("requests");
    int streams = params.get("streams");
    int tokens = params.get("tokens");
    int warmup = params.get("warmup");
    int pace = params.get("pace");
    if (pace < 0 || pace > SimulatorProcess.MAX_PACE_MICROS) {
      throw new IllegalArgumentException(
          "pace=" + pace + ": expected 0 to " + SimulatorProcess.MAX_PACE_MICROS + " µs per token");
    }
    String streamModel = pace > 0 ? SimulatorProcess.PACED_MODEL : MODEL;
    List<String> simArgs = new ArrayList<>();
    if (pace > 0) {
      simArgs.add("pace=" + pace);
    }
    simArgs.add(Integer.toString(tokens));
    List<PeerProxy> chosenPeers = Peers.parse(args); // a misspelt peer fails before anything starts
    System.out.println("# ProxyOverheadHarness " + params + ", children " + CHILD_JVM);
    System.out.println("# the C1-only proxy runs with " + LAUNCHER_JVM);
    System.out.println("# java " + System.getProperty("java.vm.version"));
    System.out.println("# baseline " + (baseline == null ? "none" : baseline));
    System.out.println("# load average at the start: " + loadAverage());

    try (ChildProcess sim =
            ChildProcess.start(
                SimulatorProcess.class,
                SimulatorProcess.READY,
                CHILD_JVM,
                simArgs.toArray(String[]::new));
        ChildProcess proxy =
            ChildProcess.start(
                ProxyProcess.class, ProxyProcess.READY, CHILD_JVM, sim.uri().toString());
        ChildProcess proxyC1 =
            ChildProcess.start(
                ProxyProcess.class, ProxyProcess.READY, LAUNCHER_JVM, sim.uri().toString());
        ChildProcess bare =
            ChildProcess.start(
                BareForwarder.class, BareForwarder.READY, CHILD_JVM, sim.uri().toString());
        ChildProcess perChunk =
            ChildProcess.start(
                ChunkForwarder.class, ChunkForwarder.READY, CHILD_JVM, sim.uri().toString());
        ChildProcess mainProxy =
            baseline == null
                ? null
                : ChildProcess.start(
                    baseline,
                    ProxyProcess.class,
                    ProxyProcess.READY,
                    CHILD_JVM,
                    sim.uri().toString());
        ChildProcess mainProxyC1 =
            baseline == null
                ? null
                : ChildProcess.start(
                    baseline,
                    ProxyProcess.class,
                    ProxyProcess.READY,
                    LAUNCHER_JVM,
                    sim.uri().toString());
        Peers peers = Peers.start(chosenPeers, sim.uri())) {
      Map<String, URI> paths = new LinkedHashMap<>();
      paths.put("direct", sim.uri());
      paths.put("bare forwarder", bare.uri());
      paths.put(PER_CHUNK, perChunk.uri());
      paths.put("tinyllm proxy", proxy.uri());
      paths.put("tinyllm proxy, C1 only", proxyC1.uri());
      Map<String, CpuClock> middles = new LinkedHashMap<>();
      middles.put("bare forwarder", bare::cpuTime);
      middles.put(PER_CHUNK, perChunk::cpuTime);
      middles.put("tinyllm proxy", proxy::cpuTime);
      middles.put("tinyllm proxy, C1 only", proxyC1::cpuTime);
      if (mainProxy != null) {
        paths.put("before: tinyllm proxy", mainProxy.uri());
        paths.put("before: tinyllm proxy, C1 only", mainProxyC1.uri());
        middles.put("before: tinyllm proxy", mainProxy::cpuTime);
        middles.put("before: tinyllm proxy, C1 only", mainProxyC1::cpuTime);
      }
      paths.putAll(peers.uris());
      middles.putAll(peers.clocks());
      Map<String, HttpClient> clients = new LinkedHashMap<>();
      paths.keySet().forEach(p -> clients.put(p, client()));

      // the same bytes on every path, before anything is timed
      String reference = stream(clients.get("direct"), paths.get("direct"), streamModel, tokens);
      for (String path : paths.keySet()) {
        String body = stream(clients.get(path), paths.get(path), streamModel, tokens);
        if (!strip(body).equals(strip(reference))) {
          throw new IllegalStateException(path + " changed the streamed answer");
        }
      }

      Map<String, List<Long>> latencies = new LinkedHashMap<>();
      Map<String, List<Double>> cpuPerToken = new LinkedHashMap<>();
      paths.keySet().forEach(p -> latencies.put(p, new ArrayList<>()));
      paths.keySet().stream()
          .filter(middles::containsKey)
          .forEach(p -> cpuPerToken.put(p, new ArrayList<>()));
      // warm-up: the JIT of every process settles on the paths it will run
      for (String path : paths.keySet()) {
        small(clients.get(path), paths.get(path), requests, null);
        // C2 goes on compiling the proxy's streaming path for a few hundred answers
        for (int i = 0; i < warmup; i++) {
          stream(clients.get(path), paths.get(path), streamModel, tokens);
        }
      }
      List<String> order = new ArrayList<>(paths.keySet());
      for (int round = 0; round < rounds; round++) {
        for (String path : order) {
          small(clients.get(path), paths.get(path), requests, latencies.get(path));
        }
        for (String path : order) {
          if (!middles.containsKey(path)) {
            continue;
          }
          CpuClock middle = middles.get(path);
          Duration before = middle.cpuTime();
          long streamed = 0;
          for (int i = 0; i < streams; i++) {
            streamed += tokens(stream(clients.get(path), paths.get(path), streamModel, tokens));
          }
          Duration used = middle.cpuTime().minus(before);
          cpuPerToken.get(path).add(used.toNanos() / (double) streamed);
        }
        order.add(order.remove(0));
      }

      System.out.println();
      System.out.println("# load average at the end: " + loadAverage());
      System.out.println();
      System.out.println("| path | p50 | p99 | p50 added | p99 added | samples |");
      System.out.println("|---|---|---|---|---|---|");
      long directP50 = percentile(latencies.get("direct"), 50);
      long directP99 = percentile(latencies.get("direct"), 99);
      for (String path : paths.keySet()) {
        long p50 = percentile(latencies.get(path), 50);
        long p99 = percentile(latencies.get(path), 99);
        System.out.printf(
            Locale.ROOT,
            "| %s | %.1f µs | %.1f µs | %s | %s | %d |%n",
            path,
            p50 / 1e3,
            p99 / 1e3,
            path.equals("direct")
                ? "—"
                : String.format(Locale.ROOT, "%.1f µs", (p50 - directP50) / 1e3),
            path.equals("direct")
                ? "—"
                : String.format(Locale.ROOT, "%.1f µs", (p99 - directP99) / 1e3),
            latencies.get(path).size());
      }
      System.out.println();
      System.out.println(
          "| middle process | CPU per streamed token, per round | median | ÷ bare |"
              + " ÷ bare, a flush per chunk |");
      System.out.println("|---|---|---|---|---|");
      double bareMedian = median(cpuPerToken.get("bare forwarder"));
      double perChunkMedian = median(cpuPerToken.get(PER_CHUNK));
      for (String path : cpuPerToken.keySet()) {
        double median = median(cpuPerToken.get(path));
        System.out.printf(
            Locale.ROOT,
            "| %s | %s | %.0f ns | %.2f | %.2f |%n",
            path,
            cpuPerToken.get(path).stream().map(v -> String.format(Locale.ROOT, "%.0f", v)).toList(),
            median,
            median / bareMedian,
            median / perChunkMedian);
      }
    }
  }

  /** The 1, 5 and 15 minute load averages (Linux), or "unknown". */
  private static String loadAverage() {
    try {
      String[] fields = Files.readString(Path.of("/proc/loadavg")).split(" ");
      return fields[0] + ", " + fields[1] + ", " + fields[2];
    } catch (IOException | RuntimeException e) {
      return "unknown";
    }
  }

  private static HttpClient client() {
    return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  }

  /** {@code count} small non-streamed generate calls; their latencies go to {@code into}. */
  private static void small(HttpClient client, URI base, int count, List<Long> into)
      throws IOException, InterruptedException {
    HttpRequest request =
        HttpRequest.newBuilder(base.resolve("/api/generate"))
            .header("Content-Type", "application/json")
            .POST(
                HttpRequest.BodyPublishers.ofString(
                    "{\"model\":\""
                        + MODEL
                        + "\",\"prompt\":\"hi\",\"stream\":false,"
                        + "\"options\":{\"num_predict\":1,\"temperature\":0}}"))
            .build();
    for (int i = 0; i < count; i++) {
      long start = System.nanoTime();
      HttpResponse<byte[]> response = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
      long took = System.nanoTime() - start;
      if (response.statusCode() != 200) {
        throw new IllegalStateException(
            base
                + " answered "
                + response.statusCode()
                + ": "
                + new String(response.body(), StandardCharsets.UTF_8));
      }
      if (into != null) {
        into.add(took);
      }
    }
  }

  /**
   * One streamed generate of {@code tokens} tokens from {@code model}, read as it arrives; the
   * whole body.
   */
  private static String stream(HttpClient client, URI base, String model, int tokens)
      throws IOException, InterruptedException {
    HttpRequest request =
        HttpRequest.newBuilder(base.resolve("/api/generate"))
            .header("Content-Type", "application/json")
            .POST(
                HttpRequest.BodyPublishers.ofString(
                    "{\"model\":\""
                        + model
                        + "\",\"prompt\":\""
                        + SimulatorProcess.prompt(tokens)
                        + "\",\"stream\":true,\"options\":{\"num_predict\":"
                        + tokens
                        + ",\"temperature\":0}}"))
            .build();
    HttpResponse<InputStream> response =
        client.send(request, HttpResponse.BodyHandlers.ofInputStream());
    try (InputStream in = response.body()) {
      byte[] body = in.readAllBytes();
      if (response.statusCode() != 200) {
        throw new IllegalStateException(base + " answered " + response.statusCode());
      }
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  /** Chunks carrying a token: every line but the final one. */
  private static long tokens(String body) {
    return body.lines().filter(l -> !l.isBlank()).count() - 1;
  }

  /** The body without the durations and timestamps, which differ from call to call. */
  private static String strip(String body) {
    return body.replaceAll("\"created_at\":\"[^\"]*\"", "")
        .replaceAll("\"(total|load|prompt_eval|eval)_duration\":\\d+", "");
  }

  private static long percentile(List<Long> samples, int p) {
    long[] sorted = samples.stream().mapToLong(Long::longValue).toArray();
    Arrays.sort(sorted);
    int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
  }

  private static double median(List<Double> values) {
    double[] sorted = values.stream().mapToDouble(Double::doubleValue).toArray();
    Arrays.sort(sorted);
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }
}
