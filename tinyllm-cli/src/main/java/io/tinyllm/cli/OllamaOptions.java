package io.tinyllm.cli;

import io.tinyllm.api.config.Settings;
import io.tinyllm.ollama.OllamaConfig;
import io.tinyllm.ollama.OllamaHost;
import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code --ollama URL}, shared by every command that talks to Ollama. Without it the address comes
 * from {@code OLLAMA_HOST}, else {@code http://127.0.0.1:11434}, as Ollama itself reads it.
 */
final class OllamaOptions {
  @Option(
      names = "--ollama",
      paramLabel = "URL",
      converter = AddressConverter.class,
      description =
          "Ollama server: host, host:port or http://host:port (default: $OLLAMA_HOST, else"
              + " http://127.0.0.1:11434).")
  String address;

  /** Adds {@code ollama.host} to {@code settings} when {@code --ollama} was given. */
  void addTo(Map<String, String> settings) {
    if (address != null) {
      settings.put(OllamaConfig.HOST, address);
    }
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
        OllamaHost.parse(value);
      } catch (IllegalArgumentException e) {
        // picocli's own message for other exceptions repeats the value, password included
        throw new TypeConversionException(e.getMessage());
      }
      return value.strip();
    }
  }
}
