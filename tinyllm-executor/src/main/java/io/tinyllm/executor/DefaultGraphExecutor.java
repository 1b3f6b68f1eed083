package io.tinyllm.executor;

import static java.util.Objects.requireNonNull;

import io.tinyllm.api.graph.GraphExecutor;
import io.tinyllm.api.graph.GraphResult;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

/** {@link GraphExecutor} over the {@link GraphRegistry} and the {@link GraphEngine}. */
@Singleton
public final class DefaultGraphExecutor implements GraphExecutor {
  private final GraphRegistry registry;
  private final GraphEngine engine;

  @Inject
  public DefaultGraphExecutor(GraphRegistry registry, GraphEngine engine) {
    this.registry = requireNonNull(registry, "registry is null");
    this.engine = requireNonNull(engine, "engine is null");
  }

  @Override
  public GraphResult execute(String graphId, String input) {
    return engine.run(registry.get(graphId), input).toResult();
  }
}
