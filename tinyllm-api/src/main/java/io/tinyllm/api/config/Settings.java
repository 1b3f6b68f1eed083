package io.tinyllm.api.config;

import static java.util.Objects.requireNonNull;

import com.google.inject.Module;
import com.google.inject.multibindings.OptionalBinder;
import io.tinyllm.api.error.ConfigException;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Flat, immutable {@code key=value} settings shared by all plug-ins; each plug-in reads its own
 * keys into a plain config object. Typed getters fail with a {@link ConfigException} naming the key
 * and the offending value. Under the prefixes a plug-in owns, only the keys it reads are allowed
 * ({@link KnownSettings}); durations follow {@link Durations}.
 *
 * <pre>{@code
 * Settings settings = Settings.of(Map.of("metrics.http.port", "9400"));
 * int port = settings.getInt("metrics.http.port", 9464);
 * Injector injector = Guice.createInjector(Settings.module(settings), ...);
 * }</pre>
 */
public final class Settings {
  private static final Settings EMPTY = new Settings(Map.of());

  private final Map<String, String> values;
  // every key asked for, when these are the empty settings KnownSettings.readBy reads through
  private final Set<String> reads;

  private Settings(Map<String, String> values) {
    this(values, null);
  }

  private Settings(Map<String, String> values, Set<String> reads) {
    this.values = values;
    this.reads = reads;
  }

  /** Empty settings that add each key asked for to {@code reads}. */
  static Settings recordingReads(Set<String> reads) {
    return new Settings(Map.of(), requireNonNull(reads, "reads is null"));
  }

  public static Settings empty() {
    return EMPTY;
  }

  public static Settings of(Map<String, String> values) {
    requireNonNull(values, "values is null");
    values.forEach(
        (k, v) -> {
          requireNonNull(k, "setting key is null");
          requireNonNull(v, "value of setting '" + k + "' is null");
        });
    return new Settings(Map.copyOf(values));
  }

  /** A Guice module that makes these settings the ones every plug-in reads. */
  public static Module module(Settings settings) {
    requireNonNull(settings, "settings is null");
    return binder ->
        OptionalBinder.newOptionalBinder(binder, Settings.class).setBinding().toInstance(settings);
  }

  /** These settings with {@code key} set to {@code value} (a {@code null} value removes it). */
  public Settings with(String key, String value) {
    Map<String, String> copy = new LinkedHashMap<>(values);
    if (value == null) {
      copy.remove(key);
    } else {
      copy.put(key, value);
    }
    return new Settings(Map.copyOf(copy));
  }

  /** These settings overlaid by {@code overrides}. */
  public Settings withAll(Map<String, String> overrides) {
    Map<String, String> copy = new LinkedHashMap<>(values);
    copy.putAll(overrides);
    return of(copy);
  }

  public Map<String, String> asMap() {
    return new TreeMap<>(values);
  }

  public Optional<String> get(String key) {
    if (reads != null) {
      reads.add(key);
    }
    String value = values.get(key);
    return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.trim());
  }

  public String getString(String key, String defaultValue) {
    return get(key).orElse(defaultValue);
  }

  public int getInt(String key, int defaultValue) {
    Optional<String> value = get(key);
    if (value.isEmpty()) {
      return defaultValue;
    }
    try {
      return Integer.parseInt(value.get());
    } catch (NumberFormatException e) {
      throw invalid(key, value.get(), "an integer");
    }
  }

  /** An integer within {@code [min, max]}. */
  public int getInt(String key, int defaultValue, int min, int max) {
    int value = getInt(key, defaultValue);
    if (value < min || value > max) {
      throw invalid(key, String.valueOf(value), "an integer from " + min + " to " + max);
    }
    return value;
  }

  public double getDouble(String key, double defaultValue) {
    Optional<String> value = get(key);
    if (value.isEmpty()) {
      return defaultValue;
    }
    try {
      double parsed = Double.parseDouble(value.get());
      if (Double.isNaN(parsed) || Double.isInfinite(parsed)) {
        throw invalid(key, value.get(), "a finite number");
      }
      return parsed;
    } catch (NumberFormatException e) {
      throw invalid(key, value.get(), "a number");
    }
  }

  public boolean getBoolean(String key, boolean defaultValue) {
    Optional<String> value = get(key);
    if (value.isEmpty()) {
      return defaultValue;
    }
    return switch (value.get().toLowerCase(java.util.Locale.ROOT)) {
      case "true", "yes", "on", "1" -> true;
      case "false", "no", "off", "0" -> false;
      default -> throw invalid(key, value.get(), "true or false");
    };
  }

  /**
   * A duration as {@link Durations} reads it: {@code 500ms}, {@code 1.5s}, {@code 5m}, {@code
   * 1h30m}, {@code 1d}; a bare number means seconds.
   */
  public Duration getDuration(String key, Duration defaultValue) {
    Optional<String> value = get(key);
    return value.isEmpty() ? defaultValue : parseDuration(key, value.get());
  }

  /** A comma-separated list, blanks dropped. */
  public List<String> getList(String key, List<String> defaultValue) {
    Optional<String> value = get(key);
    if (value.isEmpty()) {
      return defaultValue;
    }
    return Arrays.stream(value.get().split(","))
        .map(String::trim)
        .filter(s -> !s.isEmpty())
        .toList();
  }

  /** Parses a duration as {@link #getDuration} does, naming {@code key} if it is invalid. */
  public static Duration parseDuration(String key, String text) {
    return Durations.parse(text, "setting '" + key + "'");
  }

  private static ConfigException invalid(String key, String value, String expected) {
    return new ConfigException(
        "Invalid value '" + value + "' for setting '" + key + "': expected " + expected);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Settings other && values.equals(other.values);
  }

  @Override
  public int hashCode() {
    return values.hashCode();
  }

  /** Lists the settings with the values of passwords, tokens and secrets masked. */
  @Override
  public String toString() {
    Map<String, String> shown = new TreeMap<>();
    values.forEach((k, v) -> shown.put(k, isSecret(k) ? "****" : v));
    return "Settings" + shown;
  }

  private static boolean isSecret(String key) {
    String lower = key.toLowerCase(java.util.Locale.ROOT);
    return lower.contains("password") || lower.contains("token") || lower.contains("secret");
  }
}
