package io.tinyllm.ollama;

import static java.util.Objects.requireNonNull;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig.SlidingWindowType;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.tinyllm.api.error.CancelledException;
import io.tinyllm.api.error.CircuitOpenException;
import io.tinyllm.api.error.ErrorType;
import io.tinyllm.api.error.LlmException;
import io.tinyllm.api.error.RateLimitedException;
import io.tinyllm.api.error.TooManyRequestsException;
import io.tinyllm.api.time.TickerClock;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Runs one call through, from outside in: retry (Resilience4j {@link Retry}), the model's circuit
 * breaker (Resilience4j {@link CircuitBreaker}), the client's {@link TokenBucket}, then the
 * attempt. Every attempt asks the breaker and takes a token, so retries are limited and counted
 * like any call. Only retryable failures are retried, and a stream only until it delivered output.
 *
 * <p>Breakers and retries are per model name, for at most {@value #MAX_MODELS} names: model names
 * can come from outside, so beyond that every new name shares one breaker and retry kept under
 * {@value #OVERFLOW} (as the label guard folds their labels) instead of growing without bound.
 */
final class Resilience {
  /** One try at the call. */
  interface Attempt<T> {
    T run();

    /** Whether a failure of the last run may be retried (false once a stream delivered output). */
    default boolean mayRetry() {
      return true;
    }
  }

  /** Waits on behalf of a call; ends early with {@link CancelledException} if the call is. */
  interface Waiter {
    void await(long nanos);
  }

  /** Waits by sleeping the calling thread; an interrupt cancels the call. */
  static final Waiter SLEEP =
      nanos -> {
        try {
          TimeUnit.NANOSECONDS.sleep(nanos);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new CancelledException("Interrupted while waiting to call Ollama", e);
        }
      };

  /** Distinct model names that get a breaker and a retry of their own. */
  static final int MAX_MODELS = 256;

  /** The name under which models beyond {@link #MAX_MODELS} share a breaker and a retry. */
  static final String OVERFLOW = "other";

  /**
   * Failures that are the caller's or the client's own doing, or a request the server can never
   * serve as asked (Ollama's deterministic 500s, 501): they leave the breaker alone.
   */
  private static final Set<ErrorType> NOT_SERVER_FAILURES =
      EnumSet.of(
          ErrorType.BAD_REQUEST,
          ErrorType.MODEL_NOT_FOUND,
          ErrorType.SERVER_REJECTED,
          ErrorType.NOT_SUPPORTED,
          ErrorType.CANCELLED,
          ErrorType.RATE_LIMITED,
          ErrorType.CIRCUIT_OPEN);

  private final OllamaConfig config;
  // built on first use: a client that only manages models never records here
  private final Supplier<ResilienceMetrics> metrics;
  private final Supplier<RecordingFailures> recordingFailures;
  private final TokenBucket bucket;
  // nanoseconds: times the rate limiter's tokens and how long a breaker stays open
  private final LongSupplier clock;
  // built with the first breaker (guarded by this): a client that only manages models (a CLI
  // command) never loads Resilience4j's configuration classes (docs/performance.md §7)
  private CircuitBreakerConfig breakerConfig;
  private RetryConfig retryConfig;
  private final Map<String, CircuitBreaker> breakers = new ConcurrentHashMap<>();
  private final Map<String, Retry> retries = new ConcurrentHashMap<>();
  // per breaker name (so as bounded as the breakers): the last failure it recorded
  private final Map<String, LlmException> lastFailures = new ConcurrentHashMap<>();
  // state transitions of all breakers so far; waiters in awaitTransition sleep on it
  private final Object transitions = new Object();
  private long transitionCount;

  Resilience(OllamaConfig config, ResilienceMetrics metrics) {
    this(config, metrics, new RecordingFailures());
  }

  Resilience(OllamaConfig config, ResilienceMetrics metrics, RecordingFailures recordingFailures) {
    this(config, Lazy.built(metrics), Lazy.built(recordingFailures), System::nanoTime);
  }

  /**
   * Metrics and recording failures are asked for when first recorded to; {@code clock}
   * (nanoseconds) times the rate limiter's tokens and how long a breaker stays open (tests pass a
   * fake clock).
   */
  Resilience(
      OllamaConfig config,
      Supplier<ResilienceMetrics> metrics,
      Supplier<RecordingFailures> recordingFailures,
      LongSupplier clock) {
    this.clock = requireNonNull(clock, "clock is null");
    this.config = requireNonNull(config, "config is null");
    this.metrics = requireNonNull(metrics, "metrics is null");
    this.recordingFailures = requireNonNull(recordingFailures, "recordingFailures is null");
    OllamaConfig.RateLimitSettings rate = config.rateLimit();
    this.bucket =
        rate.enabled() ? new TokenBucket(rate.requestsPerSecond(), rate.burst(), clock) : null;
  }

  /**
   * Whether a failure says the server is unwell and so counts against its breaker: connection
   * failures, timeouts, 502/503/504, runner crashes, broken streams and malformed answers. A
   * caller's mistake (400, 404), a request the server cannot serve as asked (a deterministic 500,
   * 501), the server asking to slow down (429), a cancellation or the client's own rate limit do
   * not.
   */
  static boolean isServerFailure(Throwable failure) {
    if (!(failure instanceof LlmException llm)) {
      return true;
    }
    if (failure instanceof TooManyRequestsException) {
      return false;
    }
    return !NOT_SERVER_FAILURES.contains(llm.errorType());
  }

  <T> T execute(String model, Attempt<T> attempt, Waiter waiter) {
    Retry.AsyncContext<T> retryContext = retry(model).asyncContext();
    while (true) {
      try {
        T result = attemptOnce(model, attempt, waiter);
        retryContext.onComplete();
        return result;
      } catch (LlmException e) {
        if (!attempt.mayRetry()) {
          throw e;
        }
        long delayMillis = retryContext.onError(e);
        if (delayMillis < 0) {
          throw e;
        }
        waiter.await(TimeUnit.MILLISECONDS.toNanos(delayMillis));
      }
    }
  }

  private <T> T attemptOnce(String model, Attempt<T> attempt, Waiter waiter) {
    CircuitBreaker breaker = config.circuitBreaker().enabled() ? breaker(model) : null;
    if (breaker != null && !breaker.tryAcquirePermission()) {
      throw circuitOpen(model, breaker);
    }
    long start = System.nanoTime();
    try {
      takeToken(model, waiter);
      T result = attempt.run();
      if (breaker != null) {
        breaker.onSuccess(System.nanoTime() - start, TimeUnit.NANOSECONDS);
      }
      return result;
    } catch (RuntimeException e) {
      if (breaker != null) {
        if (e instanceof LlmException llm && isServerFailure(e)) {
          lastFailures.put(breaker.getName(), llm);
        }
        // ignored failures (see isServerFailure) just give the permission back
        breaker.onError(System.nanoTime() - start, TimeUnit.NANOSECONDS, e);
      }
      throw e;
    }
  }

  private void takeToken(String model, Waiter waiter) {
    if (bucket == null) {
      return;
    }
    Duration maxWait = config.rateLimit().maxWait();
    long wait = bucket.reserve(maxWait.toNanos());
    if (wait < 0) {
      record(() -> metrics.get().rateLimitWaited(model, maxWait));
      throw new RateLimitedException(
          "The client-side rate limit ("
              + config.rateLimit().requestsPerSecond()
              + " requests/s, burst "
              + config.rateLimit().burst()
              + ") had no permit for model '"
              + model
              + "' within "
              + maxWait.toMillis()
              + " ms ("
              + OllamaConfig.RATE_LIMIT_MAX_WAIT
              + ")");
    }
    record(() -> metrics.get().rateLimitWaited(model, Duration.ofNanos(wait)));
    if (wait > 0) {
      try {
        waiter.await(wait);
      } catch (CancelledException e) {
        bucket.refund();
        throw e;
      }
    }
  }

  private CircuitOpenException circuitOpen(String model, CircuitBreaker breaker) {
    LlmException last = lastFailures.get(breaker.getName());
    return new CircuitOpenException(
        "The circuit breaker for model '"
            + model
            + (OVERFLOW.equals(breaker.getName()) && !OVERFLOW.equals(model)
                ? "' (shared by the models beyond the first " + MAX_MODELS + " names) is "
                : "' is ")
            // read after the rejection, the state may have moved on: it was open or half-open
            + (breaker.getState() == CircuitBreaker.State.HALF_OPEN ? "half-open" : "open")
            + " after "
            + config.circuitBreaker().failureThreshold()
            + " consecutive failures"
            + (last == null ? "" : "; last: " + describe(last))
            + "; calls are rejected for "
            + config.circuitBreaker().openDuration().toMillis()
            + " ms, then trial calls are let through",
        CallNotPermittedException.createCallNotPermittedException(breaker),
        last == null ? null : last.errorType());
  }

  /** Longest failure message quoted in a breaker's message. */
  static final int MAX_LAST_FAILURE_CHARS = 200;

  /**
   * {@code type: message} of a failure, one line and at most {@link #MAX_LAST_FAILURE_CHARS} of its
   * message. The client's messages name the model, URL and status, never the prompt.
   */
  static String describe(LlmException failure) {
    String message = String.valueOf(failure.getMessage()).replaceAll("\\p{Cntrl}+", " ").strip();
    if (message.length() > MAX_LAST_FAILURE_CHARS) {
      message = message.substring(0, MAX_LAST_FAILURE_CHARS) + "…";
    }
    return failure.errorType().label() + ": " + message;
  }

  CircuitBreaker breaker(String model) {
    CircuitBreaker found = breakers.get(model);
    return found != null ? found : bounded(breakers, model, this::newBreaker);
  }

  private Retry retry(String model) {
    Retry found = retries.get(model);
    return found != null ? found : bounded(retries, model, this::newRetry);
  }

  /** The value for {@code model} in {@code map}, created under its name or {@link #OVERFLOW}. */
  private static <V> V bounded(Map<String, V> map, String model, Function<String, V> create) {
    synchronized (map) {
      V found = map.get(model);
      if (found != null) {
        return found;
      }
      String key = map.size() < MAX_MODELS ? model : OVERFLOW;
      return map.computeIfAbsent(key, create);
    }
  }

  private synchronized CircuitBreakerConfig breakerConfig() {
    if (breakerConfig != null) {
      return breakerConfig;
    }
    OllamaConfig.BreakerSettings breaker = config.circuitBreaker();
    // a count-based window of n calls that opens at a 100% failure rate opens exactly when the
    // last n calls all failed: n consecutive failures
    this.breakerConfig =
        CircuitBreakerConfig.custom()
            .slidingWindow(
                breaker.failureThreshold(),
                breaker.failureThreshold(),
                SlidingWindowType.COUNT_BASED)
            .failureRateThreshold(100f)
            .waitDurationInOpenState(breaker.openDuration())
            .permittedNumberOfCallsInHalfOpenState(breaker.halfOpenCalls())
            // a call made once the open duration has passed on the client's clock is a trial;
            // Resilience4j's timer also half-opens the breaker after the open duration of wall
            // time, so the state shows it without a call
            .clock(TickerClock.of(clock::getAsLong))
            .automaticTransitionFromOpenToHalfOpenEnabled(true)
            .recordException(Resilience::isServerFailure)
            .writableStackTraceEnabled(false)
            .build();
    return breakerConfig;
  }

  private synchronized RetryConfig retryConfig() {
    if (retryConfig != null) {
      return retryConfig;
    }
    OllamaConfig.RetrySettings retry = config.retry();
    this.retryConfig =
        RetryConfig.custom()
            .maxAttempts(retry.maxAttempts())
            .intervalFunction(
                IntervalFunction.ofExponentialRandomBackoff(
                    retry.initialBackoff(), retry.multiplier(), retry.jitter(), retry.maxBackoff()))
            .retryOnException(e -> e instanceof LlmException llm && llm.isRetryable())
            .build();
    return retryConfig;
  }

  private CircuitBreaker newBreaker(String name) {
    CircuitBreaker breaker = CircuitBreaker.of(name, breakerConfig());
    breaker
        .getEventPublisher()
        .onStateTransition(
            event -> {
              record(
                  () ->
                      metrics
                          .get()
                          .circuitBreakerTransitioned(
                              name,
                              stateName(event.getStateTransition().getFromState()),
                              stateName(event.getStateTransition().getToState())));
              // counted once recorded: a waiter woken by it finds the transition in the metrics
              synchronized (transitions) {
                transitionCount++;
                transitions.notifyAll();
              }
            })
        .onError(event -> record(() -> metrics.get().circuitBreakerFailureRecorded(name)));
    record(() -> metrics.get().circuitBreakerCreated(name));
    return breaker;
  }

  private Retry newRetry(String name) {
    Retry retry = Retry.of(name, retryConfig());
    retry
        .getEventPublisher()
        .onRetry(
            event ->
                record(() -> metrics.get().retried(name, errorType(event.getLastThrowable()))));
    return retry;
  }

  /** Records a metric; a failure of the metrics code never reaches the call. */
  private void record(Runnable recording) {
    try {
      recording.run();
    } catch (RuntimeException e) {
      recordingFailures.get().failed(e);
    }
  }

  private static ErrorType errorType(Throwable failure) {
    return failure instanceof LlmException llm ? llm.errorType() : ErrorType.INTERNAL;
  }

  /** The state as exposed in metrics: {@code closed}, {@code half_open} or {@code open}. */
  static String stateName(CircuitBreaker.State state) {
    return switch (state) {
      case OPEN, FORCED_OPEN -> "open";
      case HALF_OPEN -> "half_open";
      default -> "closed";
    };
  }

  /** How many state transitions all breakers made so far; see {@link #awaitTransition}. */
  long transitions() {
    synchronized (transitions) {
      return transitionCount;
    }
  }

  /**
   * Waits until some breaker made a transition after {@code seen} ({@link #transitions()}), or for
   * {@code maxNanos}; true if one did.
   */
  boolean awaitTransition(long seen, long maxNanos) throws InterruptedException {
    long deadline = System.nanoTime() + maxNanos;
    synchronized (transitions) {
      while (transitionCount == seen) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        TimeUnit.NANOSECONDS.timedWait(transitions, left);
      }
      return true;
    }
  }

  /** The current state of the breaker of {@code model}, {@code closed} if it has none yet. */
  String breakerState(String model) {
    CircuitBreaker breaker = breakers.get(model);
    if (breaker == null && breakers.size() >= MAX_MODELS) {
      breaker = breakers.get(OVERFLOW);
    }
    return breaker == null ? "closed" : stateName(breaker.getState());
  }
}
