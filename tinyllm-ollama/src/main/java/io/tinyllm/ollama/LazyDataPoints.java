package io.tinyllm.ollama;

import static java.util.Objects.requireNonNull;

import io.prometheus.metrics.core.datapoints.DataPoint;
import io.prometheus.metrics.core.metrics.StatefulMetric;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Function;
import java.util.function.IntFunction;

/**
 * The data points of one family for one label set, or for one label set per constant of an enum
 * label, each looked up with {@code labelValues} on first use and kept. Looking up on first use
 * keeps a series absent until something happened to it, as with plain {@code labelValues}; keeping
 * it makes each later update an array read instead of a map lookup (docs/performance.md, item 1).
 *
 * <pre>{@code
 * LazyDataPoints<GaugeDataPoint> active = LazyDataPoints.of(activeRequests, model, graph);
 * active.get().inc();
 * LazyDataPoints<CounterDataPoint> errors =
 *     LazyDataPoints.perConstant(errorFamily, ErrorType.values(), e -> new String[] {e.label(), model});
 * errors.get(ErrorType.TIMEOUT).inc(); // the first call resolves the series, later ones reuse it
 * }</pre>
 *
 * <p>Two threads racing on a first use both look it up and get the same data point: harmless.
 */
final class LazyDataPoints<D extends DataPoint> {
  private final StatefulMetric<D, ?> family;
  private final IntFunction<String[]> labelValues;
  // one label set (of): a field, one load on the hot path; one per constant: an array
  private volatile D only;
  private final AtomicReferenceArray<D> points;

  private LazyDataPoints(StatefulMetric<D, ?> family, int size, IntFunction<String[]> labelValues) {
    this.family = requireNonNull(family, "family is null");
    this.labelValues = labelValues;
    this.points = size == 0 ? null : new AtomicReferenceArray<>(size);
  }

  /** The one data point of {@code family} for {@code labelValues}; read it with {@link #get()}. */
  static <D extends DataPoint> LazyDataPoints<D> of(
      StatefulMetric<D, ?> family, String... labelValues) {
    String[] copy = labelValues.clone();
    return new LazyDataPoints<>(family, 0, slot -> copy);
  }

  /**
   * A data point of {@code family} per constant of an enum, labelled {@code labelValues.apply(c)};
   * read them with {@link #get(Enum)}.
   */
  static <D extends DataPoint, E extends Enum<E>> LazyDataPoints<D> perConstant(
      StatefulMetric<D, ?> family, E[] constants, Function<E, String[]> labelValues) {
    E[] copy = constants.clone();
    return new LazyDataPoints<>(family, copy.length, slot -> labelValues.apply(copy[slot]));
  }

  /**
   * Looks up every data point now, so each series is exposed at 0 before its first event: {@code
   * rate()} and {@code increase()} then see that first event, which a series born at 1 hides.
   */
  LazyDataPoints<D> resolved() {
    if (points == null) {
      get();
    } else {
      for (int slot = 0; slot < points.length(); slot++) {
        if (points.get(slot) == null) {
          points.set(slot, family.labelValues(labelValues.apply(slot)));
        }
      }
    }
    return this;
  }

  /** The data point of a family made with {@link #of}. */
  D get() {
    D found = only;
    if (found == null) {
      found = family.labelValues(labelValues.apply(0));
      only = found;
    }
    return found;
  }

  /** The data point of {@code constant}, of a family made with {@link #perConstant}. */
  D get(Enum<?> constant) {
    int slot = constant.ordinal();
    D found = points.get(slot);
    if (found == null) {
      found = family.labelValues(labelValues.apply(slot));
      points.set(slot, found);
    }
    return found;
  }
}
