package io.tinyllm.executor;

import static java.util.Objects.requireNonNull;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig.SlidingWindowType;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.core.registry.EntryAddedEvent;
import io.github.resilience4j.core.registry.EntryRemovedEvent;
import io.github.resilience4j.core.registry.EntryReplacedEvent;
import io.github.resilience4j.core.registry.RegistryEventConsumer;
import io.tinyllm.api.error.CircuitOpenException;
import io.tinyllm.api.error.ErrorType;
import io.tinyllm.api.time.TickerClock;
import io.tinyllm.metrics.LabelGuard;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The circuit breakers of the nodes that call out — {@code model} and {@code router} nodes; local
 * nodes ({@code entry}, {@code exit}, {@code transform}, {@code gate}) and composites ({@code
 * fanout}, {@code loop}, whose calls go through their branches' and body's breakers) get none.
 * Resilience4j breakers from one {@link CircuitBreakerRegistry}: a breaker opens after {@code
 * threshold} consecutive failed executions, rejects calls for {@code cooldown}, then lets one trial
 * call through (half-open) that closes it on success or opens it again on failure. Each state a
 * breaker enters (closed when it is created) goes to a {@link StateListener}.
 *
 * <p>Graph and node ids come from graph files, so at most {@value #MAX_BREAKERS} (graph, node)
 * pairs get a breaker of their own; every later one shares the breaker {@value #OVERFLOW}, whose
 * state is reported under graph and node {@value #OVERFLOW} — as the client bounds its per-model
 * breakers.
 */
final class NodeCircuitBreakers {
  static final int CLOSED = 0;
  static final int HALF_OPEN = 1;
  static final int OPEN = 2;

  /** Distinct (graph, node) pairs that get a breaker of their own. */
  static final int MAX_BREAKERS = 256;

  /** The breaker shared by the pairs beyond {@link #MAX_BREAKERS}, and its labels. */
  static final String OVERFLOW = LabelGuard.OTHER;

  /**
   * Told each state a node's breaker enters: {@link #CLOSED}, {@link #HALF_OPEN}, {@link #OPEN}.
   */
  interface StateListener {
    void stateChanged(String graph, String node, int state);
  }

  /** What a breaker records for a failed execution (the node's own error is in its trace). */
  private static final Exception NODE_FAILED = new IllegalStateException("node failed");

  private final CircuitBreakerRegistry registry;
  private final StateListener listener;
  // per breaker name (so as bounded as the breakers): the last failure it recorded
  private final Map<String, LastFailure> lastFailures = new ConcurrentHashMap<>();

  /** Longest failure message quoted in a breaker's message. */
  static final int MAX_LAST_FAILURE_CHARS = 200;

  private record LastFailure(ErrorType type, String message) {}

  NodeCircuitBreakers(
      int threshold, Duration cooldown, LongSupplier nanoTime, StateListener listener) {
    this.listener = requireNonNull(listener, "listener is null");
    // a count-based window of n calls that opens at a 100% failure rate opens exactly when the
    // last n calls all failed: n consecutive failures. No automatic transition to half-open (it
    // would need a scheduler thread): the first call after the cooldown makes it.
    CircuitBreakerConfig config =
        CircuitBreakerConfig.custom()
            .slidingWindow(threshold, threshold, SlidingWindowType.COUNT_BASED)
            .failureRateThreshold(100f)
            .waitDurationInOpenState(cooldown)
            .permittedNumberOfCallsInHalfOpenState(1)
            .automaticTransitionFromOpenToHalfOpenEnabled(false)
            .clock(TickerClock.of(requireNonNull(nanoTime, "nanoTime is null")::getAsLong))
            .writableStackTraceEnabled(false)
            .build();
    this.registry = CircuitBreakerRegistry.of(config, new Reporter());
  }

  /**
   * Reports a new breaker as closed and then each state it enters. The registry tells it before the
   * breaker is visible to any other caller, so no transition can go unreported.
   */
  private final class Reporter implements RegistryEventConsumer<CircuitBreaker> {
    @Override
    public void onEntryAddedEvent(EntryAddedEvent<CircuitBreaker> event) {
      CircuitBreaker breaker = event.getAddedEntry();
      String graph = breaker.getTags().get("graph");
      String node = breaker.getTags().get("node");
      breaker
          .getEventPublisher()
          .onStateTransition(
              e -> listener.stateChanged(graph, node, state(e.getStateTransition().getToState())));
      listener.stateChanged(graph, node, CLOSED);
    }

    @Override
    public void onEntryRemovedEvent(EntryRemovedEvent<CircuitBreaker> event) {}

    @Override
    public void onEntryReplacedEvent(EntryReplacedEvent<CircuitBreaker> event) {}
  }

  /** Whether nodes of {@code type} call out, and so have a breaker. */
  static boolean callsOut(NodeType type) {
    return type == NodeType.MODEL || type == NodeType.ROUTER;
  }

  /**
   * Takes a permission to run {@code node}; throws {@link CircuitOpenException} when its breaker is
   * open (or half-open with its trial call running). End each permission with {@link #succeeded},
   * {@link #failed} or {@link #released}.
   */
  void acquire(String graph, NodeDefinition node) {
    if (!callsOut(node.type())) {
      return;
    }
    CircuitBreaker breaker = breaker(graph, node.id());
    if (!breaker.tryAcquirePermission()) {
      LastFailure last = lastFailures.get(breaker.getName());
      throw new CircuitOpenException(
          "Circuit breaker of node '"
              + node.id()
              + "' in graph '"
              + graph
              + (OVERFLOW.equals(breaker.getName())
                  ? "' (shared by the nodes beyond the first " + MAX_BREAKERS + ") is open"
                  : "' is open")
              + (last == null ? "" : "; last: " + last.type().label() + ": " + last.message()),
          null,
          last == null ? null : last.type());
    }
  }

  void succeeded(String graph, NodeDefinition node) {
    if (callsOut(node.type())) {
      breaker(graph, node.id()).onSuccess(0, TimeUnit.NANOSECONDS);
    }
  }

  void failed(String graph, NodeDefinition node) {
    if (callsOut(node.type())) {
      breaker(graph, node.id()).onError(0, TimeUnit.NANOSECONDS, NODE_FAILED);
    }
  }

  /**
   * As {@link #failed(String, NodeDefinition)}, remembering the failure ({@code rootCause} an error
   * type label) for the message of the open breaker.
   */
  void failed(String graph, NodeDefinition node, String rootCause, String message) {
    if (callsOut(node.type())) {
      CircuitBreaker breaker = breaker(graph, node.id());
      lastFailures.put(
          breaker.getName(), new LastFailure(ErrorType.ofLabel(rootCause), shorten(message)));
      breaker.onError(0, TimeUnit.NANOSECONDS, NODE_FAILED);
    }
  }

  private static String shorten(String message) {
    String line = String.valueOf(message).replaceAll("\\p{Cntrl}+", " ").strip();
    return line.length() <= MAX_LAST_FAILURE_CHARS
        ? line
        : line.substring(0, MAX_LAST_FAILURE_CHARS) + "…";
  }

  /** Gives a permission back without a verdict (the graph was cancelled or timed out). */
  void released(String graph, NodeDefinition node) {
    if (callsOut(node.type())) {
      breaker(graph, node.id()).releasePermission();
    }
  }

  /** Whether the breaker of {@code node} in {@code graph} is open; false when it has none. */
  boolean isOpen(String graph, String node) {
    Optional<CircuitBreaker> breaker = registry.find(name(graph, node));
    if (breaker.isEmpty() && size() >= MAX_BREAKERS) {
      breaker = registry.find(OVERFLOW);
    }
    return breaker.map(b -> state(b.getState()) == OPEN).orElse(false);
  }

  /** How many breakers exist, the shared one included. */
  int size() {
    return registry.getAllCircuitBreakers().size();
  }

  private CircuitBreaker breaker(String graph, String node) {
    String name = name(graph, node);
    Optional<CircuitBreaker> found = registry.find(name);
    if (found.isPresent()) {
      return found.get();
    }
    synchronized (registry) {
      found = registry.find(name);
      if (found.isPresent()) {
        return found.get();
      }
      boolean own = size() < MAX_BREAKERS;
      String key = own ? name : OVERFLOW;
      found = registry.find(key);
      if (found.isPresent()) {
        return found.get();
      }
      return registry.circuitBreaker(
          key, Map.of("graph", own ? graph : OVERFLOW, "node", own ? node : OVERFLOW));
    }
  }

  /**
   * Unambiguous whatever the ids hold, and never {@link #OVERFLOW}: the graph id's length first.
   */
  private static String name(String graph, String node) {
    return graph.length() + ":" + graph + ":" + node;
  }

  private static int state(CircuitBreaker.State state) {
    return switch (state) {
      case OPEN, FORCED_OPEN -> OPEN;
      case HALF_OPEN -> HALF_OPEN;
      default -> CLOSED;
    };
  }
}
