package io.tinyllm.api.spi;

import com.google.inject.Module;
import io.tinyllm.api.config.KnownSettings;

/**
 * The plug-in marker: a Guice module that TinyLLM discovers with {@link java.util.ServiceLoader}.
 *
 * <p>A plug-in JAR lists its implementation in {@code
 * META-INF/services/io.tinyllm.api.spi.TinyLlmModule}. The application installs every discovered
 * module in one injector, so a plug-in on the class path is all it takes to add its services and
 * metrics. Implementations need a public no-argument constructor and, like every Guice module, only
 * bind: no I/O, threads or servers in {@code configure()}.
 *
 * <pre>{@code
 * public final class CacheModule implements TinyLlmModule {
 *   public String name() { return "cache"; }
 *
 *   public KnownSettings knownSettings() {
 *     return KnownSettings.readBy(List.of("cache."), CacheConfig::from);
 *   }
 *
 *   public void configure(Binder binder) {
 *     binder.bind(ResponseCache.class).to(CaffeineResponseCache.class);
 *     metricsBinder(binder).bind(CacheMetrics.class);
 *   }
 * }
 * }</pre>
 */
public interface TinyLlmModule extends Module {

  /**
   * A short, stable name for the plug-in ({@code ollama}, {@code cache}), shown in {@code
   * tinyllm_system_info} and in diagnostics. Defaults to the class's simple name.
   */
  default String name() {
    return getClass().getSimpleName();
  }

  /**
   * The setting prefixes this plug-in owns and the keys it reads. {@link Plugins#combine} rejects,
   * when the injector is created, a key under an owned prefix that no plug-in reads. Defaults to
   * {@link KnownSettings#none()}: a plug-in without settings owns no prefix.
   */
  default KnownSettings knownSettings() {
    return KnownSettings.none();
  }
}
