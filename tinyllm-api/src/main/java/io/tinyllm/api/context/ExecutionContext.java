package io.tinyllm.api.context;

import static java.util.Objects.requireNonNull;

import java.util.concurrent.Callable;

/**
 * Where the current call runs: which graph and which node. The executor opens a context around each
 * node; the client's metrics read it, so graph and node labels are right without a setter that a
 * caller could forget. Calls outside any graph see {@link #DEFAULT}.
 *
 * <pre>{@code
 * try (ExecutionContext.Scope scope = ExecutionContext.open("qa", "answer")) {
 *   client.generate(request); // counted with graph="qa"
 * }
 * }</pre>
 *
 * <p>The context is per thread. Work handed to another thread carries it with {@link #wrap}.
 */
public record ExecutionContext(String graph, String node) {
  /** The label value used outside any graph or node. */
  public static final String NONE = "default";

  public static final ExecutionContext DEFAULT = new ExecutionContext(NONE, NONE);

  private static final ThreadLocal<ExecutionContext> CURRENT =
      ThreadLocal.withInitial(() -> DEFAULT);

  public ExecutionContext {
    requireNonNull(graph, "graph is null");
    requireNonNull(node, "node is null");
  }

  /** The context of the calling thread. */
  public static ExecutionContext current() {
    return CURRENT.get();
  }

  /** Makes {@code graph}/{@code node} current until the returned scope is closed. */
  public static Scope open(String graph, String node) {
    return open(new ExecutionContext(graph, node));
  }

  /** Makes {@code context} current until the returned scope is closed. */
  public static Scope open(ExecutionContext context) {
    requireNonNull(context, "context is null");
    ExecutionContext previous = CURRENT.get();
    CURRENT.set(context);
    return new Scope(previous);
  }

  /** {@code task} running in the caller's current context on whatever thread runs it. */
  public static <T> Callable<T> wrap(Callable<T> task) {
    requireNonNull(task, "task is null");
    ExecutionContext captured = current();
    return () -> {
      try (Scope scope = open(captured)) {
        return task.call();
      }
    };
  }

  /** {@code task} running in the caller's current context on whatever thread runs it. */
  public static Runnable wrap(Runnable task) {
    requireNonNull(task, "task is null");
    ExecutionContext captured = current();
    return () -> {
      try (Scope scope = open(captured)) {
        task.run();
      }
    };
  }

  /** Restores the previous context when closed. */
  public static final class Scope implements AutoCloseable {
    private final ExecutionContext previous;

    private Scope(ExecutionContext previous) {
      this.previous = previous;
    }

    @Override
    public void close() {
      if (previous == DEFAULT) {
        CURRENT.remove();
      } else {
        CURRENT.set(previous);
      }
    }
  }
}
