package io.tinyllm.ollama.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * What the peer-client checks share: a simulator with scripted answers and tool calls, and a way to
 * have six requests at the server at once.
 */
final class PeerFixture {
  /** How long a wait for what another thread brings about may take: generous on a busy CI. */
  private static final Duration WAIT = Duration.ofSeconds(20);

  static final String MODEL = "qwen2.5:0.5b";
  static final String EMBEDDING_MODEL = "nomic-embed-text";
  static final String PING = "ping";
  static final String PONG = "pong, and a few more words";
  static final String WEATHER_QUESTION = "what is the weather in tokyo?";
  static final String WEATHER_RESULT = "sunny, 21 degrees";
  static final String WEATHER_ANSWER = "It is sunny and 21 degrees in Tokyo.";

  private PeerFixture() {}

  /**
   * The simulator the checks run against: {@code ping} answers {@link #PONG}, the weather question
   * calls {@code get_weather} with {@code {"city": "Tokyo"}} when tools are offered, and the tool
   * result {@link #WEATHER_RESULT} (as a plain result or in ollama4j's {@code [TOOL_RESULTS]} form)
   * is answered with {@link #WEATHER_ANSWER}.
   */
  static OllamaSimulator start() throws Exception {
    return OllamaSimulator.start(
        SimulatorConfig.builder()
            .timeScale(0.01)
            .cannedAnswer(PING, PONG)
            .cannedAnswer(
                WEATHER_QUESTION,
                "tool_calls:[{\"name\":\"get_weather\",\"arguments\":{\"city\":\"Tokyo\"}}]")
            .cannedAnswer(WEATHER_RESULT, WEATHER_ANSWER)
            .cannedAnswer(
                "[TOOL_RESULTS] get_weather(city): " + WEATHER_RESULT + " [/TOOL_RESULTS]",
                WEATHER_ANSWER)
            .build());
  }

  /** The tokens the simulator generates for {@code text}: what {@code eval_count} reports. */
  static int tokens(String text) {
    return Tokenizer.count(text);
  }

  /**
   * Runs {@code call} six times at once and returns the results, after checking that all six were
   * at the server together: the first holds the model's only slot at a gate until the other five
   * wait in the scheduler, and none of them is refused.
   */
  static <T> List<T> sixAtOnce(OllamaSimulator sim, Callable<T> call) throws Exception {
    long rejectedBefore = sim.stats().busyRejections();
    Gate gate = sim.faults().holdBeforeFirstToken(1);
    ExecutorService callers = Executors.newFixedThreadPool(6);
    try {
      List<Future<T>> futures = new ArrayList<>();
      futures.add(callers.submit(call));
      assertThat(gate.awaitHeld(1, WAIT)).as("1 held at the gate").isTrue();
      for (int i = 1; i < 6; i++) {
        futures.add(callers.submit(call));
      }
      assertThat(sim.stats().awaitActiveRequests(6, WAIT)).as("6 in the scheduler").isTrue();
      assertThat(sim.stats().runningRequests()).isEqualTo(1);
      gate.open();
      List<T> results = new ArrayList<>();
      for (Future<T> future : futures) {
        results.add(future.get(30, TimeUnit.SECONDS));
      }
      assertThat(sim.stats().busyRejections()).isEqualTo(rejectedBefore);
      return results;
    } finally {
      gate.open();
      callers.shutdownNow();
    }
  }
}
