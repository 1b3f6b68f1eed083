package io.tinyllm.executor;

import io.tinyllm.api.context.ExecutionContext;
import io.tinyllm.api.error.CircuitOpenException;
import io.tinyllm.api.error.ErrorType;
import io.tinyllm.api.error.TinyLlmException;
import io.tinyllm.executor.expression.Expression;
import io.tinyllm.executor.expression.ExpressionException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/** One execution of one graph: the walk, per-node timeouts, retries, breaker and metrics. */
final class GraphRunner {
  private final GraphEngine engine;
  private final GraphDefinition graph;
  private final Cancellation cancellation;
  private final Map<String, NodeDefinition> nodes;
  private final NodeHandlers handlers;
  private final GraphExecution execution;
  private final List<NodeTrace> trace = Collections.synchronizedList(new ArrayList<>());
  private long deadline;

  GraphRunner(GraphEngine engine, GraphDefinition graph, Cancellation cancellation) {
    this.engine = engine;
    this.graph = graph;
    this.cancellation = cancellation;
    this.nodes = graph.nodesById();
    this.handlers = new NodeHandlers(this);
    this.execution = GraphExecution.of(graph, engine.config(), null);
  }

  GraphRun run(String input) {
    // the deadline bounds real waits; the duration recorded is read from the engine's ticker
    deadline = System.nanoTime() + execution.graphTimeout().toNanos();
    long start = engine.nanoTime();
    Payload payload = Payload.of(input);
    String current = graph.entryPoints().get(0);
    int steps = 0;
    GraphRun.Status status = GraphRun.Status.FAILED;
    String output = null;
    String error = null;
    ErrorType rootCause = null;
    try {
      while (true) {
        if (++steps > execution.maxSteps()) {
          error = "Graph '" + graph.id() + "' exceeded " + execution.maxSteps() + " steps";
          rootCause = ErrorType.GRAPH;
          steps--;
          break;
        }
        NodeDefinition node = nodes.get(current);
        try {
          payload = runNode(node, payload).payload();
        } catch (NodeFailedException e) {
          if (execution.failureMode() == FailureMode.FAIL_FAST) {
            error = e.getMessage();
            rootCause = e.rootCause();
            break;
          }
        }
        if (node.type() == NodeType.EXIT || graph.exitPoints().contains(node.id())) {
          status = GraphRun.Status.SUCCESS;
          output = payload.text();
          break;
        }
        current = next(node, payload);
      }
    } catch (GraphStoppedException e) {
      status = e.status();
      error = e.getMessage();
      rootCause = e.status() == GraphRun.Status.CANCELLED ? ErrorType.CANCELLED : ErrorType.TIMEOUT;
    } catch (NodeFailedException e) {
      error = e.getMessage();
      rootCause = e.rootCause();
    }
    Duration latency = Duration.ofNanos(engine.nanoTime() - start);
    engine.metrics().graphExecuted(graph.id(), status.label(), latency.toNanos() / 1e9);
    return new GraphRun(
        graph.id(), status, output, error, latency, steps, List.copyOf(trace), rootCause);
  }

  /** The next node: the first conditional edge that holds, else the first unconditional one. */
  private String next(NodeDefinition node, Payload payload) {
    List<EdgeDefinition> edges = new ArrayList<>(graph.outgoing(node.id()));
    edges.sort(Comparator.comparingDouble(EdgeDefinition::weight).reversed());
    Map<String, Object> view = payload.view();
    for (EdgeDefinition edge : edges) {
      Expression condition = edge.compiledCondition();
      if (condition != null && holds(node, edge, condition, view)) {
        return edge.to();
      }
    }
    boolean gateClosed = node.type() == NodeType.GATE && !Boolean.TRUE.equals(payload.var("gate"));
    for (EdgeDefinition edge : edges) {
      if (edge.condition() == null && !gateClosed) {
        return edge.to();
      }
    }
    String why = gateClosed ? "gate_closed" : "no_route";
    String message =
        gateClosed
            ? "Gate '" + node.id() + "' is closed and no edge handles it"
            : "No outgoing edge of node '" + node.id() + "' matched";
    engine.metrics().nodeFailed(graph.id(), node.id(), why);
    throw new NodeFailedException(node.id(), why, "error", message);
  }

  /** Whether an edge's condition holds; one that cannot be evaluated fails the graph. */
  private boolean holds(
      NodeDefinition node, EdgeDefinition edge, Expression condition, Map<String, Object> view) {
    try {
      return condition.test(view);
    } catch (ExpressionException e) {
      engine.metrics().nodeFailed(graph.id(), node.id(), e.errorType().label());
      throw new NodeFailedException(
          node.id(),
          e.errorType().label(),
          "error",
          "Condition of edge " + edge.from() + " -> " + edge.to() + " failed: " + e.getMessage());
    }
  }

  // CircuitOpenException.errorType(), as the client reports an open breaker
  private static final String CIRCUIT_OPEN = "circuit_open";

  /** Runs {@code node} with its breaker, retries and timeout; throws when it finally fails. */
  NodeResult runNode(NodeDefinition node, Payload in) {
    NodeConfig c = node.settings();
    boolean composite = node.type() == NodeType.FANOUT || node.type() == NodeType.LOOP;
    Duration timeout =
        c.duration("timeout", composite ? execution.graphTimeout() : engine.config().nodeTimeout());
    int retries = c.integer("retries", engine.config().nodeRetries(), 0, 10);
    long start = engine.nanoTime();
    int attempts = 0;
    Failure first = null;
    String outcome = "error";
    String errorType = null;
    String message = null;
    NodeResult result = null;
    try {
      engine.breakers().acquire(graph.id(), node);
      while (true) {
        attempts++;
        Attempt attempt = attempt(node, in, timeout);
        Failure failure = attempt.failure();
        if (failure == null) {
          result = attempt.result();
          outcome = "success";
          engine.breakers().succeeded(graph.id(), node);
          return result;
        }
        if (failure.stopsGraph != null) {
          engine.breakers().released(graph.id(), node);
          outcome = failure.stopsGraph == GraphRun.Status.CANCELLED ? "cancelled" : "timeout";
          errorType = outcome;
          message = failure.message;
          throw new GraphStoppedException(failure.stopsGraph, failure.message);
        }
        if (first == null) {
          first = failure;
        }
        // once the client's breaker for the model is open, another attempt can only be refused
        boolean clientBreakerOpen = CIRCUIT_OPEN.equals(failure.errorType);
        if (attempts > retries || clientBreakerOpen) {
          // report what went wrong first, not the breaker that the failures then opened
          Failure reported =
              clientBreakerOpen && !CIRCUIT_OPEN.equals(first.errorType)
                  ? Failure.of(
                      first.errorType,
                      first.message + " (then the client's circuit breaker for the model opened)")
                  : failure;
          engine.breakers().failed(graph.id(), node, reported.rootCause, reported.message);
          outcome = reported.errorType.equals("timeout") ? "timeout" : "error";
          errorType = reported.errorType;
          message = reported.message;
          throw new NodeFailedException(
              node.id(), errorType, outcome, reported.message, reported.rootCause);
        }
        engine.metrics().nodeRetried(graph.id(), node.id());
        backoff();
      }
    } catch (CircuitOpenException e) {
      outcome = "circuit_open";
      errorType = e.errorType().label();
      message = e.getMessage();
      throw new NodeFailedException(
          node.id(), errorType, outcome, e.getMessage(), e.rootCause().label());
    } finally {
      Duration latency = Duration.ofNanos(engine.nanoTime() - start);
      engine.metrics().nodeExecuted(graph.id(), node.id(), outcome, latency.toNanos() / 1e9);
      if (errorType != null) {
        engine.metrics().nodeFailed(graph.id(), node.id(), errorType);
      }
      trace.add(
          new NodeTrace(
              node.id(),
              node.type(),
              outcome,
              attempts,
              latency,
              result == null ? 0 : result.promptTokens(),
              result == null ? 0 : result.outputTokens(),
              message,
              result == null ? null : result.doneReason(),
              result != null && result.cached()));
    }
  }

  private Attempt attempt(NodeDefinition node, Payload in, Duration timeout) {
    if (cancellation.isCancelled() || Thread.currentThread().isInterrupted()) {
      return new Attempt(
          null,
          Failure.stop(GraphRun.Status.CANCELLED, "Graph '" + graph.id() + "' was cancelled"));
    }
    long remaining = deadline - System.nanoTime();
    if (remaining <= 0) {
      return new Attempt(null, Failure.stop(GraphRun.Status.TIMEOUT, graphTimeoutMessage()));
    }
    long wait = Math.min(timeout.toNanos(), remaining);
    FutureTask<NodeResult> future =
        new FutureTask<>(
            () -> {
              try (ExecutionContext.Scope scope = ExecutionContext.open(graph.id(), node.id())) {
                return handlers.run(node, in);
              }
            });
    cancellation.track(future);
    AtomicBoolean timedOut = new AtomicBoolean();
    if (!engine.tryExecute(future)) {
      // every engine thread is busy: run here, with the watchdog enforcing the timeout
      ScheduledFuture<?> alarm =
          engine
              .watchdog()
              .schedule(
                  () -> {
                    timedOut.set(true);
                    future.cancel(true);
                  },
                  wait,
                  TimeUnit.NANOSECONDS);
      future.run();
      alarm.cancel(false);
      if (future.isCancelled()) {
        // the interrupt was meant for the node, not for whoever runs this graph
        Thread.interrupted();
      }
    }
    try {
      return new Attempt(future.get(wait, TimeUnit.NANOSECONDS), null);
    } catch (TimeoutException e) {
      future.cancel(true);
      return timedOut(node, timeout, wait == remaining);
    } catch (CancellationException e) {
      if (timedOut.get()) {
        return timedOut(node, timeout, wait == remaining);
      }
      return new Attempt(
          null,
          Failure.stop(GraphRun.Status.CANCELLED, "Graph '" + graph.id() + "' was cancelled"));
    } catch (InterruptedException e) {
      future.cancel(true);
      Thread.currentThread().interrupt();
      return new Attempt(
          null,
          Failure.stop(GraphRun.Status.CANCELLED, "Graph '" + graph.id() + "' was cancelled"));
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof GraphStoppedException stopped) {
        return new Attempt(null, Failure.stop(stopped.status(), stopped.getMessage()));
      }
      if (Thread.currentThread().isInterrupted()) {
        // the node ran here and failed on an interrupt that was not its watchdog's (that one
        // cancels the future): whoever runs this node is stopping it, e.g. a fanout cancelling a
        // losing branch, so it is cancelled as when a wait for an engine thread is interrupted
        return new Attempt(
            null,
            Failure.stop(GraphRun.Status.CANCELLED, "Graph '" + graph.id() + "' was cancelled"));
      }
      String type = cause instanceof TinyLlmException t ? t.errorType().label() : "internal";
      String root = cause instanceof CircuitOpenException open ? open.rootCause().label() : type;
      return new Attempt(
          null, Failure.of(type, root, "Node '" + node.id() + "' failed: " + cause.getMessage()));
    } finally {
      cancellation.untrack(future);
    }
  }

  private Attempt timedOut(NodeDefinition node, Duration timeout, boolean graphDeadline) {
    if (graphDeadline) {
      return new Attempt(null, Failure.stop(GraphRun.Status.TIMEOUT, graphTimeoutMessage()));
    }
    return new Attempt(
        null, Failure.of("timeout", "Node '" + node.id() + "' timed out after " + timeout));
  }

  private String graphTimeoutMessage() {
    return "Graph '" + graph.id() + "' timed out after " + execution.graphTimeout();
  }

  private void backoff() {
    long pause =
        Math.min(
            engine.config().retryBackoff().toNanos(), Math.max(0, deadline - System.nanoTime()));
    if (pause <= 0) {
      return;
    }
    try {
      TimeUnit.NANOSECONDS.sleep(pause);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  GraphDefinition graph() {
    return graph;
  }

  /** The graph's execution settings: {@code executor.*} overridden by its own. */
  GraphExecution execution() {
    return execution;
  }

  GraphEngine engine() {
    return engine;
  }

  NodeDefinition node(String id) {
    return nodes.get(id);
  }

  private record Attempt(NodeResult result, Failure failure) {}

  /** {@code rootCause}: the type of what went wrong, behind an open breaker. */
  private record Failure(
      String errorType, String rootCause, String message, GraphRun.Status stopsGraph) {
    static Failure of(String errorType, String message) {
      return new Failure(errorType, errorType, message, null);
    }

    static Failure of(String errorType, String rootCause, String message) {
      return new Failure(errorType, rootCause, message, null);
    }

    static Failure stop(GraphRun.Status status, String message) {
      return new Failure(status.label(), status.label(), message, status);
    }
  }
}
