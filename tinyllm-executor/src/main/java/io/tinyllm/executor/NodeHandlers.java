package io.tinyllm.executor;

import io.tinyllm.api.error.CancelledException;
import io.tinyllm.api.error.GraphException;
import io.tinyllm.api.error.LlmException;
import io.tinyllm.api.llm.ChatMessage;
import io.tinyllm.api.llm.ChatRequest;
import io.tinyllm.api.llm.GenerateRequest;
import io.tinyllm.api.llm.GenerationOptions;
import io.tinyllm.api.llm.LlmClient;
import io.tinyllm.api.llm.LlmResponse;
import io.tinyllm.api.llm.StreamHandle;
import io.tinyllm.api.llm.StreamListener;
import io.tinyllm.api.llm.ToolDefinition;
import io.tinyllm.executor.expression.Expression;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;

/** What each node type does with the payload. */
final class NodeHandlers {
  static final String ROUTER_PROMPT =
      "Classify the request into exactly one of these routes: {{routes}}.\n"
          + "Answer with the route name only.\n\nRequest: {{input}}";

  /** A streamed node's text is the whole answer, which the stream's final response carries. */
  private static final StreamListener IGNORE_TOKENS = token -> {};

  private final GraphRunner runner;

  NodeHandlers(GraphRunner runner) {
    this.runner = runner;
  }

  /** Runs {@code node}; text over the graph's {@link TextLimit} fails it. */
  NodeResult run(NodeDefinition node, Payload in) {
    NodeResult result =
        switch (node.type()) {
          case ENTRY, EXIT -> NodeResult.of(in.withOutput(node.id(), in.text()));
          case MODEL -> model(node, in);
          case ROUTER -> router(node, in);
          case TRANSFORM ->
              NodeResult.of(in.withOutput(node.id(), Transforms.apply(node, in, limit())));
          case GATE -> gate(node, in);
          case FANOUT -> new Fanout(runner, node).run(in);
          case LOOP -> loop(node, in);
        };
    limit().check(result.payload().text());
    return result;
  }

  /** The engine's {@code executor.max-payload-chars}, or the graph's lower one. */
  private TextLimit limit() {
    return runner.execution().textLimit();
  }

  private NodeResult model(NodeDefinition node, Payload in) {
    NodeConfig c = node.settings();
    String prompt = Templates.render(c.string("prompt", "{{input}}"), in.view(), limit());
    List<ToolDefinition> tools = ModelTools.from(c);
    LlmResponse response = ask(c, prompt, tools);
    Payload out = in.withOutput(node.id(), response.text());
    if (!tools.isEmpty()) {
      // set even when empty, so it never shows an earlier node's calls
      out = out.with("tool_calls", ModelTools.payload(response.toolCalls()));
    }
    return new NodeResult(
        out,
        response.promptTokens(),
        response.outputTokens(),
        response.doneReason(),
        response.cached());
  }

  private NodeResult router(NodeDefinition node, Payload in) {
    NodeConfig c = node.settings();
    List<String> routes = c.strings("routes");
    String template = c.string("prompt", ROUTER_PROMPT);
    String prompt = Templates.render(template, withRoutes(in, routes).view(), limit());
    LlmResponse response = ask(c, prompt, List.of());
    String route = pick(routes, response.text());
    if (route == null) {
      route = c.string("default", routes.get(0));
    }
    return new NodeResult(
        in.with("route", route),
        response.promptTokens(),
        response.outputTokens(),
        response.doneReason(),
        response.cached());
  }

  private static Payload withRoutes(Payload in, List<String> routes) {
    return in.with("routes", String.join(", ", routes));
  }

  /** The route the answer names: an exact match, else the only route the answer mentions. */
  static String pick(List<String> routes, String answer) {
    String a = answer.strip().toLowerCase(Locale.ROOT).replaceAll("[\"'`.*]", "").strip();
    for (String route : routes) {
      if (route.toLowerCase(Locale.ROOT).equals(a)) {
        return route;
      }
    }
    String found = null;
    for (String route : routes) {
      if (a.matches(
          "(?s).*\\b" + java.util.regex.Pattern.quote(route.toLowerCase(Locale.ROOT)) + "\\b.*")) {
        if (found != null) {
          return null;
        }
        found = route;
      }
    }
    return found;
  }

  private NodeResult gate(NodeDefinition node, Payload in) {
    Expression condition = node.settings().expression("condition", true);
    return NodeResult.of(in.with("gate", condition.test(in.view())));
  }

  private NodeResult loop(NodeDefinition node, Payload in) {
    NodeConfig c = node.settings();
    NodeDefinition body = runner.node(c.requiredString("body"));
    int max = c.integer("max_iterations", 3, 1, 100);
    Expression until = c.expression("until", false);
    Payload current = in;
    for (int i = 1; i <= max; i++) {
      NodeResult result = runner.runNode(body, current.with("iteration", i));
      current = result.payload();
      if (until != null && until.test(current.view())) {
        break;
      }
    }
    // the body's tokens are in the body's own trace entries
    return NodeResult.of(current.withOutput(node.id(), current.text()));
  }

  /**
   * One model call as {@code c} asks: {@code api} {@code generate} (the default) sends {@code
   * system} and the prompt to {@code /api/generate}; {@code chat} sends {@code system} as a system
   * message and the prompt as a user message to {@code /api/chat}. With {@code stream: true} the
   * answer is streamed and its final response returned. {@code tools} go with a chat call.
   */
  private LlmResponse ask(NodeConfig c, String prompt, List<ToolDefinition> tools) {
    LlmClient client =
        runner
            .engine()
            .client()
            .orElseThrow(
                () ->
                    new GraphException(
                        "No LlmClient is installed; add the tinyllm-ollama plug-in to run model nodes"));
    String model = c.string("model", runner.engine().config().defaultModel());
    String system = c.string("system", null);
    GenerationOptions options = ModelOptions.from(c);
    boolean stream = c.bool("stream", false);
    if ("chat".equals(c.oneOf("api", NodeConfigCheck.APIS, "generate", s -> s))) {
      List<ChatMessage> messages = new ArrayList<>(2);
      if (system != null && !system.isEmpty()) {
        messages.add(ChatMessage.system(system));
      }
      messages.add(ChatMessage.user(prompt));
      ChatRequest request =
          ChatRequest.builder(model, messages).options(options).tools(tools).build();
      return stream ? finish(client.chatStream(request, IGNORE_TOKENS)) : client.chat(request);
    }
    GenerateRequest request =
        GenerateRequest.builder(model, prompt).system(system).options(options).build();
    return stream
        ? finish(client.generateStream(request, IGNORE_TOKENS))
        : client.generate(request);
  }

  /**
   * Waits for a stream's final response. The engine interrupts this thread when the node times out
   * or the graph is cancelled; the stream is then cancelled too, so its HTTP exchange ends at once.
   */
  private static LlmResponse finish(StreamHandle stream) {
    try {
      return stream.completion().get();
    } catch (InterruptedException e) {
      stream.cancel();
      Thread.currentThread().interrupt();
      throw new CancelledException("The stream was cancelled: the node stopped waiting for it", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException failure) {
        throw failure;
      }
      throw new LlmException("The stream failed: " + e.getCause(), e.getCause());
    }
  }
}
