package io.tinyllm.ollama;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.tinyllm.api.error.ErrorType;
import org.junit.jupiter.api.Test;

class LazyDataPointsTest {
  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final Counter errors =
      Counter.builder()
          .name("errors_total")
          .help("errors")
          .labelNames("error_type", "model")
          .register(registry);

  @Test
  void aSeriesAppearsOnFirstUseAndIsTheSameDataPointAfterwards() {
    LazyDataPoints<CounterDataPoint> point = LazyDataPoints.of(errors, "timeout", "m:1b");
    assertThat(ClientFixture.scrape(registry)).doesNotContain("errors_total{");

    point.get().inc();
    point.get().inc();

    assertThat(point.get()).isSameAs(errors.labelValues("timeout", "m:1b"));
    assertThat(ClientFixture.scrape(registry))
        .contains("errors_total{error_type=\"timeout\",model=\"m:1b\"} 2.0");
  }

  @Test
  void perConstantLabelsEachConstantAndResolvesOnlyTheOnesUsed() {
    LazyDataPoints<CounterDataPoint> byType =
        LazyDataPoints.perConstant(
            errors, ErrorType.values(), type -> new String[] {type.label(), "m:1b"});

    byType.get(ErrorType.SERVER_BUSY).inc();
    byType.get(ErrorType.CONNECTION).inc(2);

    String scraped = ClientFixture.scrape(registry);
    assertThat(scraped)
        .contains("errors_total{error_type=\"server_busy\",model=\"m:1b\"} 1.0")
        .contains("errors_total{error_type=\"connection\",model=\"m:1b\"} 2.0");
    assertThat(scraped.lines().filter(l -> l.startsWith("errors_total{"))).hasSize(2);
  }
}
