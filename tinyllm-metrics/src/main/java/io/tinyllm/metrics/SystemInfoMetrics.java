package io.tinyllm.metrics;

import io.prometheus.metrics.core.metrics.Info;
import io.prometheus.metrics.model.registry.Collector;
import io.tinyllm.api.spi.InstalledPlugins;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Properties;

/**
 * {@code tinyllm_system_info}: which TinyLLM, on which Java, with which plug-ins.
 *
 * <pre>
 * tinyllm_system_info{app="tinyllm",java_version="17.0.15",plugins="cache,metrics,ollama",version="0.1.0"} 1
 * </pre>
 */
@Singleton
public final class SystemInfoMetrics implements MetricSet {
  public static final String APP = "tinyllm";

  private final Info info =
      Info.builder()
          .name("tinyllm_system_info")
          .help("TinyLLM version, Java version and installed plug-ins")
          .labelNames("version", "app", "java_version", "plugins")
          .build();

  @Inject
  public SystemInfoMetrics(InstalledPlugins plugins) {
    info.setLabelValues(
        version(), APP, System.getProperty("java.version"), String.join(",", plugins.names()));
  }

  /** The TinyLLM version this build carries. */
  public static String version() {
    try (InputStream in = SystemInfoMetrics.class.getResourceAsStream("version.properties")) {
      if (in == null) {
        return "unknown";
      }
      Properties properties = new Properties();
      properties.load(in);
      return properties.getProperty("version", "unknown");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public List<Collector> collectors() {
    return List.of(info);
  }
}
