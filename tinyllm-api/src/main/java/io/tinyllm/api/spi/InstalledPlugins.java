package io.tinyllm.api.spi;

import java.util.List;

/**
 * The names of the plug-ins installed in the injector, bound by {@link Plugins#combine}. Empty when
 * modules were installed by hand.
 */
public record InstalledPlugins(List<String> names) {
  public InstalledPlugins {
    names = List.copyOf(names);
  }

  public static InstalledPlugins none() {
    return new InstalledPlugins(List.of());
  }
}
