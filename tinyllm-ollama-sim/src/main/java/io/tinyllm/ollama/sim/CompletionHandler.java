package io.tinyllm.ollama.sim;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code POST /api/generate} and {@code POST /api/chat}: validation in Ollama's order and with its
 * messages, admission, model loading, then the answer streamed token by token at the model's speed
 * (or sent whole with {@code "stream": false}), ending with Ollama's statistics.
 */
final class CompletionHandler {
  private static final String GENERATE = "GenerateRequest";
  private static final String CHAT = "ChatRequest";

  private final SimulatorContext ctx;

  CompletionHandler(SimulatorContext ctx) {
    this.ctx = requireNonNull(ctx, "ctx is null");
  }

  /** One chat message of the request. */
  private record Message(String role, String content) {}

  /** What both endpoints need once the request is validated. */
  private record Job(
      String rawModel,
      SimulatedModel model,
      boolean chat,
      boolean stream,
      boolean raw,
      boolean think,
      Duration keepAlive,
      SamplingOptions options,
      RunnerOptions runnerOptions,
      JsonNode format,
      String formatError,
      String promptKey,
      String promptContext,
      String promptText,
      List<String> promptTokens,
      boolean loadOnly,
      long startNanos,
      boolean tools,
      boolean logprobs,
      int topLogprobs,
      boolean truncate) {}

  /** Serves {@code POST /api/generate}. */
  void generate(HttpExchange exchange, byte[] body, FaultPlan faults) throws IOException {
    long start = System.nanoTime();
    RequestBody req = RequestBody.parse(ctx.mapper, body, GENERATE);
    String rawModel = req.string("model");
    String prompt = req.string("prompt");
    String system = req.string("system");
    String suffix = req.string("suffix");
    String template = req.string("template");
    ArrayNode context = req.array("context", "[]int");
    boolean raw = req.bool("raw", false);
    boolean stream = req.bool("stream", true);
    Duration requestedKeepAlive = GoDuration.keepAlive(req.node("keep_alive"), GENERATE);
    JsonNode thinkNode = thinkValue(req);
    ObjectNode optionsNode = req.object("options", "map[string]interface {}");
    boolean logprobs = req.bool("logprobs", false);
    int topLogprobs = topLogprobs(req);
    boolean truncate = req.bool("truncate", true);

    if (!ModelName.isValid(rawModel)) {
      // Ollama answers 404 here, keeping an old quirk (see its GenerateHandler)
      throw notFound(rawModel);
    }
    ctx.stats.recordModel(ModelName.normalize(rawModel));
    SimulatedModel model = ctx.registry.find(rawModel).orElseThrow(() -> notFound(rawModel));

    if (prompt.isEmpty() && requestedKeepAlive != null && requestedKeepAlive.isZero()) {
      ctx.scheduler.unload(model);
      ObjectNode unloaded = generateHead(rawModel).put("response", "").put("done", true);
      HttpIo.sendJson(exchange, ctx.mapper, 200, unloaded.put("done_reason", "unload"));
      return;
    }
    if (raw
        && (!template.isEmpty() || !system.isEmpty() || (context != null && !context.isEmpty()))) {
      throw new ApiException(400, "raw mode does not support template, system, or context");
    }
    boolean think = checkThink(model, rawModel, thinkNode);
    if (!model.has(Capability.COMPLETION)) {
      throw new ApiException(400, WireFormat.goQuote(rawModel) + " does not support generate");
    }
    if (!suffix.isEmpty() && !model.has(Capability.INSERT)) {
      throw missingCapability(model, "insert");
    }
    SamplingOptions options = SamplingOptions.parse(optionsNode, ctx.config.defaultNumCtx());
    RunnerOptions runnerOptions = RunnerOptions.parse(optionsNode, ctx.config.defaultNumCtx());
    JsonNode formatNode = req.node("format");
    String rendered = raw ? prompt : PromptRenderer.generate(model, system, prompt);
    List<String> promptTokens = Tokenizer.tokenize(rendered + suffix);
    Job job =
        new Job(
            rawModel,
            model,
            false,
            stream,
            raw,
            think,
            requestedKeepAlive,
            options,
            runnerOptions,
            format(formatNode),
            formatError(formatNode),
            prompt,
            system + "\u0000" + suffix + "\u0000" + options.answerSalt(),
            prompt,
            promptTokens,
            prompt.isEmpty(),
            start,
            false,
            logprobs,
            topLogprobs,
            truncate);
    run(exchange, job, faults);
  }

  /** Serves {@code POST /api/chat}. */
  void chat(HttpExchange exchange, byte[] body, FaultPlan faults) throws IOException {
    long start = System.nanoTime();
    RequestBody req = RequestBody.parse(ctx.mapper, body, CHAT);
    String rawModel = req.string("model");
    List<Message> messages = messages(req);
    ArrayNode tools = req.array("tools", "[]api.Tool");
    boolean stream = req.bool("stream", true);
    Duration requestedKeepAlive = GoDuration.keepAlive(req.node("keep_alive"), CHAT);
    JsonNode thinkNode = thinkValue(req);
    ObjectNode optionsNode = req.object("options", "map[string]interface {}");
    boolean logprobs = req.bool("logprobs", false);
    int topLogprobs = topLogprobs(req);
    boolean truncate = req.bool("truncate", true);

    if (!ModelName.isValid(rawModel)) {
      throw new ApiException(400, "model is required");
    }
    ctx.stats.recordModel(ModelName.normalize(rawModel));
    SimulatedModel model = ctx.registry.find(rawModel).orElseThrow(() -> notFound(rawModel));

    if (messages.isEmpty() && requestedKeepAlive != null && requestedKeepAlive.isZero()) {
      ctx.scheduler.unload(model);
      ObjectNode unloaded = chatHead(rawModel, "", null).put("done_reason", "unload");
      HttpIo.sendJson(exchange, ctx.mapper, 200, unloaded.put("done", true));
      return;
    }
    boolean think = checkThink(model, rawModel, thinkNode);
    if (!model.has(Capability.COMPLETION)) {
      throw new ApiException(400, WireFormat.goQuote(rawModel) + " does not support chat");
    }
    if (tools != null && !tools.isEmpty() && !model.has(Capability.TOOLS)) {
      throw missingCapability(model, "tools");
    }
    SamplingOptions options = SamplingOptions.parse(optionsNode, ctx.config.defaultNumCtx());
    RunnerOptions runnerOptions = RunnerOptions.parse(optionsNode, ctx.config.defaultNumCtx());
    JsonNode formatNode = req.node("format");

    String lastUser = "";
    StringBuilder conversation = new StringBuilder();
    List<PromptRenderer.Turn> turns = new ArrayList<>();
    for (Message message : messages) {
      turns.add(new PromptRenderer.Turn(message.role(), message.content()));
      conversation.append(message.role()).append(':').append(message.content()).append('\n');
      if ("user".equals(message.role())) {
        lastUser = message.content();
      }
    }
    if (!messages.isEmpty()
        && (lastUser.isEmpty() || "tool".equals(messages.get(messages.size() - 1).role()))) {
      // after a tool result the model answers that result (canned answers can script it)
      lastUser = messages.get(messages.size() - 1).content();
    }
    List<String> promptTokens = Tokenizer.tokenize(PromptRenderer.chat(model, turns));
    Job job =
        new Job(
            rawModel,
            model,
            true,
            stream,
            false,
            think,
            requestedKeepAlive,
            options,
            runnerOptions,
            format(formatNode),
            formatError(formatNode),
            lastUser,
            conversation + "\u0000" + options.answerSalt(),
            conversation.toString(),
            promptTokens,
            messages.isEmpty(),
            start,
            tools != null && !tools.isEmpty(),
            logprobs,
            topLogprobs,
            truncate);
    run(exchange, job, faults);
  }

  private void run(HttpExchange exchange, Job job, FaultPlan faults) throws IOException {
    InferenceSlot slot =
        InferenceSlot.open(ctx, job.model(), job.runnerOptions(), job.keepAlive(), !job.loadOnly());
    try {
      // load_duration: from the request's start until it had its runner (Ollama v0.13.5
      // server/routes.go GenerateHandler/ChatHandler, checkpointStart to checkpointLoaded); a
      // wait for a busy slot comes later and shows in total_duration only
      long loadNanos = slot.loadedAt() - job.startNanos();
      ResponseStream out = new ResponseStream(exchange, ctx.mapper, faults, ctx.pacer);
      if (job.loadOnly()) {
        slot.release();
        out.whole(200, loaded(job));
      } else if (job.formatError() != null) {
        slot.release();
        fail(job, out, 500, job.formatError());
      } else if (!job.truncate()
          && job.promptTokens().size()
              > Math.min(job.runnerOptions().numCtx(), job.model().contextLength())) {
        // the runner refuses the sequence with 400 and the handler passes status and text on
        slot.release();
        fail(job, out, 400, EmbedHandler.INPUT_TOO_LONG);
      } else {
        emit(job, out, faults, loadNanos, slot);
      }
    } finally {
      slot.release();
    }
  }

  /** An error from the runner: Ollama reports it through the stream, or whole. */
  private static void fail(Job job, ResponseStream out, int status, String message)
      throws IOException {
    if (job.stream()) {
      out.streamError(status, message);
    } else {
      out.error(status, message);
    }
  }

  private void emit(
      Job job, ResponseStream out, FaultPlan faults, long loadNanos, InferenceSlot slot)
      throws IOException {
    SimulatedModel model = job.model();
    String thinkingText =
        job.think() ? ctx.answers.thinking(model, job.promptKey(), job.promptContext()) : "";
    String answer = ctx.answers.answer(model, job.promptKey(), job.promptContext(), job.format());
    ArrayNode toolCalls = null;
    if (ScriptedToolCalls.isScripted(answer)) {
      if (job.chat() && job.tools()) {
        toolCalls = ScriptedToolCalls.wire(ctx.mapper, answer, job.promptContext());
      }
      answer = ScriptedToolCalls.text(answer);
    }
    List<String> promptTokens = job.promptTokens();
    CompletionPlan plan =
        CompletionPlan.of(thinkingText, answer, job.options(), promptTokens.size());

    ctx.pacer.sleep(faults.slowFirstToken());
    faults.passGate(ctx.pacer, ctx.config.maxHold());
    long t0 = System.nanoTime();
    // the runner's prompt cache: only tokens after the shared prefix are evaluated, while
    // prompt_eval_count still counts them all (numPromptInputs in Ollama v0.13.5
    // runner/ollamarunner/runner.go)
    int uncached = Math.max(1, plan.promptTokens() - slot.cachedPrefix(promptTokens));
    long promptNanos =
        ctx.pacer.scaled(model.timeToFirstToken())
            + ctx.pacer.scaled(
                Duration.ofNanos(Math.round(uncached * 1e9 / model.promptTokensPerSecond())));
    List<String> held = new ArrayList<>(promptTokens);
    held.addAll(plan.thinking());
    held.addAll(plan.content());
    slot.remember(held);
    long perToken = ctx.pacer.scaled(Duration.ofNanos(Math.round(1e9 / model.tokensPerSecond())));
    int n = plan.evalCount();
    if (job.stream()) {
      long deadline = t0 + promptNanos;
      for (int i = 0; i < n; i++) {
        ctx.pacer.sleepUntil(deadline);
        ObjectNode chunk = chunk(job, plan, i, toolCalls != null);
        if (chunk != null && !out.line(chunk, false)) {
          return;
        }
        // pace from the later of plan and actual write, so a slow write never causes a burst
        deadline = Math.max(deadline, System.nanoTime()) + perToken;
      }
      ctx.pacer.sleepUntil(deadline);
      // Ollama's tool parser holds the call's tokens back and sends the calls in one chunk
      if (toolCalls != null && !out.line(toolCallChunk(job, toolCalls), false)) {
        return;
      }
      ObjectNode last = finalChunk(job, plan, false, loadNanos, promptNanos, n * perToken, null);
      slot.release();
      out.line(last, true);
    } else {
      ctx.pacer.sleepUntil(t0 + promptNanos + n * perToken);
      ObjectNode whole =
          finalChunk(job, plan, true, loadNanos, promptNanos, n * perToken, toolCalls);
      slot.release();
      out.whole(200, whole);
    }
  }

  /**
   * The chunk of the token at {@code index}, or null when there is nothing to send: a tool call's
   * tokens are held back, and only their log probabilities go out (in chunks with empty content),
   * as Ollama does.
   */
  private ObjectNode chunk(Job job, CompletionPlan plan, int index, boolean toolCall) {
    String token = plan.token(index);
    boolean thinking = plan.isThinking(index);
    boolean held = toolCall && !thinking;
    if (held && !job.logprobs()) {
      return null;
    }
    String content = thinking || held ? "" : token;
    ObjectNode chunk;
    if (job.chat()) {
      chunk = chatHead(job.rawModel(), content, thinking ? token : null).put("done", false);
    } else {
      chunk = generateHead(job.rawModel()).put("response", content);
      if (thinking) {
        chunk.put("thinking", token);
      }
      chunk.put("done", false);
    }
    if (job.logprobs()) {
      chunk
          .putArray("logprobs")
          .add(
              SimulatedLogprobs.entry(
                  ctx.mapper, token, job.topLogprobs(), job.promptContext(), index));
    }
    return chunk;
  }

  private ObjectNode toolCallChunk(Job job, ArrayNode toolCalls) {
    ObjectNode chunk = chatHead(job.rawModel(), "", null);
    ((ObjectNode) chunk.get("message")).set("tool_calls", toolCalls);
    return chunk.put("done", false);
  }

  private ObjectNode finalChunk(
      Job job,
      CompletionPlan plan,
      boolean whole,
      long loadNanos,
      long promptNanos,
      long evalNanos,
      ArrayNode toolCalls) {
    String thinking = whole && !plan.thinking().isEmpty() ? plan.thinkingText() : null;
    String content = whole && toolCalls == null ? plan.contentText() : "";
    ObjectNode last;
    if (job.chat()) {
      last = chatHead(job.rawModel(), content, thinking);
      if (toolCalls != null) {
        ((ObjectNode) last.get("message")).set("tool_calls", toolCalls);
      }
      last.put("done_reason", plan.doneReason()).put("done", true);
    } else {
      last = generateHead(job.rawModel()).put("response", content);
      if (thinking != null) {
        last.put("thinking", thinking);
      }
      last.put("done", true).put("done_reason", plan.doneReason());
      if (!job.raw()) {
        last.set("context", contextTokens(job.promptText() + plan.contentText(), plan));
      }
    }
    if (whole && job.logprobs()) {
      // a whole answer gathers the log probabilities of every chunk
      ArrayNode logprobs = last.putArray("logprobs");
      for (int i = 0; i < plan.evalCount(); i++) {
        logprobs.add(
            SimulatedLogprobs.entry(
                ctx.mapper, plan.token(i), job.topLogprobs(), job.promptContext(), i));
      }
    }
    long total =
        Math.max(System.nanoTime() - job.startNanos(), loadNanos + promptNanos + evalNanos);
    putPositive(last, "total_duration", total);
    putPositive(last, "load_duration", loadNanos);
    putPositive(last, "prompt_eval_count", plan.promptTokens());
    putPositive(last, "prompt_eval_duration", promptNanos);
    putPositive(last, "eval_count", plan.evalCount());
    putPositive(last, "eval_duration", evalNanos);
    return last;
  }

  private ObjectNode loaded(Job job) {
    if (job.chat()) {
      ObjectNode node = chatHead(job.rawModel(), "", null).put("done_reason", "load");
      return node.put("done", true);
    }
    return generateHead(job.rawModel())
        .put("response", "")
        .put("done", true)
        .put("done_reason", "load");
  }

  private ObjectNode generateHead(String rawModel) {
    return ctx.mapper.createObjectNode().put("model", rawModel).put("created_at", WireFormat.now());
  }

  private ObjectNode chatHead(String rawModel, String content, String thinking) {
    ObjectNode node = generateHead(rawModel);
    ObjectNode message = node.putObject("message").put("role", "assistant").put("content", content);
    if (thinking != null) {
      message.put("thinking", thinking);
    }
    return node;
  }

  /** Stand-in token ids for the deprecated {@code context} field: stable, one per token. */
  private ArrayNode contextTokens(String text, CompletionPlan plan) {
    ArrayNode ids = ctx.mapper.createArrayNode();
    List<String> tokens = Tokenizer.tokenize(text);
    int keep = Math.min(tokens.size(), plan.promptTokens() + plan.content().size());
    for (String token : tokens.subList(tokens.size() - keep, tokens.size())) {
      ids.add(1 + Math.floorMod(Hashing.fnv64(token), 151_000L));
    }
    return ids;
  }

  private static void putPositive(ObjectNode node, String field, long value) {
    // Ollama's metrics are omitempty: zero values are left out
    if (value > 0) {
      node.put(field, value);
    }
  }

  private static List<Message> messages(RequestBody req) {
    ArrayNode array = req.array("messages", "[]api.Message");
    if (array == null) {
      return List.of();
    }
    List<Message> messages = new ArrayList<>();
    for (JsonNode item : array) {
      if (!item.isObject()) {
        throw new ApiException(
            400,
            "json: cannot unmarshal "
                + RequestBody.goType(item)
                + " into Go struct field ChatRequest.messages of type api.Message");
      }
      JsonNode role = RequestBody.field((ObjectNode) item, "role");
      JsonNode content = RequestBody.field((ObjectNode) item, "content");
      if (role != null && !role.isNull() && !role.isTextual()) {
        throw fieldMismatch("role", role);
      }
      if (content != null && !content.isNull() && !content.isTextual()) {
        throw fieldMismatch("content", content);
      }
      messages.add(
          new Message(
              role == null ? "" : role.asText(""), content == null ? "" : content.asText("")));
    }
    return messages;
  }

  private static ApiException fieldMismatch(String field, JsonNode node) {
    return new ApiException(
        400,
        "json: cannot unmarshal "
            + RequestBody.goType(node)
            + " into Go struct field ChatRequest.messages."
            + field
            + " of type string");
  }

  /** {@code top_logprobs}, checked first as Ollama does (0 to 20). */
  private static int topLogprobs(RequestBody req) {
    int top = req.integer("top_logprobs", 0);
    if (top < 0 || top > 20) {
      throw new ApiException(400, "top_logprobs must be between 0 and 20");
    }
    return top;
  }

  private static JsonNode thinkValue(RequestBody req) {
    JsonNode node = req.node("think");
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isBoolean() && !node.isTextual()) {
      throw req.mismatch("think", node, "api.ThinkValue");
    }
    return node;
  }

  /** Whether to think, after Ollama's checks of the {@code think} value against the model. */
  private static boolean checkThink(SimulatedModel model, String rawModel, JsonNode think) {
    if (think != null && think.isTextual()) {
      // string levels are only for gpt-oss style models, which the simulator does not model
      throw new ApiException(
          400,
          "think value " + WireFormat.goQuote(think.asText()) + " is not supported for this model");
    }
    boolean thinkingModel = model.has(Capability.THINKING);
    if (!thinkingModel && think != null && think.asBoolean()) {
      throw new ApiException(400, WireFormat.goQuote(rawModel) + " does not support thinking");
    }
    // a thinking model thinks unless told not to
    return thinkingModel && (think == null || think.asBoolean());
  }

  private static JsonNode format(JsonNode node) {
    if (node == null || node.isNull()) {
      return null;
    }
    if (node.isTextual()) {
      return "json".equals(node.asText()) ? node : null;
    }
    return node.isObject() ? node : null;
  }

  private String formatError(JsonNode node) {
    if (node == null || node.isNull() || node.isObject()) {
      return null;
    }
    if (node.isTextual() && (node.asText().isEmpty() || "json".equals(node.asText()))) {
      return null;
    }
    String rawJson = new String(HttpIo.bytes(ctx.mapper, node), StandardCharsets.UTF_8);
    return "invalid format: "
        + WireFormat.goQuote(rawJson)
        + "; expected \"json\" or a valid JSON Schema object";
  }

  private static ApiException notFound(String rawModel) {
    return new ApiException(404, "model '" + rawModel + "' not found");
  }

  private static ApiException missingCapability(SimulatedModel model, String capability) {
    return new ApiException(
        400, ModelName.fullName(model.name()) + " does not support " + capability);
  }
}
