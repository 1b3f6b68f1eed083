package io.tinyllm.api.spi;

import static java.util.Objects.requireNonNull;

import io.tinyllm.api.config.KnownSettings;
import io.tinyllm.api.config.Settings;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.Optional;

/**
 * Rejects unknown settings while the injector is being created: {@link Plugins#combine} requests
 * injection of one, and Guice injects requested instances before it creates any eager singleton, so
 * no exporter or client starts with a mistyped setting.
 */
final class UnknownSettingsCheck {
  private final Map<String, KnownSettings> byPlugin;

  UnknownSettingsCheck(Map<String, KnownSettings> byPlugin) {
    this.byPlugin = Map.copyOf(requireNonNull(byPlugin, "byPlugin is null"));
  }

  @Inject
  void check(Optional<Settings> settings) {
    settings.ifPresent(s -> KnownSettings.rejectUnknown(s, byPlugin));
  }
}
