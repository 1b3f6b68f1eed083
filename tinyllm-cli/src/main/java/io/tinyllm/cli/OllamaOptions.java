package io.tinyllm.cli;

import io.tinyllm.api.config.Settings;
import io.tinyllm.api.error.ConfigException;
import io.tinyllm.ollama.OllamaConfig;
import io.tinyllm.ollama.OllamaHost;
import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code --ollama URL}, shared by every command that talks to Ollama. Without it the address comes
 * from {@code OLLAMA_HOST}, else {@code http://127.0.0.1:11434}, as Ollama itself reads it. A
 * comma-separated list ({@code --ollama URL,URL}) is a fleet the client routes over ({@code
 * ollama.hosts}).
 */
final class OllamaOptions {
  @Option(
      names = "--ollama",
      paramLabel = "URL",
      converter = AddressConverter.class,
      description =
          "Ollama server: host, host:port or http://host:port (default: $OLLAMA_HOST, else"
              + " http://127.0.0.1:11434); URL,URL,... routes over several servers.")
  String address;

  /** The command this option belongs to, to find {@code --ollama} given before its name. */
  @Spec(Spec.Target.MIXEE)
  CommandSpec command;

  /**
   * Adds {@code ollama.host} (or {@code ollama.hosts} for a list) to {@code settings} when {@code
   * --ollama} was given, after the subcommand or before it ({@code tinyllm --ollama URL list}).
   */
  void addTo(Map<String, String> settings) {
    String given = address != null ? address : global();
    if (given != null) {
      put(settings, given);
    }
    // below the flags: the user's config file and TINYLLM_* variables (OLLAMA_HOST included)
    Map<String, String> configured = new HashMap<>();
    CliConfig.current().addTo(configured);
    String fromConfig = configured.remove(OllamaConfig.HOST);
    if (fromConfig != null
        && !settings.containsKey(OllamaConfig.HOST)
        && !settings.containsKey(OllamaConfig.HOSTS)) {
      put(settings, fromConfig);
    }
    configured.forEach(settings::putIfAbsent);
  }

  /**
   * One address is {@code ollama.host}; a comma-separated list is the fleet {@code ollama.hosts}.
   */
  private static void put(Map<String, String> settings, String addresses) {
    settings.put(addresses.contains(",") ? OllamaConfig.HOSTS : OllamaConfig.HOST, addresses);
  }

  private String global() {
    if (command == null) {
      return null;
    }
    for (CommandSpec c = command; c != null; c = c.parent()) {
      if (c.userObject() instanceof TinyLlmCommand root && root.ollama != null) {
        return root.ollama;
      }
    }
    return null;
  }

  /** The address the client will use, for messages. */
  URI host() {
    Map<String, String> settings = new HashMap<>();
    addTo(settings);
    return OllamaConfig.from(Settings.of(settings)).host();
  }

  /** Rejects an address Ollama would not accept while picocli parses, so it is a usage error. */
  static final class AddressConverter implements ITypeConverter<String> {
    @Override
    public String convert(String value) {
      try {
        if (value.contains(",")) {
          // the whole list as the client will read it: empty entries, duplicates, too many
          OllamaConfig.from(Settings.of(Map.of(OllamaConfig.HOSTS, value)), Map.of());
        } else {
          OllamaHost.parse(value);
        }
      } catch (IllegalArgumentException | ConfigException e) {
        // picocli's own message for other exceptions repeats the value, password included
        throw new TypeConversionException(e.getMessage());
      }
      return value.strip();
    }
  }
}
