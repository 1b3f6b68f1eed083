package io.tinyllm.api.config;

import static java.util.Objects.requireNonNull;

import io.tinyllm.api.error.ConfigException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * The settings a plug-in owns: the key prefixes that are its own ({@code ollama.}) and the keys it
 * reads. An injector built with {@code Plugins.combine} fails at creation on a key under an owned
 * prefix that no plug-in reads, naming the closest known key:
 *
 * <pre>{@code
 * // in a TinyLlmModule
 * public KnownSettings knownSettings() {
 *   return KnownSettings.readBy(List.of("ollama."), settings -> OllamaConfig.from(settings));
 * }
 * // Unknown setting 'ollama.timeout.requst': did you mean 'ollama.timeout.request'?
 * }</pre>
 *
 * <p>Keys under prefixes no plug-in owns are left alone: an application may keep its own settings
 * in the same map.
 *
 * @param prefixes the owned prefixes, each ending in a dot
 * @param keys the keys the plug-in reads, sorted
 */
public record KnownSettings(List<String> prefixes, List<String> keys) {
  private static final KnownSettings NONE = new KnownSettings(List.of(), List.of());

  public KnownSettings {
    prefixes = List.copyOf(requireNonNull(prefixes, "prefixes is null"));
    keys = List.copyOf(new TreeSet<>(requireNonNull(keys, "keys is null")));
    for (String prefix : prefixes) {
      if (prefix.length() < 2 || !prefix.endsWith(".")) {
        throw new IllegalArgumentException(
            "A settings prefix must be a name and a dot, such as 'ollama.', not '" + prefix + "'");
      }
    }
  }

  /** Owns nothing: the default of a plug-in without settings. */
  public static KnownSettings none() {
    return NONE;
  }

  /** The given prefixes and keys. */
  public static KnownSettings of(Collection<String> prefixes, Collection<String> keys) {
    return new KnownSettings(List.copyOf(prefixes), List.copyOf(keys));
  }

  /**
   * The given prefixes and every key {@code reader} asks for when it reads empty settings, so the
   * list is the one the plug-in's config reads and cannot drift from it. A config must therefore
   * read each of its keys whatever the others say (every config record's {@code from} does).
   */
  public static KnownSettings readBy(Collection<String> prefixes, Consumer<Settings> reader) {
    TreeSet<String> reads = new TreeSet<>();
    reader.accept(Settings.recordingReads(reads));
    return of(prefixes, reads);
  }

  /** Whether {@code key} is under one of the prefixes, in any case ({@code OLLAMA.host} is). */
  public boolean owns(String key) {
    String lower = key.toLowerCase(Locale.ROOT);
    return prefixes.stream().anyMatch(lower::startsWith);
  }

  /**
   * Fails with a {@link ConfigException} naming every key of {@code settings} that a plug-in's
   * prefix owns but no plug-in reads, each with the closest known key when one is close.
   *
   * @param byPlugin the known settings of each plug-in, by the plug-in's name
   */
  public static void rejectUnknown(Settings settings, Map<String, KnownSettings> byPlugin) {
    requireNonNull(settings, "settings is null");
    TreeSet<String> known = new TreeSet<>();
    byPlugin.values().forEach(k -> known.addAll(k.keys()));
    List<String> problems = new ArrayList<>();
    for (String key : settings.asMap().keySet()) {
      if (known.contains(key)) {
        continue;
      }
      byPlugin.entrySet().stream()
          .filter(e -> e.getValue().owns(key))
          .findFirst()
          .ifPresent(owner -> problems.add(unknown(key, owner.getKey(), known)));
    }
    if (!problems.isEmpty()) {
      throw new ConfigException(String.join("; ", problems));
    }
  }

  private static String unknown(String key, String plugin, Collection<String> known) {
    return closest(key, known)
        .map(k -> "Unknown setting '" + key + "': did you mean '" + k + "'?")
        .orElse(
            "Unknown setting '"
                + key
                + "': no plug-in reads it, and plug-in '"
                + plugin
                + "' owns its prefix");
  }

  /** The known key nearest to {@code key}, if it is near enough to be the one meant. */
  public static Optional<String> closest(String key, Collection<String> known) {
    String lower = key.toLowerCase(Locale.ROOT);
    // a typo or two in a short key, about one in five characters in a long one
    int limit = Math.max(2, key.length() / 5);
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String candidate : known) { // sorted, so ties go to the first in order
      int distance = EditDistance.between(lower, candidate.toLowerCase(Locale.ROOT));
      if (distance < bestDistance) {
        best = candidate;
        bestDistance = distance;
      }
    }
    return bestDistance <= limit ? Optional.of(best) : Optional.empty();
  }
}
