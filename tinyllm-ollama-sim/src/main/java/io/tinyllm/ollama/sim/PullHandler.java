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
    ResponseStream out = new ResponseStream(exchange, ctx.mapper, faults, ctx.pacer);
    ctx.pacer.sleep(faults.slowFirstToken());
    ProgressSink progress = new ProgressSink(out, ctx.mapper, stream);
    if (pull(progress, rawName)) {
      progress.finish("success");
    }
  }

  /**
   * Reports the pull of {@code rawName} up to, not including, its {@code success}, and installs the
   * model; on an unknown name reports the error instead.
   *
   * @return whether the model is now installed (false: the answer has ended)
   */
  boolean pull(ProgressSink progress, String rawName) throws IOException {
    if (!progress.status("pulling manifest")) {
      return false;
    }
    Optional<SimulatedModel> found = ctx.registry.pullable(rawName);
    if (found.isEmpty()) {
      // Ollama's streamResponse and waitForStream answer a failed pull with 500
      progress.fail(500, NOT_FOUND);
      return false;
    }
    SimulatedModel model = found.get();
    long step = ctx.pacer.scaled(ctx.config.pullStepDelay());
    int steps = ctx.config.pullSteps();
    for (ModelLayers.Layer layer : ModelLayers.of(model)) {
      String digest = layer.digest();
      for (int i = 0; i <= steps; i++) {
        ctx.pacer.sleepNanos(step);
        ObjectNode line =
            ctx.mapper
                .createObjectNode()
                .put("status", "pulling " + digest.substring(7, 19))
                .put("digest", digest)
                .put("total", layer.size());
        long completed = layer.size() * i / steps;
        if (completed > 0) {
          // Ollama leaves "completed" out until some bytes arrived (omitempty)
          line.put("completed", completed);
        }
        if (!progress.send(line)) {
          return false;
        }
      }
    }
    for (String status : List.of("verifying sha256 digest", "writing manifest")) {
      ctx.pacer.sleepNanos(step);
      if (!progress.status(status)) {
        return false;
      }
    }
    ctx.registry.install(model);
    return true;
  }
}
