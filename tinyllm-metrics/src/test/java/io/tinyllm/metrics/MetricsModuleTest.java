package io.tinyllm.metrics;

import static io.tinyllm.metrics.MetricsBinder.metricsBinder;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.inject.CreationException;
import com.google.inject.Guice;
import com.google.inject.Injector;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.Collector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.tinyllm.api.error.PluginException;
import io.tinyllm.api.spi.Plugins;
import io.tinyllm.api.spi.TinyLlmModule;
import io.tinyllm.metrics.testing.Exposition;
import java.util.List;
import org.junit.jupiter.api.Test;

class MetricsModuleTest {

  @Test
  void serviceLoaderFindsTheMetricsModule() {
    List<TinyLlmModule> plugins = Plugins.discover(getClass().getClassLoader());

    assertThat(plugins).extracting(TinyLlmModule::name).contains("metrics");
    assertThat(plugins).hasAtLeastOneElementOfType(MetricsModule.class);
  }

  @Test
  void injectorFromDiscoveredPluginsScrapesEveryContributedFamily() {
    Injector injector =
        Guice.createInjector(Plugins.combine(Plugins.discover(getClass().getClassLoader())));
    MetricsCollector collector = injector.getInstance(MetricsCollector.class);

    assertThat(collector.owners())
        .containsKeys(
            "tinyllm_system",
            "tinyllm_label_values_folded",
            "tinyllm_label_values",
            "tinyllm_metrics_collection_errors",
            "tinyllm_pushgateway_pushes",
            "tinyllm_pushgateway_last_success_timestamp_seconds");
    assertThat(collector.scrapeText())
        .contains(
            "tinyllm_system_info{app=\"tinyllm\",java_version=\""
                + System.getProperty("java.version")
                + "\",plugins=\"metrics\",version=\""
                + SystemInfoMetrics.version()
                + "\"} 1");
    assertThat(SystemInfoMetrics.version()).matches("\\d+\\.\\d+\\.\\d+.*");
  }

  @Test
  void oneRegistryIsSharedAndItIsNotTheGlobalDefault() {
    Injector injector = Guice.createInjector(new MetricsModule(), new SamplePlugin());

    PrometheusRegistry registry = injector.getInstance(PrometheusRegistry.class);
    assertThat(registry).isSameAs(injector.getInstance(MetricsCollector.class).registry());
    assertThat(registry).isNotSameAs(PrometheusRegistry.defaultRegistry);
    // the instance the plug-in records into is the registered one
    injector.getInstance(SampleMetrics.class).served();
    assertThat(Exposition.text(registry, "sample_requests"))
        .isEqualTo(
            """
            # HELP sample_requests_total Requests served
            # TYPE sample_requests_total counter
            sample_requests_total 1.0
            """);
  }

  @Test
  void twoPluginsClaimingOneNameFailAtStartNamingBothOwners() {
    assertThatThrownBy(
            () -> Guice.createInjector(new MetricsModule(), new SamplePlugin(), new ClashPlugin()))
        .isInstanceOf(CreationException.class)
        .rootCause()
        .isInstanceOf(PluginException.class)
        .hasMessageContaining("'sample_requests'")
        .hasMessageContaining(SampleMetrics.class.getName())
        .hasMessageContaining(ClashingMetrics.class.getName());
  }

  @Test
  void aSetWhoseCallbackThrowsIsSkippedAndCountedWhileOthersStillScrape() {
    Injector injector =
        Guice.createInjector(new MetricsModule(), new SamplePlugin(), new BrokenPlugin());
    MetricsCollector collector = injector.getInstance(MetricsCollector.class);
    injector.getInstance(SampleMetrics.class).served();

    String first = collector.scrapeText();
    String second = collector.scrapeText();

    assertThat(first).contains("sample_requests_total 1.0").doesNotContain("broken_value");
    assertThat(second).contains("sample_requests_total 1.0").doesNotContain("broken_value");
    assertThat(injector.getInstance(CollectionErrors.class).count("BrokenMetrics")).isEqualTo(2);
    assertThat(collector.scrapeText())
        .containsPattern(
            "tinyllm_metrics_collection_errors_total\\{set=\"BrokenMetrics\"} [23]\\.0");
  }

  /** A plug-in contributing one counter, as a third party would write it. */
  static final class SamplePlugin implements TinyLlmModule {
    @Override
    public void configure(com.google.inject.Binder binder) {
      metricsBinder(binder).bind(SampleMetrics.class);
    }
  }

  static final class ClashPlugin implements TinyLlmModule {
    @Override
    public void configure(com.google.inject.Binder binder) {
      metricsBinder(binder).bind(ClashingMetrics.class);
    }
  }

  static final class BrokenPlugin implements TinyLlmModule {
    @Override
    public void configure(com.google.inject.Binder binder) {
      metricsBinder(binder).bind(BrokenMetrics.class);
    }
  }

  static final class SampleMetrics implements MetricSet {
    private final Counter requests =
        Counter.builder().name("sample_requests_total").help("Requests served").build();

    void served() {
      requests.inc();
    }

    @Override
    public List<Collector> collectors() {
      return List.of(requests);
    }
  }

  static final class ClashingMetrics implements MetricSet {
    @Override
    public List<Collector> collectors() {
      return List.of(Counter.builder().name("sample_requests_total").help("Clash").build());
    }
  }

  static final class BrokenMetrics implements MetricSet {
    @Override
    public List<Collector> collectors() {
      return List.of(
          GaugeWithCallback.builder()
              .name("broken_value")
              .help("Always throws")
              .callback(
                  callback -> {
                    throw new IllegalStateException("backend gone");
                  })
              .build());
    }
  }
}
