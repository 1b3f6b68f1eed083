package io.tinyllm.api.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.google.inject.Binder;
import com.google.inject.CreationException;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Module;
import io.tinyllm.api.config.KnownSettings;
import io.tinyllm.api.config.Settings;
import io.tinyllm.api.error.ConfigException;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** An injector built as the README shows rejects unknown keys under a plug-in's prefix. */
class UnknownSettingsTest {
  private static Injector readmeInjector(Map<String, String> values) {
    Settings settings = Settings.of(values);
    ClassLoader loader = UnknownSettingsTest.class.getClassLoader();
    return Guice.createInjector(
        Settings.module(settings), Plugins.combine(Plugins.discover(loader)));
  }

  private static ConfigException creationFailure(Runnable creation) {
    Throwable thrown = catchThrowable(creation::run);
    assertThat(thrown).isInstanceOf(CreationException.class);
    Throwable cause = ((CreationException) thrown).getErrorMessages().iterator().next().getCause();
    assertThat(cause).isInstanceOf(ConfigException.class);
    return (ConfigException) cause;
  }

  @Test
  void aMistypedKeyFailsTheInjectorNamingTheKeyMeant() {
    ConfigException e =
        creationFailure(() -> readmeInjector(Map.of("alpha.timeout.requst", "30s")));

    assertThat(e)
        .hasMessage(
            "Unknown setting 'alpha.timeout.requst': did you mean 'alpha.timeout.request'?");
  }

  @Test
  void knownKeysAndKeysOfPrefixesNoPluginOwnsPass() {
    Injector injector =
        readmeInjector(
            Map.of(
                "alpha.timeout.request", "30s",
                "alpha.workers", "2",
                // an application's own settings may share the map
                "myapp.colour", "blue",
                "alphabet", "abc",
                "beta.anything", "x"));

    assertThat(injector.getInstance(String.class)).isEqualTo("from alpha");
  }

  @Test
  void everyUnknownKeyIsNamedOnOneLine() {
    ConfigException e =
        creationFailure(
            () ->
                readmeInjector(
                    Map.of("alpha.wrokers", "2", "alpha.frobnicate", "x", "ALPHA.WORKERS", "3")));

    assertThat(e)
        .hasMessage(
            "Unknown setting 'ALPHA.WORKERS': did you mean 'alpha.workers'?; Unknown setting"
                + " 'alpha.frobnicate': no plug-in reads it, and plug-in 'alpha' owns its prefix;"
                + " Unknown setting 'alpha.wrokers': did you mean 'alpha.workers'?");
    assertThat(e.getMessage()).doesNotContain("\n");
  }

  @Test
  void theCheckRunsBeforeAnyEagerSingletonIsCreated() {
    AtomicInteger started = new AtomicInteger();
    TinyLlmModule eager =
        new TinyLlmModule() {
          @Override
          public String name() {
            return "eager";
          }

          @Override
          public KnownSettings knownSettings() {
            return KnownSettings.of(List.of("eager."), List.of("eager.port"));
          }

          @Override
          public void configure(Binder binder) {
            binder.bind(AtomicInteger.class).toInstance(started);
            binder.bind(Exporter.class).asEagerSingleton();
          }
        };
    Module settings = Settings.module(Settings.of(Map.of("eager.prot", "1")));

    ConfigException e =
        creationFailure(() -> Guice.createInjector(settings, Plugins.combine(List.of(eager))));

    assertThat(e).hasMessage("Unknown setting 'eager.prot': did you mean 'eager.port'?");
    assertThat(started).hasValue(0);
  }

  @Test
  void withoutSettingsThereIsNothingToCheck() {
    Injector injector =
        Guice.createInjector(Plugins.combine(Plugins.discover(getClass().getClassLoader())));

    assertThat(injector.getInstance(String.class)).isEqualTo("from alpha");
  }

  @Test
  void aPluginWithoutSettingsOwnsNoPrefix() {
    assertThat(new PluginsTest.BetaPlugin().knownSettings()).isEqualTo(KnownSettings.none());
  }

  static final class Exporter {
    @Inject
    Exporter(AtomicInteger started) {
      started.incrementAndGet();
    }
  }
}
