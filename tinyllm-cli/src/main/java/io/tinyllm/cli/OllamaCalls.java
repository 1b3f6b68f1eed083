package io.tinyllm.cli;

import io.tinyllm.api.config.Settings;
import io.tinyllm.ollama.OllamaClient;
import io.tinyllm.ollama.OllamaConfig;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * A plain Ollama client for the commands that make a call or two ({@code models …}, {@code
 * health}): no injector, no plug-ins, no shared registry. Building those costs about a second of
 * start-up (thousands of classes) that such a command never uses; the client keeps its own,
 * unregistered metrics.
 */
final class OllamaCalls {
  private OllamaCalls() {}

  /** The client's settings: {@code --ollama} over the user's configuration. */
  static Settings settings(OllamaOptions ollama) {
    Map<String, String> settings = new LinkedHashMap<>();
    ollama.addTo(settings);
    return Settings.of(settings);
  }

  /** Runs {@code action} with a plain client for {@code ollama}, its errors made CLI errors. */
  static <T> T with(OllamaOptions ollama, String model, Function<OllamaClient, T> action) {
    return with(ollama, model, action, CliErrors::translate);
  }

  /**
   * As {@link #with(OllamaOptions, String, Function)}, its errors made CLI errors by {@code
   * errors}: a command whose hint for a missing model is not "pull it" passes its own.
   */
  static <T> T with(
      OllamaOptions ollama,
      String model,
      Function<OllamaClient, T> action,
      BiFunction<RuntimeException, String, RuntimeException> errors) {
    try (OllamaClient client = OllamaClient.createOneShot(OllamaConfig.from(settings(ollama)))) {
      return action.apply(client);
    } catch (RuntimeException e) {
      throw errors.apply(e, model);
    }
  }
}
