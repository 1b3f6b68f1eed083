package io.tinyllm.ollama.sim;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * {@code POST /api/pull}: streams Ollama's progress lines ({@code pulling manifest}, then per layer
 * {@code pulling <digest prefix>} with {@code digest}, {@code total} and a rising {@code
 * completed}, then {@code verifying sha256 digest}, {@code writing manifest}, {@code success}) and
 * installs the model. An unknown name fails after {@code pulling manifest} with Ollama's error;
 * with {@code "stream": false} only the last status (or the error with status 500) is sent.
 */
final class PullHandler {
  /** Ollama's error when the registry has no such model. */
  static final String NOT_FOUND = "pull model manifest: file does not exist";

  private final SimulatorContext ctx;

  PullHandler(SimulatorContext ctx) {
    this.ctx = requireNonNull(ctx, "ctx is null");
  }

  /** A layer of a simulated model: name for the digest and size in bytes. */
  private record Layer(String kind, long size) {}

  /** Serves {@code POST /api/pull}. */
  void pull(HttpExchange exchange, byte[] body, FaultPlan faults) throws IOException {
    RequestBody req = RequestBody.parse(ctx.mapper, body, "PullRequest");
    String rawName = req.string("model").isEmpty() ? req.string("name") : req.string("model");
    boolean stream = req.bool("stream", true);
    req.bool("insecure", false);
    if (!ModelName.isValid(rawName)) {
      throw new ApiException(400, "invalid model name");
    }
    ctx.stats.recordModel(ModelName.normalize(rawName));
    Optional<SimulatedModel> found = ctx.registry.pullable(rawName);
    ResponseStream out = new ResponseStream(exchange, ctx.mapper, faults, ctx.pacer);
    ctx.pacer.sleep(faults.slowFirstToken());
    long step = ctx.pacer.scaled(ctx.config.pullStepDelay());
    if (!stream) {
      if (found.isEmpty()) {
        // Ollama's waitForStream answers a failed pull with 500
        out.progressWhole(500, HttpIo.error(ctx.mapper, NOT_FOUND));
        return;
      }
      int lines = 3 + layers(found.get()).size() * (ctx.config.pullSteps() + 1);
      ctx.pacer.sleepNanos(step * lines);
      ctx.registry.install(found.get());
      out.progressWhole(200, status("success"));
      return;
    }
    if (!out.line(status("pulling manifest"), false)) {
      return;
    }
    if (found.isEmpty()) {
      out.streamError(500, NOT_FOUND);
      return;
    }
    SimulatedModel model = found.get();
    int steps = ctx.config.pullSteps();
    for (Layer layer : layers(model)) {
      String digest = "sha256:" + Hashing.sha256Hex(model.digest() + "/" + layer.kind());
      for (int i = 0; i <= steps; i++) {
        ctx.pacer.sleepNanos(step);
        ObjectNode progress =
            status("pulling " + digest.substring(7, 19))
                .put("digest", digest)
                .put("total", layer.size());
        long completed = layer.size() * i / steps;
        if (completed > 0) {
          // Ollama leaves "completed" out until some bytes arrived (omitempty)
          progress.put("completed", completed);
        }
        if (!out.line(progress, false)) {
          return;
        }
      }
    }
    for (String status : List.of("verifying sha256 digest", "writing manifest")) {
      ctx.pacer.sleepNanos(step);
      if (!out.line(status(status), false)) {
        return;
      }
    }
    ctx.registry.install(model);
    out.line(status("success"), true);
  }

  private ObjectNode status(String status) {
    return ctx.mapper.createObjectNode().put("status", status);
  }

  private static List<Layer> layers(SimulatedModel model) {
    long small = 11_343 + 1_482 + 120;
    return List.of(
        new Layer("model", Math.max(1, model.sizeBytes() - small)),
        new Layer("template", 1_482),
        new Layer("license", 11_343),
        new Layer("params", 120));
  }
}
