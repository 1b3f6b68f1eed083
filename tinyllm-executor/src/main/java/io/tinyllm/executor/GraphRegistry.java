package io.tinyllm.executor;

import static java.util.Objects.requireNonNull;

import io.tinyllm.api.error.GraphException;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Graphs by id: those registered in code and those named by {@code executor.graphs}, read on first
 * use (not at injection, so building the injector does no I/O).
 */
@Singleton
public final class GraphRegistry {
  private final ExecutorConfig config;
  private final GraphLoader loader;
  private final Map<String, GraphDefinition> graphs = new ConcurrentHashMap<>();
  private volatile boolean filesLoaded;

  @Inject
  public GraphRegistry(ExecutorConfig config, GraphLoader loader) {
    this.config = requireNonNull(config, "config is null");
    this.loader = requireNonNull(loader, "loader is null");
  }

  public void register(GraphDefinition graph) {
    requireNonNull(graph, "graph is null");
    graphs.put(graph.id(), graph);
  }

  public GraphDefinition get(String graphId) {
    loadFiles();
    GraphDefinition graph = graphs.get(graphId);
    if (graph == null) {
      throw new GraphException("Unknown graph '" + graphId + "'; known graphs: " + ids());
    }
    return graph;
  }

  public Set<String> ids() {
    loadFiles();
    return new TreeSet<>(graphs.keySet());
  }

  private void loadFiles() {
    if (filesLoaded) {
      return;
    }
    synchronized (this) {
      if (!filesLoaded) {
        config.graphFiles().forEach(file -> register(loader.load(Path.of(file))));
        filesLoaded = true;
      }
    }
  }
}
