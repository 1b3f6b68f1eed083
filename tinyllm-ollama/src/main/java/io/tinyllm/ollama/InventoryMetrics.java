package io.tinyllm.ollama;

import static java.util.Objects.requireNonNull;

import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.Collector;
import io.tinyllm.metrics.LabelGuard;
import io.tinyllm.metrics.MetricSet;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.ToLongFunction;

/**
 * What the Ollama server holds: the models loaded at the last {@code /api/ps} refresh with their
 * memory, and the bytes of each model pull in progress. Gauges read at scrape time; a model pull
 * has series only while it runs.
 *
 * <pre>
 * tinyllm_ollama_models_loaded 1.0
 * tinyllm_ollama_model_vram_bytes{model="qwen2.5:0.5b"} 5.1E8
 * tinyllm_ollama_pull_completed_bytes{model="all-minilm:latest"} 1.2E7
 * </pre>
 */
@Singleton
public final class InventoryMetrics implements MetricSet {
  private final LabelGuard guard;
  private final boolean enabled;
  private final AtomicReference<List<RunningModel>> inventory = new AtomicReference<>();
  private final Map<String, PullState> pulls = new ConcurrentHashMap<>();

  private final GaugeWithCallback modelsLoaded =
      GaugeWithCallback.builder()
          .name("tinyllm_ollama_models_loaded")
          .help("Models Ollama had loaded at the last inventory refresh (/api/ps)")
          .callback(
              callback -> {
                List<RunningModel> models = inventory.get();
                if (models != null) {
                  callback.call(models.size());
                }
              })
          .build();
  private final GaugeWithCallback modelVram =
      GaugeWithCallback.builder()
          .name("tinyllm_ollama_model_vram_bytes")
          .help("Bytes of GPU memory a loaded model took at the last inventory refresh")
          .labelNames("model")
          .callback(
              callback ->
                  inventoryByModel(RunningModel::sizeVram).forEach((m, v) -> callback.call(v, m)))
          .build();
  private final GaugeWithCallback modelSize =
      GaugeWithCallback.builder()
          .name("tinyllm_ollama_model_size_bytes")
          .help("Bytes of memory a loaded model took in total at the last inventory refresh")
          .labelNames("model")
          .callback(
              callback ->
                  inventoryByModel(RunningModel::size).forEach((m, v) -> callback.call(v, m)))
          .build();
  private final GaugeWithCallback pullCompleted =
      GaugeWithCallback.builder()
          .name("tinyllm_ollama_pull_completed_bytes")
          .help("Bytes downloaded so far by a model pull in progress")
          .labelNames("model")
          .callback(callback -> pulls.forEach((m, s) -> callback.call(s.completed(), m)))
          .build();
  private final GaugeWithCallback pullTotal =
      GaugeWithCallback.builder()
          .name("tinyllm_ollama_pull_total_bytes")
          .help("Bytes a model pull in progress has to download, as far as announced")
          .labelNames("model")
          .callback(callback -> pulls.forEach((m, s) -> callback.call(s.total(), m)))
          .build();

  @Inject
  public InventoryMetrics(LabelGuard guard, OllamaConfig config) {
    this(guard, config.metricsEnabled());
  }

  InventoryMetrics(LabelGuard guard, boolean enabled) {
    this.guard = requireNonNull(guard, "guard is null");
    this.enabled = enabled;
  }

  @Override
  public List<Collector> collectors() {
    if (!enabled) {
      return List.of();
    }
    return List.of(modelsLoaded, modelVram, modelSize, pullCompleted, pullTotal);
  }

  /** {@code /api/ps} listed {@code models}: the inventory gauges now show them. */
  void refreshed(List<RunningModel> models) {
    if (enabled) {
      inventory.set(List.copyOf(models));
    }
  }

  /** A pull of {@code progress.model()} reported progress. */
  void pullProgressed(PullProgress progress) {
    if (!enabled || progress.digest() == null || progress.total() <= 0) {
      return;
    }
    pulls
        .computeIfAbsent(model(progress.model()), m -> new PullState())
        .layer(progress.digest(), progress.total(), progress.completed());
  }

  /** The pull of {@code model} ended, successfully or not: its progress gauges go away. */
  void pullEnded(String model) {
    if (enabled) {
      pulls.remove(model(model));
    }
  }

  private Map<String, Double> inventoryByModel(ToLongFunction<RunningModel> f) {
    List<RunningModel> models = inventory.get();
    Map<String, Double> byModel = new LinkedHashMap<>();
    if (models != null) {
      for (RunningModel model : models) {
        byModel.merge(model(model.name()), (double) f.applyAsLong(model), Double::sum);
      }
    }
    return byModel;
  }

  private String model(String name) {
    return OllamaMetrics.modelLabel(guard, name);
  }

  /** Bytes of each layer of one pull. */
  private static final class PullState {
    private final Map<String, long[]> layers = new ConcurrentHashMap<>();

    void layer(String digest, long total, long completed) {
      layers.put(digest, new long[] {total, completed});
    }

    double total() {
      return layers.values().stream().mapToLong(l -> l[0]).sum();
    }

    double completed() {
      return layers.values().stream().mapToLong(l -> l[1]).sum();
    }
  }
}
