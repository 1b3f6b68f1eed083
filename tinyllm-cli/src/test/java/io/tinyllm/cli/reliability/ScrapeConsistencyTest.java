package io.tinyllm.cli.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.tinyllm.api.llm.GenerateRequest;
import io.tinyllm.api.llm.GenerationOptions;
import io.tinyllm.api.llm.LlmClient;
import io.tinyllm.cli.ReliabilityAccess;
import io.tinyllm.ollama.sim.OllamaSimulator;
import io.tinyllm.ollama.sim.SimulatorConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * {@code /metrics} scraped over HTTP while many threads record: every scrape answers 200, no
 * histogram is torn (buckets rise, {@code +Inf} equals {@code _count}, the sum is plausible) and no
 * counter goes backwards between two scrapes.
 */
class ScrapeConsistencyTest {
  private static final int RECORDERS = 6;
  private static final int SCRAPERS = 2;
  private static final Duration RUN_FOR = Duration.ofSeconds(3);

  /** No observation of ours exceeds this many seconds (request timeout 10 s plus retries). */
  private static final double LONGEST_PLAUSIBLE_SECONDS = 120;

  @Test
  void scrapesUnderHeavyRecordingAreWholeAndConsistent() throws Exception {
    try (OllamaSimulator sim =
            Fixtures.simulator(
                SimulatorConfig.builder().timeScale(0).maxParallel(16).threads(32).build());
        ReliabilityAccess.App app =
            Fixtures.start(
                Fixtures.settings(
                    sim.baseUri().toString(),
                    "metrics.exporters",
                    "http",
                    "metrics.http.port",
                    "0",
                    "cache.enabled",
                    "false"))) {
      LlmClient client = app.get(LlmClient.class);
      URI uri = app.metricsUri();
      AtomicBoolean running = new AtomicBoolean(true);
      AtomicInteger recorded = new AtomicInteger();
      AtomicInteger scrapes = new AtomicInteger();
      ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
      List<Thread> threads = new ArrayList<>();
      for (int t = 0; t < RECORDERS; t++) {
        int id = t;
        threads.add(
            new Thread(
                () -> {
                  for (int i = 0; running.get() && i < 1_000_000; i++) {
                    GenerateRequest request =
                        GenerateRequest.builder("qwen2.5:0.5b", "scrape " + id + " " + i)
                            .options(GenerationOptions.builder().numPredict(8).build())
                            .build();
                    if (i % 3 == 0) {
                      client.generateStream(request, token -> {}).completion().join();
                    } else {
                      client.generate(request);
                    }
                    recorded.incrementAndGet();
                  }
                },
                "recorder-" + t));
      }
      for (int t = 0; t < SCRAPERS; t++) {
        threads.add(new Thread(() -> scrapeWhile(running, uri, scrapes, problems), "scraper-" + t));
      }
      threads.forEach(Thread::start);
      Thread.sleep(RUN_FOR.toMillis());
      running.set(false);
      for (Thread thread : threads) {
        thread.join(Fixtures.WAIT.toMillis());
        assertThat(thread.isAlive()).as(thread.getName() + " is stuck").isFalse();
      }
      assertThat(problems).isEmpty();
      assertThat(scrapes.get()).isGreaterThan(10);
      assertThat(recorded.get()).isGreaterThan(100);
      // and once quiet, the last scrape counts every call
      Samples last = Samples.parse(get(HttpClient.newHttpClient(), uri).body());
      assertThat(last.count("tinyllm_requests_total")).isEqualTo(recorded.get());
      assertThat(last.count("tinyllm_request_latency_seconds_count")).isEqualTo(recorded.get());
    }
  }

  private static void scrapeWhile(
      AtomicBoolean running,
      URI uri,
      AtomicInteger scrapes,
      ConcurrentLinkedQueue<String> problems) {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    Map<String, Double> previousCounters = new HashMap<>();
    for (int i = 0; running.get() && i < 100_000; i++) {
      try {
        HttpResponse<String> response = get(http, uri);
        if (response.statusCode() != 200) {
          problems.add("scrape answered " + response.statusCode());
          continue;
        }
        Samples samples = Samples.parse(response.body());
        checkHistograms(samples, problems);
        checkCountersRise(samples, previousCounters, problems);
        scrapes.incrementAndGet();
      } catch (Exception e) {
        problems.add("scrape failed: " + e);
      }
    }
  }

  private static HttpResponse<String> get(HttpClient http, URI uri) throws Exception {
    return http.send(
        HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** Per histogram series: buckets non-decreasing in {@code le}, +Inf == _count, sum plausible. */
  static void checkHistograms(Samples samples, ConcurrentLinkedQueue<String> problems) {
    Map<String, TreeMap<Double, Double>> buckets = new HashMap<>();
    Map<String, Double> counts = new HashMap<>();
    Map<String, Double> sums = new HashMap<>();
    for (Samples.Sample sample : samples.all()) {
      String name = sample.name();
      if (name.endsWith("_bucket") && sample.labels().containsKey("le")) {
        Map<String, String> labels = new TreeMap<>(sample.labels());
        double le = parseLe(labels.remove("le"));
        buckets
            .computeIfAbsent(series(name, "_bucket", labels), k -> new TreeMap<>())
            .put(le, sample.value());
      } else if (name.endsWith("_count")) {
        counts.put(series(name, "_count", new TreeMap<>(sample.labels())), sample.value());
      } else if (name.endsWith("_sum")) {
        sums.put(series(name, "_sum", new TreeMap<>(sample.labels())), sample.value());
      }
    }
    for (Map.Entry<String, TreeMap<Double, Double>> histogram : buckets.entrySet()) {
      String key = histogram.getKey();
      double previous = 0;
      for (Map.Entry<Double, Double> bucket : histogram.getValue().entrySet()) {
        if (bucket.getValue() < previous) {
          problems.add(key + ": bucket le=" + bucket.getKey() + " below the one before");
        }
        previous = bucket.getValue();
      }
      Double inf = histogram.getValue().get(Double.POSITIVE_INFINITY);
      Double count = counts.get(key);
      if (inf == null || !inf.equals(count)) {
        problems.add(key + ": +Inf bucket " + inf + " but _count " + count);
      }
      Double sum = sums.get(key);
      if (sum != null && count != null) {
        checkSum(key, histogram.getValue(), sum, count, problems);
      }
    }
  }

  /**
   * The buckets bound the sum: an observation counted in bucket (a, b] adds more than a and at most
   * b, and a duration is at most {@link #LONGEST_PLAUSIBLE_SECONDS}. A sum recorded in another unit
   * than the buckets (nanoseconds, milliseconds) falls outside these bounds.
   */
  private static void checkSum(
      String key,
      TreeMap<Double, Double> cumulative,
      double sum,
      double count,
      ConcurrentLinkedQueue<String> problems) {
    boolean seconds = key.substring(0, key.indexOf('{')).endsWith("_seconds");
    double least = 0;
    double most = 0;
    double lowerEdge = 0;
    double below = 0;
    for (Map.Entry<Double, Double> bucket : cumulative.entrySet()) {
      double in = bucket.getValue() - below;
      double upperEdge = bucket.getKey();
      if (upperEdge == Double.POSITIVE_INFINITY) {
        upperEdge = seconds ? Math.max(lowerEdge, LONGEST_PLAUSIBLE_SECONDS) : upperEdge;
      }
      least += in * lowerEdge;
      most += in == 0 ? 0 : in * upperEdge;
      lowerEdge = bucket.getKey();
      below = bucket.getValue();
    }
    if (seconds) {
      most = Math.min(most, count * LONGEST_PLAUSIBLE_SECONDS);
    }
    double slack = 1e-9 * Math.max(1, Math.abs(sum)); // the sum is a double added up in any order
    if (sum < 0 || sum < least - slack || sum > most + slack) {
      problems.add(
          key
              + ": _sum "
              + sum
              + " outside what its buckets allow ["
              + least
              + ", "
              + most
              + "] for _count "
              + count);
    }
  }

  private static void checkCountersRise(
      Samples samples, Map<String, Double> previous, ConcurrentLinkedQueue<String> problems) {
    for (Samples.Sample sample : samples.all()) {
      if (sample.name().endsWith("_total") || sample.name().endsWith("_count")) {
        String key = sample.name() + new TreeMap<>(sample.labels());
        Double before = previous.put(key, sample.value());
        if (before != null && sample.value() < before) {
          problems.add(key + " went down from " + before + " to " + sample.value());
        }
      }
    }
  }

  private static String series(String name, String suffix, Map<String, String> labels) {
    return name.substring(0, name.length() - suffix.length()) + labels;
  }

  private static double parseLe(String le) {
    return "+Inf".equals(le) ? Double.POSITIVE_INFINITY : Double.parseDouble(le);
  }
}
