package io.tinyllm.ollama.sim;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * One model the simulator knows: what {@code /api/tags}, {@code /api/ps} and {@code /api/show}
 * report about it, what it can do, and how fast it is. Immutable; build one with {@link
 * #completion(String)}, {@link #thinking(String)} or {@link #embedding(String, int)}, or adjust a
 * default with {@link #toBuilder()}.
 *
 * <pre>{@code
 * SimulatedModel slow = SimulatedModel.completion("slowpoke:1b")
 *     .tokensPerSecond(5)
 *     .loadTime(Duration.ofSeconds(2))
 *     .build();
 * }</pre>
 */
public final class SimulatedModel {
  private static final String CHATML_TEMPLATE =
      "{{- if .System }}<|im_start|>system\n{{ .System }}<|im_end|>\n{{ end }}"
          + "{{- if .Prompt }}<|im_start|>user\n{{ .Prompt }}<|im_end|>\n{{ end }}"
          + "<|im_start|>assistant\n{{ .Response }}<|im_end|>";
  private static final String THINKING_TEMPLATE =
      "{{- if .System }}<|im_start|>system\n{{ .System }}<|im_end|>\n{{ end }}"
          + "{{- if .Prompt }}<|im_start|>user\n{{ .Prompt }}<|im_end|>\n{{ end }}"
          + "<|im_start|>assistant\n{{ if .Think }}<think>\n{{ end }}{{ .Response }}<|im_end|>";
  private static final String EMBEDDING_TEMPLATE = "{{ .Prompt }}";

  /** The SYSTEM of the qwen2.5 library models (Ollama registry). */
  private static final String QWEN_SYSTEM =
      "You are Qwen, created by Alibaba Cloud. You are a helpful assistant.";

  private final String name;
  private final String family;
  private final long parameterCount;
  private final String parameterSize;
  private final String quantizationLevel;
  private final long sizeBytes;
  private final long vramBytes;
  private final Set<Capability> capabilities;
  private final int contextLength;
  private final int embeddingLength;
  private final Duration loadTime;
  private final Duration timeToFirstToken;
  private final double tokensPerSecond;
  private final double promptTokensPerSecond;
  private final String digest;
  private final String template;
  private final String system;
  private final String parameters;
  private final String license;

  private SimulatedModel(Builder b) {
    this.name = ModelName.normalize(b.name);
    this.family = b.family;
    this.parameterCount = b.parameterCount;
    this.parameterSize =
        b.parameterSize != null ? b.parameterSize : WireFormat.humanNumber(b.parameterCount);
    this.quantizationLevel = b.quantizationLevel;
    this.sizeBytes = b.sizeBytes;
    this.vramBytes = b.vramBytes > 0 ? b.vramBytes : b.sizeBytes + b.sizeBytes / 4;
    this.capabilities = Collections.unmodifiableSet(EnumSet.copyOf(b.capabilities));
    this.contextLength = b.contextLength;
    this.embeddingLength = b.embeddingLength;
    this.loadTime = b.loadTime;
    this.timeToFirstToken = b.timeToFirstToken;
    this.tokensPerSecond = b.tokensPerSecond;
    this.promptTokensPerSecond = b.promptTokensPerSecond;
    this.digest = b.digest != null ? b.digest : Hashing.sha256Hex("tinyllm-sim-model:" + name);
    this.template = b.template;
    this.system = b.system;
    this.parameters = b.parameters;
    this.license = b.license;
  }

  /** A text model (capability {@code completion}) with small-model defaults. */
  public static Builder completion(String name) {
    return new Builder(name, EnumSet.of(Capability.COMPLETION), CHATML_TEMPLATE)
        .parameters(stopParameters());
  }

  /**
   * A text model that can think (capabilities {@code completion} and {@code thinking}): it streams
   * a {@code thinking} text before its answer unless the request says {@code think: false}.
   */
  public static Builder thinking(String name) {
    return new Builder(
            name, EnumSet.of(Capability.COMPLETION, Capability.THINKING), THINKING_TEMPLATE)
        .family("qwen3")
        .parameters(stopParameters());
  }

  /** An embedding model (capability {@code embedding}) producing vectors of {@code dimensions}. */
  public static Builder embedding(String name, int dimensions) {
    return new Builder(name, EnumSet.of(Capability.EMBEDDING), EMBEDDING_TEMPLATE)
        .family("bert")
        .embeddingLength(dimensions)
        .contextLength(2048)
        .quantizationLevel("F16")
        .parameters(param("num_ctx", "8192"))
        .timeToFirstToken(Duration.ofMillis(5))
        .tokensPerSecond(4000);
  }

  /**
   * The models installed by default: {@code qwen2.5:0.5b}, {@code qwen2.5:1.5b}, {@code qwen2.5:3b}
   * (completion, tools, with the library's default system prompt) and {@code
   * nomic-embed-text:latest} (768-dimensional embeddings), with sizes close to the real ones.
   */
  public static List<SimulatedModel> defaults() {
    return List.of(
        qwen25("qwen2.5:0.5b", 494_032_768L, "494.03M", 397_821_319L, 896)
            .loadTime(Duration.ofMillis(300))
            .timeToFirstToken(Duration.ofMillis(20))
            .tokensPerSecond(120)
            .promptTokensPerSecond(2000)
            .build(),
        qwen25("qwen2.5:1.5b", 1_543_714_304L, "1.5B", 986_061_892L, 1536)
            .loadTime(Duration.ofMillis(600))
            .timeToFirstToken(Duration.ofMillis(40))
            .tokensPerSecond(60)
            .promptTokensPerSecond(800)
            .build(),
        qwen25("qwen2.5:3b", 3_085_938_688L, "3.1B", 1_929_912_432L, 2048)
            .loadTime(Duration.ofMillis(1000))
            .timeToFirstToken(Duration.ofMillis(80))
            .tokensPerSecond(35)
            .promptTokensPerSecond(400)
            .build(),
        embedding("nomic-embed-text", 768)
            .family("nomic-bert")
            .parameterCount(136_727_040L)
            .parameterSize("137M")
            .sizeBytes(274_302_450L)
            .loadTime(Duration.ofMillis(150))
            .build());
  }

  /**
   * Models that are not installed by default but can be pulled: {@code llama3.2:1b}, {@code
   * qwen3:0.6b} (a thinking model) and {@code all-minilm:latest} (384-dimensional embeddings).
   */
  public static List<SimulatedModel> pullableExtras() {
    return List.of(
        completion("llama3.2:1b")
            .family("llama")
            .parameterCount(1_235_814_432L)
            .parameterSize("1.2B")
            .quantizationLevel("Q8_0")
            .sizeBytes(1_321_098_329L)
            .contextLength(131_072)
            .embeddingLength(2048)
            .capability(Capability.TOOLS)
            .build(),
        thinking("qwen3:0.6b")
            .parameterCount(751_632_384L)
            .parameterSize("751.63M")
            .sizeBytes(522_653_767L)
            .contextLength(40_960)
            .embeddingLength(1024)
            .capability(Capability.TOOLS)
            .build(),
        embedding("all-minilm", 384)
            .parameterCount(22_565_376L)
            .parameterSize("23M")
            .sizeBytes(45_960_996L)
            .contextLength(512)
            .build());
  }

  private static Builder qwen25(
      String name, long parameterCount, String parameterSize, long sizeBytes, int embeddingLength) {
    return completion(name)
        .family("qwen2")
        .parameterCount(parameterCount)
        .parameterSize(parameterSize)
        .sizeBytes(sizeBytes)
        .embeddingLength(embeddingLength)
        .contextLength(32_768)
        .system(QWEN_SYSTEM)
        .capability(Capability.TOOLS);
  }

  private static String stopParameters() {
    return param("stop", "\"<|im_start|>\"") + "\n" + param("stop", "\"<|im_end|>\"");
  }

  private static String param(String key, String value) {
    // Ollama aligns parameter values at column 31
    return String.format(Locale.ROOT, "%-30s %s", key, value);
  }

  /** A builder starting from this model's values, to derive a variant. */
  public Builder toBuilder() {
    return toBuilder(name);
  }

  /** This model under another name, as {@code /api/copy} makes it. */
  SimulatedModel copiedAs(String newName) {
    return toBuilder(newName).build();
  }

  private Builder toBuilder(String name) {
    Builder b = new Builder(name, EnumSet.copyOf(capabilities), template);
    b.family = family;
    b.parameterCount = parameterCount;
    b.parameterSize = parameterSize;
    b.quantizationLevel = quantizationLevel;
    b.sizeBytes = sizeBytes;
    b.vramBytes = vramBytes;
    b.contextLength = contextLength;
    b.embeddingLength = embeddingLength;
    b.loadTime = loadTime;
    b.timeToFirstToken = timeToFirstToken;
    b.tokensPerSecond = tokensPerSecond;
    b.promptTokensPerSecond = promptTokensPerSecond;
    b.digest = digest;
    b.system = system;
    b.parameters = parameters;
    b.license = license;
    return b;
  }

  /** The canonical name, tag included, e.g. {@code nomic-embed-text:latest}. */
  public String name() {
    return name;
  }

  /** The model family, e.g. {@code qwen2}. */
  public String family() {
    return family;
  }

  /** Number of parameters, reported as {@code general.parameter_count}. */
  public long parameterCount() {
    return parameterCount;
  }

  /** Human parameter size, e.g. {@code 494.03M}. */
  public String parameterSize() {
    return parameterSize;
  }

  /** Quantization level, e.g. {@code Q4_K_M}. */
  public String quantizationLevel() {
    return quantizationLevel;
  }

  /** Size on disk in bytes ({@code /api/tags} {@code size}). */
  public long sizeBytes() {
    return sizeBytes;
  }

  /** Size in memory once loaded ({@code /api/ps} {@code size} and {@code size_vram}). */
  public long vramBytes() {
    return vramBytes;
  }

  /** What the model can do. */
  public Set<Capability> capabilities() {
    return capabilities;
  }

  /** Whether the model has {@code capability}. */
  public boolean has(Capability capability) {
    return capabilities.contains(capability);
  }

  /** The training context length ({@code <family>.context_length}). */
  public int contextLength() {
    return contextLength;
  }

  /** The embedding length; for an embedding model, the dimension of its vectors. */
  public int embeddingLength() {
    return embeddingLength;
  }

  /** How long loading takes, paid on first use and again after the keep-alive expired. */
  public Duration loadTime() {
    return loadTime;
  }

  /**
   * The fixed part of prompt evaluation, paid by every request before its first token; {@code
   * prompt_eval_duration} adds one {@link #promptTokensPerSecond()} token time per prompt token not
   * already in the model's prompt cache.
   */
  public Duration timeToFirstToken() {
    return timeToFirstToken;
  }

  /** Prompt evaluation speed, for the prompt tokens not found in the prompt cache. */
  public double promptTokensPerSecond() {
    return promptTokensPerSecond;
  }

  /** Generation speed; sets the delay between streamed tokens and {@code eval_duration}. */
  public double tokensPerSecond() {
    return tokensPerSecond;
  }

  /** The model digest (64 hex digits). */
  public String digest() {
    return digest;
  }

  /** The prompt template reported by {@code /api/show}. */
  public String template() {
    return template;
  }

  /**
   * The default system prompt (the Modelfile's {@code SYSTEM}, empty if none): rendered into the
   * prompt unless the request gives its own, and reported by {@code /api/show}.
   */
  public String system() {
    return system;
  }

  /** The Modelfile parameters text reported by {@code /api/show}. */
  public String parameters() {
    return parameters;
  }

  /** The license text reported by {@code /api/show}. */
  public String license() {
    return license;
  }

  @Override
  public String toString() {
    return "SimulatedModel[" + name + " " + capabilities + "]";
  }

  /** Builds a {@link SimulatedModel}; every setter validates its argument. */
  public static final class Builder {
    private final String name;
    private final EnumSet<Capability> capabilities;
    private String template;
    private String family = "qwen2";
    private long parameterCount = 494_032_768L;
    private String parameterSize;
    private String quantizationLevel = "Q4_K_M";
    private long sizeBytes = 400_000_000L;
    private long vramBytes;
    private int contextLength = 32_768;
    private int embeddingLength = 896;
    private Duration loadTime = Duration.ofMillis(300);
    private Duration timeToFirstToken = Duration.ofMillis(20);
    private double tokensPerSecond = 100;
    private double promptTokensPerSecond = 1000;
    private String digest;
    private String system = "";
    private String parameters = "";
    private String license = "Simulated model: no weights, no license terms.";

    private Builder(String name, EnumSet<Capability> capabilities, String template) {
      requireNonNull(name, "name is null");
      if (!ModelName.isValid(name)) {
        throw new IllegalArgumentException("invalid model name: " + name);
      }
      this.name = name;
      this.capabilities = capabilities;
      this.template = template;
    }

    /** Sets the family, e.g. {@code llama}. */
    public Builder family(String family) {
      this.family = requireNonNull(family, "family is null");
      return this;
    }

    /** Sets the parameter count (and, unless set explicitly, the parameter size). */
    public Builder parameterCount(long parameterCount) {
      this.parameterCount = positive(parameterCount, "parameterCount");
      return this;
    }

    /** Sets the human parameter size, e.g. {@code 1.5B}. */
    public Builder parameterSize(String parameterSize) {
      this.parameterSize = requireNonNull(parameterSize, "parameterSize is null");
      return this;
    }

    /** Sets the quantization level, e.g. {@code Q4_K_M}. */
    public Builder quantizationLevel(String quantizationLevel) {
      this.quantizationLevel = requireNonNull(quantizationLevel, "quantizationLevel is null");
      return this;
    }

    /** Sets the size on disk in bytes. */
    public Builder sizeBytes(long sizeBytes) {
      this.sizeBytes = positive(sizeBytes, "sizeBytes");
      return this;
    }

    /** Sets the size in memory once loaded (default: disk size plus a quarter). */
    public Builder vramBytes(long vramBytes) {
      this.vramBytes = positive(vramBytes, "vramBytes");
      return this;
    }

    /** Adds a capability. */
    public Builder capability(Capability capability) {
      capabilities.add(requireNonNull(capability, "capability is null"));
      return this;
    }

    /** Replaces the capabilities. */
    public Builder capabilities(Set<Capability> capabilities) {
      requireNonNull(capabilities, "capabilities is null");
      if (capabilities.isEmpty()) {
        throw new IllegalArgumentException("a model needs at least one capability");
      }
      this.capabilities.clear();
      this.capabilities.addAll(capabilities);
      return this;
    }

    /** Sets the context length. */
    public Builder contextLength(int contextLength) {
      this.contextLength = (int) positive(contextLength, "contextLength");
      return this;
    }

    /** Sets the embedding length (the vector dimension of an embedding model). */
    public Builder embeddingLength(int embeddingLength) {
      this.embeddingLength = (int) positive(embeddingLength, "embeddingLength");
      return this;
    }

    /** Sets the load time (at most 10 minutes). */
    public Builder loadTime(Duration loadTime) {
      this.loadTime = delay(loadTime, "loadTime");
      return this;
    }

    /** Sets the time to first token (at most 10 minutes). */
    public Builder timeToFirstToken(Duration timeToFirstToken) {
      this.timeToFirstToken = delay(timeToFirstToken, "timeToFirstToken");
      return this;
    }

    /** Sets the generation speed in tokens per second (0.1 to 1,000,000). */
    public Builder tokensPerSecond(double tokensPerSecond) {
      if (!(tokensPerSecond >= 0.1 && tokensPerSecond <= 1_000_000)) {
        throw new IllegalArgumentException("tokensPerSecond must be in [0.1, 1e6]");
      }
      this.tokensPerSecond = tokensPerSecond;
      return this;
    }

    /** Sets the prompt evaluation speed in tokens per second (0.1 to 1,000,000,000). */
    public Builder promptTokensPerSecond(double promptTokensPerSecond) {
      if (!(promptTokensPerSecond >= 0.1 && promptTokensPerSecond <= 1e9)) {
        throw new IllegalArgumentException("promptTokensPerSecond must be in [0.1, 1e9]");
      }
      this.promptTokensPerSecond = promptTokensPerSecond;
      return this;
    }

    /** Sets the default system prompt (empty for none). */
    public Builder system(String system) {
      this.system = requireNonNull(system, "system is null");
      return this;
    }

    /** Sets the digest (64 hex digits; default: derived from the name). */
    public Builder digest(String digest) {
      requireNonNull(digest, "digest is null");
      if (!digest.matches("[0-9a-f]{64}")) {
        throw new IllegalArgumentException("digest must be 64 lower-case hex digits");
      }
      this.digest = digest;
      return this;
    }

    /** Sets the template text shown by {@code /api/show}. */
    public Builder template(String template) {
      this.template = requireNonNull(template, "template is null");
      return this;
    }

    /** Sets the parameters text shown by {@code /api/show}. */
    public Builder parameters(String parameters) {
      this.parameters = requireNonNull(parameters, "parameters is null");
      return this;
    }

    /** Sets the license text shown by {@code /api/show}. */
    public Builder license(String license) {
      this.license = requireNonNull(license, "license is null");
      return this;
    }

    /** The model. */
    public SimulatedModel build() {
      return new SimulatedModel(this);
    }

    private static long positive(long value, String what) {
      if (value <= 0) {
        throw new IllegalArgumentException(what + " must be positive");
      }
      return value;
    }

    private static Duration delay(Duration value, String what) {
      requireNonNull(value, what + " is null");
      if (value.isNegative() || value.compareTo(Duration.ofMinutes(10)) > 0) {
        throw new IllegalArgumentException(what + " must be between 0 and 10 minutes");
      }
      return value;
    }
  }
}
