package io.tinyllm.metrics;

import static java.util.Objects.requireNonNull;

import com.google.inject.Binder;
import com.google.inject.Scopes;
import com.google.inject.multibindings.Multibinder;

/**
 * How a plug-in contributes metrics: one line in its module.
 *
 * <pre>{@code
 * public void configure(Binder binder) {
 *   metricsBinder(binder).bind(CacheMetrics.class);
 * }
 * }</pre>
 *
 * <p>The set is bound as a singleton, so the instance injected into the plug-in's services is the
 * one registered in the shared registry.
 */
public final class MetricsBinder {
  private final Binder binder;
  private final Multibinder<MetricSet> sets;

  private MetricsBinder(Binder binder) {
    this.binder = requireNonNull(binder, "binder is null").skipSources(MetricsBinder.class);
    this.sets = Multibinder.newSetBinder(this.binder, MetricSet.class);
  }

  public static MetricsBinder metricsBinder(Binder binder) {
    return new MetricsBinder(binder);
  }

  /** Contributes the metric set {@code type}, created by Guice as a singleton. */
  public MetricsBinder bind(Class<? extends MetricSet> type) {
    requireNonNull(type, "type is null");
    binder.bind(type).in(Scopes.SINGLETON);
    sets.addBinding().to(type);
    return this;
  }

  /** Contributes an already built metric set. */
  public MetricsBinder bindInstance(MetricSet set) {
    requireNonNull(set, "set is null");
    sets.addBinding().toInstance(set);
    return this;
  }

  /** Declares the set binding so an injector with no contributed sets still works. */
  static void declare(Binder binder) {
    Multibinder.newSetBinder(binder, MetricSet.class);
  }
}
