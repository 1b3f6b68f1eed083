package io.tinyllm.cli.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.tinyllm.cli.ReliabilityAccess;
import io.tinyllm.metrics.testing.FreePorts;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A bounded soak: the {@code demo} workload (every kind of call, bursts, injected faults) at a high
 * rate for a few minutes ({@code -Dtinyllm.soak.seconds}, default 150). Between the middle and the
 * end, the number of series and the number of live threads stay flat within the stated tolerances:
 * nothing grows per request.
 */
@Tag("soak")
class SoakTest {
  static final int SECONDS = Integer.getInteger("tinyllm.soak.seconds", 150);

  /** Series may still appear late (a rare error type on a rare model): at most this many. */
  static final int SERIES_TOLERANCE = 40;

  /**
   * Pools (the HTTP client's workers, the queue) may grow and shrink with the load by this many
   * threads; a thread leaked per request would add thousands at 100 requests a second.
   */
  static final int THREAD_TOLERANCE = 32;

  @Test
  void seriesAndThreadsStayFlat() throws Exception {
    int port = FreePorts.find();
    URI metrics = URI.create("http://127.0.0.1:" + port + "/metrics");
    ReliabilityAccess.Running demo =
        ReliabilityAccess.start(
            "demo",
            "--duration",
            SECONDS + "s",
            "--rate",
            "100",
            "--time-scale",
            "0.01",
            "--port",
            String.valueOf(port),
            "--summary-every",
            "5s");
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    long start = System.nanoTime();
    Samples first = awaitScrape(http, metrics);

    sleepUntil(start, Duration.ofSeconds(SECONDS / 2));
    Samples middle = scrape(http, metrics);
    int threadsMiddle = Thread.activeCount();
    sleepUntil(start, Duration.ofSeconds(SECONDS - 2));
    Samples end = scrape(http, metrics);
    int threadsEnd = Thread.activeCount();

    ReliabilityAccess.Result result = demo.result(Duration.ofSeconds(SECONDS + 60));
    assertThat(result.exitCode()).as(result.err()).isZero();

    long callsMiddle = middle.count("tinyllm_queue_requests_total");
    long callsEnd = end.count("tinyllm_queue_requests_total");
    assertThat(callsEnd).as("the second half did work").isGreaterThan(callsMiddle + 100);
    assertThat(first.series("tinyllm_")).isPositive();
    int seriesMiddle = middle.series("tinyllm_");
    int seriesEnd = end.series("tinyllm_");
    assertThat(seriesEnd)
        .as("series: middle " + seriesMiddle + ", end " + seriesEnd)
        .isLessThanOrEqualTo(seriesMiddle + SERIES_TOLERANCE);
    // heap after System.gc() is not deterministic; threads and series are what would pile up
    assertThat(threadsEnd)
        .as("live threads: middle " + threadsMiddle + ", end " + threadsEnd)
        .isLessThanOrEqualTo(threadsMiddle + THREAD_TOLERANCE);
    // nothing lost on the way: the queue's invariant holds at every scrape
    assertThat(end.count("tinyllm_queue_outcomes_total"))
        .isLessThanOrEqualTo(end.count("tinyllm_queue_requests_total"));
    System.out.printf(
        "soak: %d calls, series %d -> %d, threads %d -> %d%n",
        callsEnd, seriesMiddle, seriesEnd, threadsMiddle, threadsEnd);
  }

  private static Samples awaitScrape(HttpClient http, URI uri) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (true) {
      try {
        Samples samples = scrape(http, uri);
        if (samples.count("tinyllm_queue_requests_total") > 0) {
          return samples;
        }
      } catch (Exception e) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("the demo served no metrics at " + uri, e);
        }
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("the demo recorded nothing at " + uri);
      }
      Thread.sleep(100);
    }
  }

  private static Samples scrape(HttpClient http, URI uri) throws Exception {
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    return Samples.parse(response.body());
  }

  private static void sleepUntil(long start, Duration offset) throws InterruptedException {
    long wait = start + offset.toNanos() - System.nanoTime();
    if (wait > 0) {
      Thread.sleep(wait / 1_000_000);
    }
  }
}
