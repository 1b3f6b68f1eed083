package io.tinyllm.ollama;

import static java.util.Objects.requireNonNull;

import io.tinyllm.metrics.LabelGuard;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * Something kept per value of a guarded label (the data points of a model, say), found by the raw
 * name so that a name seen before skips the {@link LabelGuard}.
 *
 * <pre>{@code
 * LabelCache<ModelPoints> byModel =
 *     new LabelCache<>(name -> guard.guard("model", name), ModelPoints::new);
 * byModel.get("qwen2.5:0.5b"); // guarded once; later calls are one map lookup
 * }</pre>
 *
 * <p>A name the guard folded into {@code other} or {@code unknown} is not remembered: each use
 * reaches the guard again, which counts it. So both maps hold admitted names and labels only, as
 * many as the guard admits.
 */
final class LabelCache<V> {
  private final UnaryOperator<String> label;
  private final Function<String, V> create;
  private final Map<String, V> byLabel = new ConcurrentHashMap<>();
  private final Map<String, V> byName = new ConcurrentHashMap<>();

  /**
   * @param label the guarded label value of a raw name
   * @param create the value of a guarded label value, created on its first use
   */
  LabelCache(UnaryOperator<String> label, Function<String, V> create) {
    this.label = requireNonNull(label, "label is null");
    this.create = requireNonNull(create, "create is null");
  }

  /** The value of the label that the raw {@code name} gets. */
  V get(String name) {
    V known = name == null ? null : byName.get(name);
    if (known != null) {
      return known;
    }
    String guarded = label.apply(name);
    V found = byLabel.get(guarded);
    if (found == null) {
      found = byLabel.computeIfAbsent(guarded, create);
    }
    if (name != null && !LabelGuard.OTHER.equals(guarded) && !LabelGuard.UNKNOWN.equals(guarded)) {
      byName.putIfAbsent(name, found);
    }
    return found;
  }
}
