package io.tinyllm.api.llm;

import static java.util.Objects.requireNonNull;

/**
 * A single-prompt completion (Ollama's {@code /api/generate}).
 *
 * <pre>{@code
 * GenerateRequest request = GenerateRequest.builder("qwen2.5:0.5b", "What is 2+2?")
 *     .system("Answer briefly.")
 *     .options(GenerationOptions.builder().temperature(0.0).build())
 *     .build();
 * }</pre>
 *
 * @param keepAlive how long the server keeps the model loaded afterwards ({@code 5m}, {@code 0});
 *     {@code null} for the server's default
 * @param think whether a thinking model should think first; {@code null} for the server's default
 * @param logprobs whether to return each generated token's log probability ({@code logprobs})
 * @param topLogprobs how many most likely alternatives to return per token, 0 to 20 ({@code
 *     top_logprobs}); applies only with {@code logprobs}
 */
public record GenerateRequest(
    String model,
    String prompt,
    String system,
    GenerationOptions options,
    ResponseFormat format,
    String keepAlive,
    Boolean think,
    boolean logprobs,
    int topLogprobs) {

  public GenerateRequest {
    requireNonNull(model, "model is null");
    requireNonNull(prompt, "prompt is null");
    options = options == null ? GenerationOptions.DEFAULT : options;
    ChatRequest.checkTopLogprobs(topLogprobs);
  }

  public GenerateRequest(
      String model,
      String prompt,
      String system,
      GenerationOptions options,
      ResponseFormat format,
      String keepAlive,
      Boolean think) {
    this(model, prompt, system, options, format, keepAlive, think, false, 0);
  }

  public static Builder builder(String model, String prompt) {
    return new Builder(model, prompt);
  }

  public Builder toBuilder() {
    Builder builder =
        new Builder(model, prompt)
            .system(system)
            .options(options)
            .format(format)
            .keepAlive(keepAlive)
            .think(think);
    builder.logprobs = logprobs;
    builder.topLogprobs = topLogprobs;
    return builder;
  }

  /** Builds {@link GenerateRequest}. */
  public static final class Builder {
    private String model;
    private String prompt;
    private String system;
    private GenerationOptions options = GenerationOptions.DEFAULT;
    private ResponseFormat format;
    private String keepAlive;
    private Boolean think;
    private boolean logprobs;
    private int topLogprobs;

    private Builder(String model, String prompt) {
      this.model = model;
      this.prompt = prompt;
    }

    public Builder model(String model) {
      this.model = model;
      return this;
    }

    public Builder prompt(String prompt) {
      this.prompt = prompt;
      return this;
    }

    public Builder system(String system) {
      this.system = system;
      return this;
    }

    public Builder options(GenerationOptions options) {
      this.options = options;
      return this;
    }

    public Builder format(ResponseFormat format) {
      this.format = format;
      return this;
    }

    public Builder keepAlive(String keepAlive) {
      this.keepAlive = keepAlive;
      return this;
    }

    public Builder think(Boolean think) {
      this.think = think;
      return this;
    }

    /** Asks for each token's log probability and its {@code top} best alternatives (0–20). */
    public Builder logprobs(int top) {
      ChatRequest.checkTopLogprobs(top);
      this.logprobs = true;
      this.topLogprobs = top;
      return this;
    }

    public GenerateRequest build() {
      return new GenerateRequest(
          model, prompt, system, options, format, keepAlive, think, logprobs, topLogprobs);
    }
  }
}
