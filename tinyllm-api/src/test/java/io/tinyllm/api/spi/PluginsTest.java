package io.tinyllm.api.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.inject.Binder;
import com.google.inject.Guice;
import com.google.inject.Injector;
import io.tinyllm.api.config.KnownSettings;
import io.tinyllm.api.config.Settings;
import io.tinyllm.api.error.PluginException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class PluginsTest {
  @Test
  void discoversListedPluginsOrderedByName() {
    List<TinyLlmModule> plugins = Plugins.discover(getClass().getClassLoader());

    assertThat(plugins).extracting(TinyLlmModule::name).containsExactly("alpha", "beta");
  }

  @Test
  void combineInstallsEveryPluginAndBindsTheirNames() {
    Injector injector =
        Guice.createInjector(Plugins.combine(Plugins.discover(getClass().getClassLoader())));

    assertThat(injector.getInstance(InstalledPlugins.class).names())
        .containsExactly("alpha", "beta");
    assertThat(injector.getInstance(String.class)).isEqualTo("from alpha");
  }

  @Test
  void requirePresentNamesWhatIsMissing() {
    List<TinyLlmModule> plugins = Plugins.discover(getClass().getClassLoader());

    assertThatThrownBy(() -> Plugins.requirePresent(plugins, List.of("alpha", "ollama")))
        .isInstanceOf(PluginException.class)
        .hasMessageContaining("[ollama]")
        .hasMessageContaining("found only [alpha, beta]");
  }

  @Test
  void twoPluginsWithOneNameAreRefused() {
    assertThatThrownBy(() -> Plugins.combine(List.of(new AlphaPlugin(), new FakeAlphaPlugin())))
        .isInstanceOf(PluginException.class)
        .hasMessageContaining("'alpha'")
        .hasMessageContaining(AlphaPlugin.class.getName())
        .hasMessageContaining(FakeAlphaPlugin.class.getName());
  }

  /** Listed in this module's test META-INF/services. */
  public static final class AlphaPlugin implements TinyLlmModule {
    @Override
    public String name() {
      return "alpha";
    }

    @Override
    public KnownSettings knownSettings() {
      return KnownSettings.readBy(List.of("alpha."), AlphaConfig::from);
    }

    @Override
    public void configure(Binder binder) {
      binder.bind(String.class).toInstance("from alpha");
    }
  }

  record AlphaConfig(Duration requestTimeout, int workers) {
    static AlphaConfig from(Settings settings) {
      return new AlphaConfig(
          settings.getDuration("alpha.timeout.request", Duration.ofSeconds(1)),
          settings.getInt("alpha.workers", 1));
    }
  }

  /** Listed in this module's test META-INF/services. */
  public static final class BetaPlugin implements TinyLlmModule {
    @Override
    public String name() {
      return "beta";
    }

    @Override
    public void configure(Binder binder) {}
  }

  static final class FakeAlphaPlugin implements TinyLlmModule {
    @Override
    public String name() {
      return "alpha";
    }

    @Override
    public void configure(Binder binder) {}
  }
}
