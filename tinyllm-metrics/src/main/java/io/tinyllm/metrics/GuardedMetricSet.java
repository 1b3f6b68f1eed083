package io.tinyllm.metrics;

import static java.util.Objects.requireNonNull;

import io.prometheus.metrics.model.registry.Collector;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusScrapeRequest;
import io.prometheus.metrics.model.snapshots.MetricFamilyDescriptor;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * One {@link MetricSet} as a single {@link MultiCollector}: if any of its collectors throws while
 * collecting, the whole set is left out of this scrape and the failure is reported, so one broken
 * plug-in cannot turn {@code /metrics} into an error for everyone.
 */
final class GuardedMetricSet implements MultiCollector {
  private final MetricSet set;
  private final List<Collector> collectors;
  private final List<MetricFamilyDescriptor> descriptors;
  private final CollectionFailureHandler failures;

  GuardedMetricSet(MetricSet set, CollectionFailureHandler failures) {
    this.set = requireNonNull(set, "set is null");
    this.failures = requireNonNull(failures, "failures is null");
    this.collectors = List.copyOf(set.collectors());
    List<MetricFamilyDescriptor> collected = new ArrayList<>();
    for (Collector collector : collectors) {
      MetricFamilyDescriptor descriptor = collector.getMetricFamilyDescriptor();
      if (descriptor == null) {
        throw new IllegalArgumentException(
            set.setName() + " contributes a collector without a fixed name: " + collector);
      }
      collected.add(descriptor);
    }
    this.descriptors = List.copyOf(collected);
  }

  MetricSet set() {
    return set;
  }

  @Override
  public MetricSnapshots collect() {
    return collect(name -> true, null);
  }

  @Override
  public MetricSnapshots collect(PrometheusScrapeRequest request) {
    return collect(name -> true, request);
  }

  @Override
  public MetricSnapshots collect(Predicate<String> includedNames) {
    return collect(includedNames, null);
  }

  @Override
  public MetricSnapshots collect(Predicate<String> includedNames, PrometheusScrapeRequest request) {
    List<MetricSnapshot> snapshots = new ArrayList<>(collectors.size());
    try {
      for (int i = 0; i < collectors.size(); i++) {
        Collector collector = collectors.get(i);
        if (!includedNames.test(descriptors.get(i).getPrometheusName())) {
          continue;
        }
        MetricSnapshot snapshot =
            request == null ? collector.collect() : collector.collect(request);
        if (snapshot != null) {
          snapshots.add(snapshot);
        }
      }
    } catch (RuntimeException | LinkageError e) {
      failures.collectionFailed(set, e);
      return new MetricSnapshots(List.of());
    }
    return new MetricSnapshots(snapshots);
  }

  @Override
  public List<MetricFamilyDescriptor> getMetricFamilyDescriptors() {
    return descriptors;
  }

  /** The Prometheus names of the families in this set. */
  List<String> names() {
    return descriptors.stream().map(MetricFamilyDescriptor::getPrometheusName).toList();
  }
}
