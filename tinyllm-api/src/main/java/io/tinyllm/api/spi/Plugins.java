package io.tinyllm.api.spi;

import static java.util.Objects.requireNonNull;

import com.google.inject.AbstractModule;
import com.google.inject.Module;
import com.google.inject.multibindings.OptionalBinder;
import io.tinyllm.api.config.KnownSettings;
import io.tinyllm.api.config.Settings;
import io.tinyllm.api.error.PluginException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.stream.Collectors;

/**
 * Discovers {@link TinyLlmModule} plug-ins with {@link ServiceLoader} and combines them into one
 * Guice module.
 *
 * <pre>{@code
 * List<TinyLlmModule> plugins = Plugins.discover(Plugins.class.getClassLoader());
 * Injector injector = Guice.createInjector(Plugins.combine(plugins));
 * }</pre>
 *
 * <p>Discovery fails loudly: a listed class that cannot be loaded or instantiated, or two plug-ins
 * with the same name, raise a {@link PluginException} naming the culprit.
 */
public final class Plugins {
  private Plugins() {}

  /** Every plug-in listed on the class path, ordered by name for a reproducible injector. */
  public static List<TinyLlmModule> discover(ClassLoader classLoader) {
    requireNonNull(classLoader, "classLoader is null");
    List<TinyLlmModule> modules = new ArrayList<>();
    try {
      for (TinyLlmModule module : ServiceLoader.load(TinyLlmModule.class, classLoader)) {
        // the same JAR reachable twice lists the same class twice; install it once
        if (modules.stream().noneMatch(m -> m.getClass() == module.getClass())) {
          modules.add(module);
        }
      }
    } catch (ServiceConfigurationError e) {
      throw new PluginException(
          "Cannot load a plug-in listed in META-INF/services/"
              + TinyLlmModule.class.getName()
              + ": "
              + e.getMessage(),
          e);
    }
    modules.sort(Comparator.comparing(TinyLlmModule::name));
    requireUniqueNames(modules);
    return List.copyOf(modules);
  }

  /**
   * Fails unless every named plug-in is among {@code modules}, naming the missing ones and what was
   * found instead.
   */
  public static void requirePresent(Collection<TinyLlmModule> modules, Collection<String> names) {
    List<String> found = modules.stream().map(TinyLlmModule::name).collect(Collectors.toList());
    List<String> missing = names.stream().filter(n -> !found.contains(n)).toList();
    if (!missing.isEmpty()) {
      throw new PluginException(
          "Expected plug-ins "
              + missing
              + " on the class path (listed in META-INF/services/"
              + TinyLlmModule.class.getName()
              + ") but found only "
              + found);
    }
  }

  /**
   * One module installing all {@code modules}, binding {@link InstalledPlugins} to their names, and
   * checking the {@link Settings} when the injector is created: a key under a prefix a plug-in owns
   * ({@link TinyLlmModule#knownSettings()}) that no plug-in reads fails the creation with a {@link
   * io.tinyllm.api.error.ConfigException} naming the key and the closest known one.
   */
  public static Module combine(List<? extends TinyLlmModule> modules) {
    List<TinyLlmModule> copy = List.copyOf(modules);
    requireUniqueNames(copy);
    InstalledPlugins installed =
        new InstalledPlugins(copy.stream().map(TinyLlmModule::name).sorted().toList());
    Map<String, KnownSettings> known = new LinkedHashMap<>();
    copy.forEach(module -> known.put(module.name(), module.knownSettings()));
    return new AbstractModule() {
      @Override
      protected void configure() {
        for (TinyLlmModule module : copy) {
          install(module);
        }
        OptionalBinder.newOptionalBinder(binder(), InstalledPlugins.class)
            .setBinding()
            .toInstance(installed);
        // bound by Settings.module (or a plug-in's empty default); none means nothing to check
        OptionalBinder.newOptionalBinder(binder(), Settings.class);
        requestInjection(new UnknownSettingsCheck(known));
      }
    };
  }

  private static void requireUniqueNames(List<TinyLlmModule> modules) {
    Map<String, TinyLlmModule> byName = new HashMap<>();
    for (TinyLlmModule module : modules) {
      TinyLlmModule previous = byName.putIfAbsent(module.name(), module);
      if (previous != null && previous.getClass() != module.getClass()) {
        throw new PluginException(
            "Two plug-ins are named '"
                + module.name()
                + "': "
                + previous.getClass().getName()
                + " and "
                + module.getClass().getName());
      }
    }
  }
}
