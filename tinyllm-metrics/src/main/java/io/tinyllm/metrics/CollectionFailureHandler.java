package io.tinyllm.metrics;

/** Told when a metric set's collection throws during a scrape. */
interface CollectionFailureHandler {
  void collectionFailed(MetricSet set, Throwable failure);
}
