package io.tinyllm.ollama.sim;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code POST /api/embed} (current: {@code input} string or list, normalized vectors, statistics)
 * and {@code POST /api/embeddings} (legacy: {@code prompt}, one raw vector). Both load the model
 * first and, for a model without the embedding capability, fail after loading, as Ollama's runner
 * does.
 */
final class EmbedHandler {
  /** The runner's answer to an input longer than the context with {@code truncate: false}. */
  static final String INPUT_TOO_LONG = "the input length exceeds the context length";

  /** The runner's answer when a model cannot embed (Ollama answers 501 on /api/embed). */
  static final String CANNOT_EMBED = "this model does not support embeddings";

  private final SimulatorContext ctx;

  EmbedHandler(SimulatorContext ctx) {
    this.ctx = requireNonNull(ctx, "ctx is null");
  }

  /** Serves {@code POST /api/embed}. */
  void embed(HttpExchange exchange, byte[] body, FaultPlan faults) throws IOException {
    long start = System.nanoTime();
    RequestBody req = RequestBody.parse(ctx.mapper, body, "EmbedRequest");
    String rawModel = req.string("model");
    Duration requestedKeepAlive = GoDuration.keepAlive(req.node("keep_alive"), "EmbedRequest");
    int dimensions = req.integer("dimensions", 0);
    boolean truncate = req.bool("truncate", true);
    ObjectNode optionsNode = req.object("options", "map[string]interface {}");
    List<String> inputs = inputs(req.node("input"));

    if (!ModelName.isValid(rawModel)) {
      throw new ApiException(400, "model is required");
    }
    ctx.stats.recordModel(ModelName.normalize(rawModel));
    // the scheduler's answer (handleScheduleError in Ollama v0.13.5 server/routes.go)
    SimulatedModel model = ctx.registry.find(rawModel).orElseThrow(() -> notPulled(rawModel));
    // options are checked once the model is known, as Ollama's scheduleRunner does
    RunnerOptions options = RunnerOptions.parse(optionsNode, ctx.config.defaultNumCtx());

    ResponseStream out = new ResponseStream(exchange, ctx.mapper, faults, ctx.pacer);
    InferenceSlot slot = InferenceSlot.open(ctx, model, options, requestedKeepAlive, true);
    try {
      long loadNanos =
          slot.loadedAt() - start; // as EmbedHandler (v0.13.5): until it had the runner
      ObjectNode answer = ctx.mapper.createObjectNode().put("model", rawModel);
      if (inputs.isEmpty()) {
        answer.putArray("embeddings");
        slot.release();
        out.whole(200, answer);
        return;
      }
      if (!model.has(Capability.EMBEDDING)) {
        throw new ApiException(501, CANNOT_EMBED);
      }
      int tokens = 0;
      int context = Math.min(options.numCtx(), model.contextLength());
      ArrayNode embeddings = answer.putArray("embeddings");
      for (String input : inputs) {
        int count = Tokenizer.count(input);
        if (count > context && !truncate) {
          // the runner refuses with 400 and the handler passes its status and text on
          throw new ApiException(400, INPUT_TOO_LONG);
        }
        // else the input is cut to the context (the runner's context size, at most the model's)
        tokens += Math.min(count, context);
        float[] vector = Embedder.truncate(Embedder.embed(model, input), dimensions);
        ArrayNode values = embeddings.addArray();
        for (float v : vector) {
          values.add(v);
        }
      }
      ctx.pacer.sleep(faults.slowFirstToken());
      faults.passGate(ctx.pacer, ctx.config.maxHold());
      ctx.pacer.sleepNanos(evaluation(model, tokens));
      answer.put("total_duration", System.nanoTime() - start);
      answer.put("load_duration", loadNanos);
      answer.put("prompt_eval_count", tokens);
      slot.release();
      out.whole(200, answer);
    } finally {
      slot.release();
    }
  }

  /** Serves {@code POST /api/embeddings}. */
  void embeddings(HttpExchange exchange, byte[] body, FaultPlan faults) throws IOException {
    RequestBody req = RequestBody.parse(ctx.mapper, body, "EmbeddingRequest");
    String rawModel = req.string("model");
    String prompt = req.string("prompt");
    Duration requestedKeepAlive = GoDuration.keepAlive(req.node("keep_alive"), "EmbeddingRequest");
    ObjectNode optionsNode = req.object("options", "map[string]interface {}");

    if (!ModelName.isValid(rawModel)) {
      throw new ApiException(400, "model is required");
    }
    ctx.stats.recordModel(ModelName.normalize(rawModel));
    SimulatedModel model = ctx.registry.find(rawModel).orElseThrow(() -> notPulled(rawModel));
    RunnerOptions options = RunnerOptions.parse(optionsNode, ctx.config.defaultNumCtx());

    ResponseStream out = new ResponseStream(exchange, ctx.mapper, faults, ctx.pacer);
    InferenceSlot slot = InferenceSlot.open(ctx, model, options, requestedKeepAlive, true);
    try {
      ObjectNode answer = ctx.mapper.createObjectNode();
      ArrayNode values = answer.putArray("embedding");
      if (!prompt.isEmpty()) {
        if (!model.has(Capability.EMBEDDING)) {
          // the legacy handler turns every runner error into a 500
          throw new ApiException(500, CANNOT_EMBED);
        }
        for (float v : Embedder.raw(model, prompt)) {
          values.add((double) v);
        }
        ctx.pacer.sleep(faults.slowFirstToken());
        faults.passGate(ctx.pacer, ctx.config.maxHold());
        ctx.pacer.sleepNanos(
            evaluation(model, Math.min(Tokenizer.count(prompt), model.contextLength())));
      }
      slot.release();
      out.whole(200, answer);
    } finally {
      slot.release();
    }
  }

  private static ApiException notPulled(String rawModel) {
    return new ApiException(
        404, "model " + WireFormat.goQuote(rawModel) + " not found, try pulling it first");
  }

  /** Simulated evaluation time: the time to first token plus one token time per token. */
  private long evaluation(SimulatedModel model, int tokens) {
    long perToken = ctx.pacer.scaled(Duration.ofNanos(Math.round(1e9 / model.tokensPerSecond())));
    return ctx.pacer.scaled(model.timeToFirstToken()) + tokens * perToken;
  }

  private static List<String> inputs(JsonNode input) {
    List<String> inputs = new ArrayList<>();
    if (input == null || input.isNull()) {
      return inputs;
    }
    if (input.isTextual()) {
      if (!input.asText().isEmpty()) {
        inputs.add(input.asText());
      }
      return inputs;
    }
    if (!input.isArray()) {
      throw new ApiException(400, "invalid input type");
    }
    for (JsonNode item : input) {
      if (!item.isTextual()) {
        throw new ApiException(400, "invalid input type");
      }
      inputs.add(item.asText());
    }
    return inputs;
  }
}
