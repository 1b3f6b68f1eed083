package io.tinyllm.cli;

import io.tinyllm.api.config.Durations;
import io.tinyllm.api.error.ConfigException;
import io.tinyllm.metrics.exporter.HttpExporterConfig;
import io.tinyllm.ollama.OllamaConfig;
import io.tinyllm.ollama.OllamaHost;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import picocli.CommandLine.TypeConversionException;

/**
 * The user's defaults: a config file and {@code TINYLLM_*} environment variables, below the
 * command's flags. Precedence: flag, then environment, then file, then the built-in default.
 *
 * <pre>
 * # ~/.config/tinyllm/config.yaml (or $XDG_CONFIG_HOME/tinyllm/config.yaml, or $TINYLLM_CONFIG)
 * model: qwen2.5:1.5b
 * ollama: gpu-box:11434
 * timeout: 2m
 * connect-timeout: 5s
 * retries: 1
 * metrics-port: 9464
 * </pre>
 *
 * <p>A malformed file or variable is one usage error naming it ({@code file:line} for the file), so
 * a typo never silently falls back to a default.
 */
final class CliConfig {
  /** The largest config file read: a few lines are expected; more is a wrong file. */
  static final int MAX_BYTES = 64 * 1024;

  /**
   * A setting the user may configure: {@code model} is the model of the built-in graph {@code run}
   * and {@code batch} use without {@code --model}, of graph nodes that name none, of {@code chat},
   * and one {@code health} checks; {@code timeout} bounds one Ollama call; {@code retries} are the
   * retries of a failed call; {@code metrics-port} is the port of {@code tinyllm metrics} and
   * {@code demo}, and the one {@code health} checks.
   */
  enum Key {
    MODEL("model", "TINYLLM_MODEL", "qwen2.5:0.5b"),
    OLLAMA("ollama", OllamaConfig.OLLAMA_HOST_ENV, OllamaHost.DEFAULT.toString()),
    TIMEOUT("timeout", "TINYLLM_TIMEOUT", "5m"),
    CONNECT_TIMEOUT("connect-timeout", "TINYLLM_CONNECT_TIMEOUT", "10s"),
    RETRIES("retries", "TINYLLM_RETRIES", "2"),
    METRICS_PORT(
        "metrics-port", "TINYLLM_METRICS_PORT", String.valueOf(HttpExporterConfig.DEFAULT_PORT));

    final String name;
    final String env;
    final String defaultValue;

    Key(String name, String env, String defaultValue) {
      this.name = name;
      this.env = env;
      this.defaultValue = defaultValue;
    }

    static Key named(String name) {
      for (Key key : values()) {
        if (key.name.equals(name)) {
          return key;
        }
      }
      return null;
    }
  }

  /** A value and where it came from: {@code env TINYLLM_TIMEOUT}, {@code file PATH:3}. */
  record Value(String value, String source) {}

  private static CliConfig current;

  private final Path file;
  private final boolean fileFound;
  private final Map<Key, Value> values;

  private CliConfig(Path file, boolean fileFound, Map<Key, Value> values) {
    this.file = file;
    this.fileFound = fileFound;
    this.values = values;
  }

  /** This process's configuration, read once, on first use. */
  static synchronized CliConfig current() {
    if (current == null) {
      current = load(System.getenv(), Path.of(System.getProperty("user.home")));
    }
    return current;
  }

  /**
   * Reads the file {@code env} points at (or the default one under {@code home}) and {@code env}.
   */
  static CliConfig load(Map<String, String> env, Path home) {
    Path file = file(env, home);
    Map<Key, Value> values = new EnumMap<>(Key.class);
    boolean found = Files.isRegularFile(file);
    if (env.get("TINYLLM_CONFIG") != null && !env.get("TINYLLM_CONFIG").isBlank() && !found) {
      throw new UsageException("TINYLLM_CONFIG=" + file + ": no such file");
    }
    if (found) {
      readFile(file, values);
    }
    for (Key key : Key.values()) {
      String value = env.get(key.env);
      if (value != null && !value.isBlank()) {
        // OLLAMA_HOST is Ollama's own variable: the client reads and checks it, in its words
        String checked = key == Key.OLLAMA ? value.strip() : check(key, value.strip(), key.env);
        values.put(key, new Value(checked, "env " + key.env));
      }
    }
    return new CliConfig(file, found, values);
  }

  /** {@code $TINYLLM_CONFIG}, else {@code $XDG_CONFIG_HOME/tinyllm/config.yaml}, else ~/.config. */
  static Path file(Map<String, String> env, Path home) {
    String explicit = env.get("TINYLLM_CONFIG");
    if (explicit != null && !explicit.isBlank()) {
      return Path.of(explicit);
    }
    String xdg = env.get("XDG_CONFIG_HOME");
    Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : home.resolve(".config");
    return base.resolve("tinyllm").resolve("config.yaml");
  }

  Path file() {
    return file;
  }

  boolean fileFound() {
    return fileFound;
  }

  /** The model of graph nodes that name none, and of the built-in graph: configured or default. */
  String model() {
    Value model = values.get(Key.MODEL);
    return model == null ? Key.MODEL.defaultValue : model.value();
  }

  /** The configured value of {@code key}, or null when only the default applies. */
  Value get(Key key) {
    return values.get(key);
  }

  /**
   * Adds the configured values to {@code settings} where the command has not set them: the
   * command's flags win.
   */
  void addTo(Map<String, String> settings) {
    Value model = values.get(Key.MODEL);
    if (model != null) {
      settings.putIfAbsent("executor.default-model", model.value());
    }
    Value ollama = values.get(Key.OLLAMA);
    if (ollama != null && ollama.source().startsWith("file ")) {
      settings.putIfAbsent(OllamaConfig.HOST, ollama.value());
    }
    Value timeout = values.get(Key.TIMEOUT);
    if (timeout != null) {
      settings.putIfAbsent(OllamaConfig.REQUEST_TIMEOUT, timeout.value());
    }
    Value connect = values.get(Key.CONNECT_TIMEOUT);
    if (connect != null) {
      settings.putIfAbsent(OllamaConfig.CONNECT_TIMEOUT, connect.value());
    }
    Value retries = values.get(Key.RETRIES);
    if (retries != null) {
      settings.putIfAbsent(
          OllamaConfig.RETRY_MAX_ATTEMPTS, String.valueOf(Integer.parseInt(retries.value()) + 1));
    }
  }

  /** The configured metrics port, or {@code fallback}. */
  int metricsPort(int fallback) {
    Value port = values.get(Key.METRICS_PORT);
    return port == null ? fallback : Integer.parseInt(port.value());
  }

  private static void readFile(Path file, Map<Key, Value> values) {
    String text = readText(file);
    LoaderOptions options = new LoaderOptions();
    options.setMaxAliasesForCollections(10);
    options.setCodePointLimit(MAX_BYTES);
    options.setNestingDepthLimit(10);
    Node root;
    try {
      root = new Yaml(options).compose(new java.io.StringReader(text));
    } catch (MarkedYAMLException e) {
      int line = e.getProblemMark() == null ? 1 : e.getProblemMark().getLine() + 1;
      throw new UsageException(
          file + ":" + line + ": not valid YAML: " + String.valueOf(e.getProblem()).strip());
    } catch (YAMLException e) {
      throw new UsageException(file + ": not valid YAML: " + e.getMessage());
    }
    if (root == null) {
      return;
    }
    if (!(root instanceof MappingNode mapping)) {
      throw new UsageException(
          file + ":" + line(root) + ": expected lines of 'key: value' (" + known() + ")");
    }
    Set<String> seen = new HashSet<>();
    for (NodeTuple tuple : mapping.getValue()) {
      Node keyNode = tuple.getKeyNode();
      String where = file + ":" + line(keyNode);
      if (!(keyNode instanceof ScalarNode scalarKey)) {
        throw new UsageException(where + ": expected a key such as 'model'");
      }
      String name = scalarKey.getValue();
      Key key = Key.named(name);
      if (key == null) {
        throw new UsageException(
            where + ": unknown key '" + bounded(name) + "': expected one of " + known());
      }
      if (!seen.add(name)) {
        throw new UsageException(where + ": '" + name + "' is given twice");
      }
      if (!(tuple.getValueNode() instanceof ScalarNode scalarValue)
          || scalarValue.getValue().isBlank()) {
        throw new UsageException(where + ": '" + name + "' needs one value");
      }
      String value = scalarValue.getValue().strip();
      values.put(key, new Value(check(key, value, where + ": '" + name + "'"), "file " + where));
    }
  }

  private static String readText(Path file) {
    try {
      if (Files.size(file) > MAX_BYTES) {
        throw new UsageException(
            file + ": larger than " + MAX_BYTES + " bytes, not a tinyllm config file");
      }
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(java.nio.ByteBuffer.wrap(Files.readAllBytes(file)))
          .toString();
    } catch (CharacterCodingException e) {
      throw new UsageException(file + ": not UTF-8 text");
    } catch (IOException e) {
      throw new UsageException(file + ": cannot read it (" + IoErrors.describe(e) + ")");
    }
  }

  /** {@code value} if it is valid for {@code key}; else a usage error naming {@code where}. */
  private static String check(Key key, String value, String where) {
    String shown = "'" + bounded(value) + "'";
    switch (key) {
      case MODEL -> {
        if (value.length() > 200 || value.chars().anyMatch(Character::isWhitespace)) {
          throw new UsageException(where + ": " + shown + " is not a model name");
        }
      }
      case OLLAMA -> {
        try {
          // a list is a fleet (ollama.hosts), checked whole as the client reads it
          new OllamaOptions.AddressConverter().convert(value);
        } catch (TypeConversionException e) {
          throw new UsageException(where + ": " + OllamaHost.redacted(e.getMessage()));
        }
      }
      case TIMEOUT, CONNECT_TIMEOUT -> {
        Duration duration;
        try {
          duration = Durations.parse(value);
        } catch (ConfigException e) {
          throw new UsageException(where + ": " + e.getMessage());
        }
        if (duration.isZero() || duration.isNegative()) {
          throw new UsageException(where + ": " + shown + " must be longer than 0");
        }
      }
      case RETRIES -> number(value, 0, 10, where, shown);
      case METRICS_PORT -> number(value, 0, 65_535, where, shown);
    }
    return value;
  }

  private static void number(String value, int min, int max, String where, String shown) {
    int n;
    try {
      n = Integer.parseInt(value);
    } catch (NumberFormatException e) {
      n = Integer.MIN_VALUE;
    }
    if (n < min || n > max) {
      throw new UsageException(
          where + ": " + shown + " is not a whole number from " + min + " to " + max);
    }
  }

  private static String known() {
    StringBuilder names = new StringBuilder();
    for (Key key : Key.values()) {
      names.append(names.length() == 0 ? "" : ", ").append(key.name);
    }
    return names.toString();
  }

  private static int line(Node node) {
    return node.getStartMark() == null ? 1 : node.getStartMark().getLine() + 1;
  }

  /** Untrusted text in a message: at most 80 characters. */
  private static String bounded(String text) {
    return text.length() <= 80 ? text : text.substring(0, 80) + "...";
  }
}
