package io.tinyllm.ollama.sim;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;

/**
 * The non-inference endpoints: {@code /}, {@code /api/version}, {@code /api/tags}, {@code /api/ps},
 * {@code /api/show} and {@code /api/delete}, with Ollama's field names and error texts.
 */
final class ModelInfoHandler {
  private final SimulatorContext ctx;

  ModelInfoHandler(SimulatorContext ctx) {
    this.ctx = requireNonNull(ctx, "ctx is null");
  }

  /** Serves {@code GET|HEAD /}. */
  void root(HttpExchange exchange) throws IOException {
    HttpIo.sendText(exchange, 200, "Ollama is running");
  }

  /** Serves {@code GET|HEAD /api/version}. */
  void version(HttpExchange exchange, FaultPlan faults) throws IOException {
    ObjectNode version = ctx.mapper.createObjectNode().put("version", ctx.config.version());
    respond(exchange, faults, version);
  }

  /** Serves {@code GET|HEAD /api/tags}. */
  void tags(HttpExchange exchange, FaultPlan faults) throws IOException {
    ObjectNode answer = ctx.mapper.createObjectNode();
    ArrayNode models = answer.putArray("models");
    for (ModelRegistry.Installed installed : ctx.registry.installed()) {
      SimulatedModel model = installed.model();
      ObjectNode entry =
          models
              .addObject()
              .put("name", model.name())
              .put("model", model.name())
              .put("modified_at", WireFormat.timestamp(installed.modifiedAt()))
              .put("size", model.sizeBytes())
              .put("digest", model.digest());
      entry.set("details", details(model));
    }
    respond(exchange, faults, answer);
  }

  /** Serves {@code GET /api/ps}. */
  void ps(HttpExchange exchange, FaultPlan faults) throws IOException {
    ObjectNode answer = ctx.mapper.createObjectNode();
    ArrayNode models = answer.putArray("models");
    for (Scheduler.Running running : ctx.scheduler.running()) {
      SimulatedModel model = running.model();
      ObjectNode entry =
          models
              .addObject()
              .put("name", model.name())
              .put("model", model.name())
              .put("size", model.vramBytes())
              .put("digest", model.digest());
      entry.set("details", details(model));
      entry
          .put("expires_at", WireFormat.timestamp(running.expiresAt()))
          .put("size_vram", running.sizeVram())
          .put("context_length", running.contextLength());
    }
    respond(exchange, faults, answer);
  }

  /** Serves {@code POST /api/show}. */
  void show(HttpExchange exchange, byte[] body, FaultPlan faults) throws IOException {
    RequestBody req = RequestBody.parse(ctx.mapper, body, "ShowRequest");
    String rawModel = req.string("model").isEmpty() ? req.string("name") : req.string("model");
    req.bool("verbose", false);
    if (rawModel.isEmpty()) {
      throw new ApiException(400, "model is required");
    }
    if (ModelName.isValid(rawModel)) {
      ctx.stats.recordModel(ModelName.normalize(rawModel));
    }
    SimulatedModel model =
        ctx.registry
            .find(rawModel)
            .orElseThrow(() -> new ApiException(404, "model '" + rawModel + "' not found"));
    ObjectNode answer =
        ctx.mapper
            .createObjectNode()
            .put("license", model.license())
            .put("modelfile", modelfile(model))
            .put("parameters", model.parameters())
            .put("template", model.template());
    if (!model.system().isEmpty()) {
      answer.put("system", model.system()); // omitempty in api.ShowResponse
    }
    answer.set("details", details(model));
    ObjectNode info = answer.putObject("model_info");
    String arch = model.family();
    info.put("general.architecture", arch)
        .put("general.file_type", 15)
        .put("general.parameter_count", model.parameterCount())
        .put("general.quantization_version", 2)
        .put(arch + ".context_length", model.contextLength())
        .put(arch + ".embedding_length", model.embeddingLength());
    ArrayNode capabilities = answer.putArray("capabilities");
    for (Capability capability : model.capabilities()) {
      capabilities.add(capability.wireName());
    }
    ctx.registry.installed().stream()
        .filter(i -> i.model().name().equals(model.name()))
        .findFirst()
        .ifPresent(i -> answer.put("modified_at", WireFormat.timestamp(i.modifiedAt())));
    respond(exchange, faults, answer);
  }

  /** Serves {@code DELETE /api/delete}: 200 with an empty body, or 404. */
  void delete(HttpExchange exchange, byte[] body, FaultPlan faults) throws IOException {
    RequestBody req = RequestBody.parse(ctx.mapper, body, "DeleteRequest");
    String rawModel = req.string("model").isEmpty() ? req.string("name") : req.string("model");
    if (!ModelName.isValid(rawModel)) {
      throw new ApiException(400, "name " + WireFormat.goQuote(rawModel) + " is invalid");
    }
    ctx.stats.recordModel(ModelName.normalize(rawModel));
    if (faults.dropAfter() >= 0) {
      throw new AbortConnectionException("injected connection drop");
    }
    ctx.scheduler.forget(rawModel);
    if (!ctx.registry.remove(rawModel)) {
      throw new ApiException(404, "model '" + rawModel + "' not found");
    }
    HttpIo.sendEmpty(exchange, 200);
  }

  /**
   * Serves {@code POST /api/copy}: 200 with an empty body; 400 for an invalid name, 404 when the
   * source is not installed (Ollama's texts, {@code %q}-quoted).
   */
  void copy(HttpExchange exchange, byte[] body, FaultPlan faults) throws IOException {
    RequestBody req = RequestBody.parse(ctx.mapper, body, "CopyRequest");
    String source = req.string("source");
    String destination = req.string("destination");
    if (!ModelName.isValid(source)) {
      throw new ApiException(400, "source " + WireFormat.goQuote(source) + " is invalid");
    }
    if (!ModelName.isValid(destination)) {
      throw new ApiException(400, "destination " + WireFormat.goQuote(destination) + " is invalid");
    }
    ctx.stats.recordModel(ModelName.normalize(source));
    if (faults.dropAfter() >= 0) {
      throw new AbortConnectionException("injected connection drop");
    }
    SimulatedModel model =
        ctx.registry
            .find(source)
            .orElseThrow(
                () -> new ApiException(404, "model " + WireFormat.goQuote(source) + " not found"));
    ctx.registry.install(model.copiedAs(ModelName.normalize(destination)));
    HttpIo.sendEmpty(exchange, 200);
  }

  private void respond(HttpExchange exchange, FaultPlan faults, ObjectNode answer)
      throws IOException {
    ctx.pacer.sleep(faults.slowFirstToken());
    new ResponseStream(exchange, ctx.mapper, faults, ctx.pacer).whole(200, answer);
  }

  private ObjectNode details(SimulatedModel model) {
    ObjectNode details =
        ctx.mapper
            .createObjectNode()
            .put("parent_model", "")
            .put("format", "gguf")
            .put("family", model.family());
    details.putArray("families").add(model.family());
    return details
        .put("parameter_size", model.parameterSize())
        .put("quantization_level", model.quantizationLevel());
  }

  private static String modelfile(SimulatedModel model) {
    StringBuilder text =
        new StringBuilder()
            .append("# Modelfile generated by \"ollama show\"\n")
            .append("# To build a new Modelfile based on this, replace FROM with:\n")
            .append("# FROM ")
            .append(model.name())
            .append("\n\n")
            .append("FROM /root/.ollama/models/blobs/sha256-")
            .append(model.digest())
            .append('\n')
            .append("TEMPLATE \"\"\"")
            .append(model.template())
            .append("\"\"\"\n");
    if (!model.system().isEmpty()) {
      text.append("SYSTEM \"\"\"").append(model.system()).append("\"\"\"\n");
    }
    for (String line : model.parameters().split("\n")) {
      if (!line.isBlank()) {
        String[] kv = line.trim().split("\\s+", 2);
        text.append("PARAMETER ").append(kv[0]).append(' ').append(kv.length > 1 ? kv[1] : "");
        text.append('\n');
      }
    }
    return text.append("LICENSE \"\"\"").append(model.license()).append("\"\"\"\n").toString();
  }
}
