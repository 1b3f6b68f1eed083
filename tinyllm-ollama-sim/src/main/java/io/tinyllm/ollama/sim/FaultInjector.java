package io.tinyllm.ollama.sim;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Runtime fault injection, safe to change from any thread while requests run. Faults apply to the
 * endpoints in {@link #scope(Endpoint...)} (default: {@link Endpoint#inference()}), and each arming
 * method either applies to every later request ({@code times} omitted) or to the next {@code times}
 * requests. A chunk is one NDJSON line of a streamed answer; a non-streamed answer counts as one
 * chunk, so a stream fault on it fires whatever its chunk count. When a count is larger than the
 * answer, the fault fires before the final ({@code "done": true}) line.
 *
 * <pre>{@code
 * sim.faults().failNext(2, 500);                      // next two requests: HTTP 500
 * sim.faults().dropConnectionAfter(3, 1);             // next request: 3 chunks, then socket closed
 * sim.faults().errorRate(0.25);                       // a seeded quarter of requests: HTTP 500
 * sim.faults().clear();
 * }</pre>
 */
public final class FaultInjector {
  /** The error text of injected failures unless one is given. */
  public static final String DEFAULT_MESSAGE = "simulated failure";

  private static final int FOREVER = -1;

  private final Duration maxHold;
  private final long seed;
  private SplittableRandom random;
  private Set<Endpoint> scope = EnumSet.copyOf(Endpoint.inference());
  private double errorRate;
  private int errorRateStatus = 500;
  private String errorRateMessage = DEFAULT_MESSAGE;
  private int failRemaining;
  private int failStatus;
  private String failMessage = DEFAULT_MESSAGE;
  private final Armed<Duration> hang = new Armed<>();
  private final Armed<Duration> slowFirstToken = new Armed<>();
  private final Armed<Integer> errorAfter = new Armed<>();
  private String errorAfterMessage = DEFAULT_MESSAGE;
  private final Armed<Integer> dropAfter = new Armed<>();
  private final Armed<Integer> malformedAfter = new Armed<>();
  private final Armed<Integer> stallAfter = new Armed<>();
  private Duration stallHold = Duration.ZERO;
  private final Armed<Gate> gate = new Armed<>();

  FaultInjector(long seed, Duration maxHold) {
    this.seed = seed;
    this.random = new SplittableRandom(seed);
    this.maxHold = requireNonNull(maxHold, "maxHold is null");
  }

  /** Restricts all faults to {@code endpoints} (at least one). */
  public synchronized FaultInjector scope(Endpoint... endpoints) {
    if (endpoints.length == 0) {
      throw new IllegalArgumentException("at least one endpoint");
    }
    this.scope = EnumSet.copyOf(Arrays.asList(endpoints));
    return this;
  }

  /** Fails a fraction of requests with 500 and {@value #DEFAULT_MESSAGE}. */
  public FaultInjector errorRate(double rate) {
    return errorRate(rate, 500, DEFAULT_MESSAGE);
  }

  /**
   * Fails a fraction ({@code 0..1}) of requests with {@code status} and {@code message}; which
   * requests fail is decided by a random source seeded from the configuration, so a run is
   * repeatable.
   */
  public synchronized FaultInjector errorRate(double rate, int status, String message) {
    if (!(rate >= 0 && rate <= 1)) {
      throw new IllegalArgumentException("rate must be in [0, 1]");
    }
    this.errorRate = rate;
    this.errorRateStatus = status(status);
    this.errorRateMessage = requireNonNull(message, "message is null");
    return this;
  }

  /** Fails the next {@code count} requests with {@code status}. */
  public FaultInjector failNext(int count, int status) {
    return failNext(count, status, DEFAULT_MESSAGE);
  }

  /** Fails the next {@code count} requests with {@code status} and {@code message}. */
  public synchronized FaultInjector failNext(int count, int status, String message) {
    this.failRemaining = count(count);
    this.failStatus = status(status);
    this.failMessage = requireNonNull(message, "message is null");
    return this;
  }

  /**
   * Holds every request, before any response byte, until {@code hold} elapses or the simulator
   * stops, then closes the connection without an answer.
   */
  public FaultInjector hang(Duration hold) {
    return hang(hold, FOREVER);
  }

  /** As {@link #hang(Duration)}, for the next {@code times} requests. */
  public synchronized FaultInjector hang(Duration hold, int times) {
    hang.arm(bounded(hold), times(times));
    return this;
  }

  /**
   * Delays the first token (or the whole answer) of every request by {@code delay}, then goes on.
   */
  public FaultInjector slowFirstToken(Duration delay) {
    return slowFirstToken(delay, FOREVER);
  }

  /** As {@link #slowFirstToken(Duration)}, for the next {@code times} requests. */
  public synchronized FaultInjector slowFirstToken(Duration delay, int times) {
    slowFirstToken.arm(bounded(delay), times(times));
    return this;
  }

  /**
   * Holds the next {@code times} inference requests once they have their model and a parallel slot,
   * before their first token (or embedding), until the returned gate is opened: they keep their
   * slot busy as long as a test needs, and others queue behind them. A held request still ends at
   * {@link SimulatorConfig#maxHold()} or when the simulator closes.
   */
  public synchronized Gate holdBeforeFirstToken(int times) {
    Gate armed = new Gate();
    gate.arm(armed, times(times));
    return armed;
  }

  /**
   * After {@code chunks} chunks, sends {@code {"error": message}} as a line (the status is already
   * 200) and ends the stream, as Ollama does when a runner fails mid-answer. With no chunk sent
   * yet, or on a non-streamed answer, the reply is a 500 with that body instead.
   */
  public FaultInjector midStreamError(int chunks, String message) {
    return midStreamError(chunks, message, FOREVER);
  }

  /** As {@link #midStreamError(int, String)}, for the next {@code times} requests. */
  public synchronized FaultInjector midStreamError(int chunks, String message, int times) {
    errorAfter.arm(count(chunks), times(times));
    this.errorAfterMessage = requireNonNull(message, "message is null");
    return this;
  }

  /** Closes the socket abruptly after {@code chunks} chunks (no end of response). */
  public FaultInjector dropConnectionAfter(int chunks) {
    return dropConnectionAfter(chunks, FOREVER);
  }

  /** As {@link #dropConnectionAfter(int)}, for the next {@code times} requests. */
  public synchronized FaultInjector dropConnectionAfter(int chunks, int times) {
    dropAfter.arm(count(chunks), times(times));
    return this;
  }

  /**
   * After {@code chunks} chunks, writes one line that is not valid JSON, then goes on normally. On
   * a non-streamed answer the whole body is truncated JSON.
   */
  public FaultInjector malformedLineAfter(int chunks) {
    return malformedLineAfter(chunks, FOREVER);
  }

  /** As {@link #malformedLineAfter(int)}, for the next {@code times} requests. */
  public synchronized FaultInjector malformedLineAfter(int chunks, int times) {
    malformedAfter.arm(count(chunks), times(times));
    return this;
  }

  /**
   * After {@code chunks} chunks (headers already sent), sends nothing more until {@code hold}
   * elapses or the simulator stops, then closes the socket abruptly: a stream that hangs.
   */
  public FaultInjector stallAfter(int chunks, Duration hold) {
    return stallAfter(chunks, hold, FOREVER);
  }

  /** As {@link #stallAfter(int, Duration)}, for the next {@code times} requests. */
  public synchronized FaultInjector stallAfter(int chunks, Duration hold, int times) {
    stallAfter.arm(count(chunks), times(times));
    this.stallHold = bounded(hold);
    return this;
  }

  /** Disarms every fault, restores the default scope and reseeds the error-rate source. */
  public synchronized FaultInjector clear() {
    scope = EnumSet.copyOf(Endpoint.inference());
    errorRate = 0;
    failRemaining = 0;
    hang.disarm();
    slowFirstToken.disarm();
    gate.disarm();
    errorAfter.disarm();
    dropAfter.disarm();
    malformedAfter.disarm();
    stallAfter.disarm();
    random = new SplittableRandom(seed);
    return this;
  }

  /** Decides the faults of one request to {@code endpoint}, consuming one-shot faults. */
  synchronized FaultPlan plan(Endpoint endpoint) {
    if (!scope.contains(endpoint)) {
      return FaultPlan.NONE;
    }
    Duration hangFor = hang.take();
    if (hangFor != null) {
      return new FaultPlan(
          hangFor, 0, null, Duration.ZERO, -1, null, -1, -1, -1, Duration.ZERO, null);
    }
    if (failRemaining > 0) {
      failRemaining--;
      return failing(failStatus, failMessage);
    }
    // draw only while a rate is set, so arming a rate later starts the seeded sequence afresh
    if (errorRate > 0 && random.nextDouble() < errorRate) {
      return failing(errorRateStatus, errorRateMessage);
    }
    Duration slow = slowFirstToken.take();
    Integer error = errorAfter.take();
    Integer drop = dropAfter.take();
    Integer malformed = malformedAfter.take();
    Integer stall = stallAfter.take();
    return new FaultPlan(
        null,
        0,
        null,
        slow == null ? Duration.ZERO : slow,
        error == null ? -1 : error,
        errorAfterMessage,
        drop == null ? -1 : drop,
        malformed == null ? -1 : malformed,
        stall == null ? -1 : stall,
        stallHold,
        gate.take());
  }

  private static FaultPlan failing(int status, String message) {
    return new FaultPlan(
        null, status, message, Duration.ZERO, -1, null, -1, -1, -1, Duration.ZERO, null);
  }

  private Duration bounded(Duration duration) {
    requireNonNull(duration, "duration is null");
    if (duration.isNegative()) {
      throw new IllegalArgumentException("duration must not be negative");
    }
    // never hold longer than the configured bound, whatever a test asks for
    return duration.compareTo(maxHold) > 0 ? maxHold : duration;
  }

  private static int status(int status) {
    if (status < 400 || status > 599) {
      throw new IllegalArgumentException("status must be in [400, 599]");
    }
    return status;
  }

  private static int count(int count) {
    if (count < 0) {
      throw new IllegalArgumentException("count must not be negative");
    }
    return count;
  }

  private static int times(int times) {
    if (times != FOREVER && times < 1) {
      throw new IllegalArgumentException("times must be positive");
    }
    return times;
  }

  /** One armed fault with its parameter and how many more requests it applies to. */
  private static final class Armed<T> {
    private T value;
    private int remaining;

    void arm(T value, int times) {
      this.value = value;
      this.remaining = times;
    }

    void disarm() {
      this.value = null;
      this.remaining = 0;
    }

    /** The parameter if the fault applies to this request, else null. */
    T take() {
      if (value == null || remaining == 0) {
        return null;
      }
      T taken = value;
      if (remaining > 0 && --remaining == 0) {
        value = null;
      }
      return taken;
    }
  }
}
