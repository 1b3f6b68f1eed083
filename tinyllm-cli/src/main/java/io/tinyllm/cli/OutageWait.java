package io.tinyllm.cli;

import static java.util.Objects.requireNonNull;

import io.tinyllm.api.error.CancelledException;
import io.tinyllm.api.error.ErrorType;
import io.tinyllm.ollama.OllamaClient;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Lets a batch ride out an Ollama outage: a prompt that failed because the server is out (refused,
 * timed out, busy, 5xx, or an open circuit breaker) runs again when a breaker changes state — an
 * open one going half-open lets trial calls through — for at most {@code max} from its first try;
 * then the last failure stands. {@link Duration#ZERO} fails at once.
 *
 * <pre>{@code
 * QueryResult result = new OutageWait(client, Duration.ofSeconds(60)).run(() -> runner.run(p, m));
 * }</pre>
 */
final class OutageWait {
  /** Failures that say the server is out rather than that the request is wrong. */
  private static final Set<ErrorType> OUTAGE =
      EnumSet.of(
          ErrorType.CONNECTION,
          ErrorType.TIMEOUT,
          ErrorType.SERVER_BUSY,
          ErrorType.SERVER_ERROR,
          ErrorType.STREAM_ERROR,
          ErrorType.CIRCUIT_OPEN);

  /**
   * Longest wait without a breaker transition: a closed breaker (still counting failures, or
   * disabled) announces nothing, nor does a graph node's breaker.
   */
  static final Duration MAX_PAUSE = Duration.ofSeconds(1);

  private final OllamaClient client;
  private final Duration max;

  OutageWait(OllamaClient client, Duration max) {
    this.client = requireNonNull(client, "client is null");
    this.max = requireNonNull(max, "max is null");
  }

  QueryResult run(Supplier<QueryResult> attempt) {
    long deadline = System.nanoTime() + max.toNanos();
    while (true) {
      long seen = client.circuitBreakerTransitions();
      QueryResult result = attempt.get();
      long left = deadline - System.nanoTime();
      if (result.success() || !OUTAGE.contains(result.rootCause()) || left <= 0) {
        return result;
      }
      try {
        client.awaitCircuitBreakerTransition(
            seen, Duration.ofNanos(Math.min(left, MAX_PAUSE.toNanos())));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new CancelledException("Interrupted while waiting for Ollama to come back", e);
      }
    }
  }
}
