package io.tinyllm.api.llm;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * A multi-turn chat completion (Ollama's {@code /api/chat}).
 *
 * <pre>{@code
 * ChatRequest request = ChatRequest.builder("qwen2.5:0.5b",
 *         List.of(ChatMessage.system("Be brief."), ChatMessage.user("Weather in Tokyo?")))
 *     .tools(List.of(weather))        // the model may answer with toolCalls()
 *     .logprobs(3)                    // each token's log probability and its 3 best alternatives
 *     .build();
 * }</pre>
 *
 * @param tools functions the model may call ({@code tools}); empty for none
 * @param logprobs whether to return each generated token's log probability ({@code logprobs})
 * @param topLogprobs how many most likely alternatives to return per token, 0 to 20 ({@code
 *     top_logprobs}); applies only with {@code logprobs}
 */
public record ChatRequest(
    String model,
    List<ChatMessage> messages,
    GenerationOptions options,
    ResponseFormat format,
    String keepAlive,
    Boolean think,
    List<ToolDefinition> tools,
    boolean logprobs,
    int topLogprobs) {

  /** Ollama's upper bound of {@code top_logprobs}. */
  public static final int MAX_TOP_LOGPROBS = 20;

  public ChatRequest {
    requireNonNull(model, "model is null");
    messages = List.copyOf(requireNonNull(messages, "messages is null"));
    options = options == null ? GenerationOptions.DEFAULT : options;
    tools = tools == null ? List.of() : List.copyOf(tools);
    checkTopLogprobs(topLogprobs);
  }

  public ChatRequest(
      String model,
      List<ChatMessage> messages,
      GenerationOptions options,
      ResponseFormat format,
      String keepAlive,
      Boolean think) {
    this(model, messages, options, format, keepAlive, think, List.of(), false, 0);
  }

  public static ChatRequest of(String model, List<ChatMessage> messages) {
    return new ChatRequest(model, messages, GenerationOptions.DEFAULT, null, null, null);
  }

  public static Builder builder(String model, List<ChatMessage> messages) {
    return new Builder(model, messages);
  }

  public Builder toBuilder() {
    Builder builder =
        new Builder(model, messages)
            .options(options)
            .format(format)
            .keepAlive(keepAlive)
            .think(think)
            .tools(tools);
    builder.logprobs = logprobs;
    builder.topLogprobs = topLogprobs;
    return builder;
  }

  public ChatRequest withOptions(GenerationOptions newOptions) {
    return new ChatRequest(
        model, messages, newOptions, format, keepAlive, think, tools, logprobs, topLogprobs);
  }

  static void checkTopLogprobs(int topLogprobs) {
    if (topLogprobs < 0 || topLogprobs > MAX_TOP_LOGPROBS) {
      throw new IllegalArgumentException(
          "top_logprobs must be between 0 and " + MAX_TOP_LOGPROBS + ", not " + topLogprobs);
    }
  }

  /** Builds {@link ChatRequest}. */
  public static final class Builder {
    private String model;
    private List<ChatMessage> messages;
    private GenerationOptions options = GenerationOptions.DEFAULT;
    private ResponseFormat format;
    private String keepAlive;
    private Boolean think;
    private List<ToolDefinition> tools = List.of();
    private boolean logprobs;
    private int topLogprobs;

    private Builder(String model, List<ChatMessage> messages) {
      this.model = model;
      this.messages = messages;
    }

    public Builder model(String model) {
      this.model = model;
      return this;
    }

    public Builder messages(List<ChatMessage> messages) {
      this.messages = messages;
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

    public Builder tools(List<ToolDefinition> tools) {
      this.tools = tools;
      return this;
    }

    /** Asks for each token's log probability and its {@code top} best alternatives (0–20). */
    public Builder logprobs(int top) {
      checkTopLogprobs(top);
      this.logprobs = true;
      this.topLogprobs = top;
      return this;
    }

    public ChatRequest build() {
      return new ChatRequest(
          model, messages, options, format, keepAlive, think, tools, logprobs, topLogprobs);
    }
  }
}
