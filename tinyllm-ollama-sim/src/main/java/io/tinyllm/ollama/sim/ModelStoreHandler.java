package io.tinyllm.ollama.sim;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The endpoints that change the model store, with the texts and status lines of Ollama v0.13.5
 * (server/routes.go, server/create.go, server/images.go): {@code POST /api/copy}, {@code POST
 * /api/create} from an installed or pullable model, {@code POST /api/push} (the simulator has no
 * registry: the push fails as an Ollama without network access does) and {@code HEAD|POST
 * /api/blobs/:digest}.
 */
final class ModelStoreHandler {
  /** Where Ollama keeps its models in its container image; appears in its error texts. */
  static final String MODELS_DIR = "/root/.ollama/models";

  private static final Pattern DIGEST = Pattern.compile("sha256[:-][0-9a-fA-F]{64}");

  private final SimulatorContext ctx;
  private final PullHandler pulls;

  ModelStoreHandler(SimulatorContext ctx, PullHandler pulls) {
    this.ctx = requireNonNull(ctx, "ctx is null");
    this.pulls = requireNonNull(pulls, "pulls is null");
  }

  /** Serves {@code POST /api/copy}: 200 with an empty body. */
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
    SimulatedModel model =
        ctx.registry
            .find(source)
            .orElseThrow(
                () -> new ApiException(404, "model " + WireFormat.goQuote(source) + " not found"));
    ctx.pacer.sleep(faults.slowFirstToken());
    if (!ModelName.normalize(source).equals(ModelName.normalize(destination))) {
      // the manifest is copied: same layers, same digest
      ctx.registry.install(model.toBuilder(ModelName.normalize(destination)).build());
    }
    HttpIo.sendEmpty(exchange, 200);
  }

  /**
   * Serves {@code POST /api/create} from {@code from} (pulled first when not installed), with
   * {@code system}, {@code template}, {@code parameters} and {@code license}: the status lines
   * Ollama writes (each layer of the new manifest, {@code using existing layer} or {@code creating
   * new layer}, then {@code writing manifest} and {@code success}), or only the last with {@code
   * "stream": false}.
   */
  void create(HttpExchange exchange, byte[] body, FaultPlan faults) throws IOException {
    RequestBody req = RequestBody.parse(ctx.mapper, body, "CreateRequest");
    String rawName = req.string("model").isEmpty() ? req.string("name") : req.string("model");
    String from = req.string("from");
    boolean stream = req.bool("stream", true);
    String system = req.string("system");
    String template = req.string("template");
    ObjectNode parameters = req.object("parameters", "map[string]interface {}");
    ObjectNode files = req.object("files", "map[string]string");
    JsonNode license = req.node("license");
    if (files != null) {
      for (Map.Entry<String, JsonNode> file : files.properties()) {
        if (!validPath(file.getKey())) {
          throw new ApiException(400, "file path must be relative");
        }
      }
    }
    if (!ModelName.isValid(rawName)) {
      throw new ApiException(400, "invalid model name");
    }
    ctx.stats.recordModel(ModelName.normalize(rawName));
    ResponseStream out = new ResponseStream(exchange, ctx.mapper, faults, ctx.pacer);
    ctx.pacer.sleep(faults.slowFirstToken());
    ProgressSink progress = new ProgressSink(out, ctx.mapper, stream);
    if (from.isEmpty()) {
      if (files != null) {
        // no GGUF or safetensors reader here: say so rather than pretend
        progress.fail(500, "the Ollama simulator cannot create models from files");
      } else {
        progress.fail(400, "neither 'from' or 'files' was specified");
      }
      return;
    }
    if (!ModelName.isValid(from)) {
      progress.fail(400, "invalid model name");
      return;
    }
    Optional<SimulatedModel> installed = ctx.registry.find(from);
    if (installed.isEmpty()) {
      // Ollama pulls a missing base model first, reporting the pull in the same stream
      if (!pulls.pull(progress, from) || !progress.status("success")) {
        return;
      }
      installed = ctx.registry.find(from);
    }
    SimulatedModel base = installed.orElseThrow();

    List<ModelLayers.Layer> layers = new ArrayList<>(ModelLayers.of(base));
    List<String> statuses = new ArrayList<>();
    for (ModelLayers.Layer layer : layers) {
      statuses.add("using existing layer " + layer.digest());
    }
    SimulatedModel.Builder created = base.toBuilder(ModelName.normalize(rawName));
    StringBuilder manifest = new StringBuilder(base.digest());
    if (!template.isEmpty()) {
      replaceLayer(layers, statuses, "template", template);
      created.template(template);
      manifest.append("\u0000template=").append(template);
    }
    if (!system.isEmpty()) {
      replaceLayer(layers, statuses, "system", system);
      created.system(system);
      manifest.append("\u0000system=").append(system);
    }
    List<String> licenseTexts;
    try {
      licenseTexts = licenses(license);
    } catch (ApiException e) {
      // Ollama decodes the license late, in createModel: its error ends the stream as a 500
      progress.fail(500, e.getMessage());
      return;
    }
    StringBuilder licenseText = new StringBuilder(base.license());
    for (String text : licenseTexts) {
      // a license adds a layer; the base's stays, and /api/show joins them with newlines
      addLayer(layers, statuses, "license", text);
      licenseText.append('\n').append(text);
      manifest.append("\u0000license=").append(text);
    }
    created.license(licenseText.toString());
    if (parameters != null && !parameters.isEmpty()) {
      String text = mergeParameters(base.parameters(), parameters);
      replaceLayer(layers, statuses, "params", text);
      created.parameters(text);
      manifest.append("\u0000params=").append(text);
    }
    for (String status : statuses) {
      if (!progress.status(status)) {
        return;
      }
    }
    if (!progress.status("writing manifest")) {
      return;
    }
    created.digest(Hashing.sha256Hex(manifest.toString()));
    ctx.registry.install(created.build());
    progress.finish("success");
  }

  /**
   * Serves {@code POST /api/push}. The simulator has no registry, so a push ends as Ollama's does
   * without network access: after {@code retrieving manifest}, the error of its first request to
   * the registry; an unknown model fails to open its manifest.
   */
  void push(HttpExchange exchange, byte[] body, FaultPlan faults) throws IOException {
    RequestBody req = RequestBody.parse(ctx.mapper, body, "PushRequest");
    String rawName = req.string("model").isEmpty() ? req.string("name") : req.string("model");
    boolean stream = req.bool("stream", true);
    req.bool("insecure", false);
    if (rawName.isEmpty()) {
      throw new ApiException(400, "model is required");
    }
    ResponseStream out = new ResponseStream(exchange, ctx.mapper, faults, ctx.pacer);
    ctx.pacer.sleep(faults.slowFirstToken());
    ProgressSink progress = new ProgressSink(out, ctx.mapper, stream);
    Optional<SimulatedModel> found =
        ModelName.isValid(rawName) ? ctx.registry.find(rawName) : Optional.empty();
    if (ModelName.isValid(rawName)) {
      ctx.stats.recordModel(ModelName.normalize(rawName));
    }
    if (!progress.status("retrieving manifest")) {
      return;
    }
    if (found.isEmpty()) {
      ModelName.Parts parts = ModelName.parse(rawName);
      if (progress.status("couldn't retrieve manifest")) {
        progress.fail(
            500,
            "open "
                + MODELS_DIR
                + "/manifests/"
                + String.join("/", parts.host(), parts.namespace(), parts.model(), parts.tag())
                + ": no such file or directory");
      }
      return;
    }
    SimulatedModel model = found.get();
    ModelName.Parts parts = ModelName.parse(model.name());
    String url =
        "https://"
            + parts.host()
            + "/v2/"
            + parts.namespace()
            + "/"
            + parts.model()
            + "/blobs/"
            + ModelLayers.of(model).get(0).digest();
    progress.fail(
        500,
        "Head "
            + WireFormat.goQuote(url)
            + ": dial tcp: lookup "
            + parts.host()
            + ": no such host");
  }

  /**
   * Serves {@code HEAD /api/blobs/:digest} (200 or 404 {@code blob "..." not found}) and {@code
   * POST /api/blobs/:digest} (200 when stored already, else the body is hashed: 201, or 400 {@code
   * digest mismatch}). A digest that is not {@code sha256:} or {@code sha256-} and 64 hex digits is
   * 400 {@code invalid digest format}.
   */
  void blob(HttpExchange exchange, String digest, FaultPlan faults) throws IOException {
    if (!DIGEST.matcher(digest).matches()) {
      throw new ApiException(400, "invalid digest format");
    }
    // Ollama stores blobs as files named sha256-<hex>: both spellings name the same one
    String fileName = digest.replace(':', '-');
    ctx.pacer.sleep(faults.slowFirstToken());
    if ("HEAD".equals(exchange.getRequestMethod())) {
      if (!ctx.registry.hasBlob(fileName)) {
        throw new ApiException(404, "blob " + WireFormat.goQuote(digest) + " not found");
      }
      HttpIo.sendEmpty(exchange, 200);
      return;
    }
    if (ctx.registry.hasBlob(fileName)) {
      HttpIo.sendEmpty(exchange, 200);
      return;
    }
    String actual = "sha256:" + sha256(exchange.getRequestBody(), ctx.config.maxRequestBytes());
    if (!actual.equals(digest)) {
      throw new ApiException(
          400,
          "digest mismatch, expected "
              + WireFormat.goQuote(digest)
              + ", got "
              + WireFormat.goQuote(actual));
    }
    if (!ctx.registry.addBlob(actual.replace(':', '-'))) {
      throw new ApiException(500, "write " + MODELS_DIR + "/blobs: no space left on device");
    }
    HttpIo.sendEmpty(exchange, 201);
  }

  private void replaceLayer(
      List<ModelLayers.Layer> layers, List<String> statuses, String kind, String content) {
    for (int i = layers.size() - 1; i >= 0; i--) {
      if (layers.get(i).kind().equals(kind)) {
        layers.remove(i);
        statuses.remove(i);
      }
    }
    addLayer(layers, statuses, kind, content);
  }

  private void addLayer(
      List<ModelLayers.Layer> layers, List<String> statuses, String kind, String content) {
    ModelLayers.Layer layer = ModelLayers.content(kind, content);
    boolean exists = ctx.registry.hasBlob(layer.fileName());
    if (!exists && !ctx.registry.addBlob(layer.fileName())) {
      throw new ApiException(500, "write " + MODELS_DIR + "/blobs: no space left on device");
    }
    layers.add(layer);
    statuses.add((exists ? "using existing layer " : "creating new layer ") + layer.digest());
  }

  private static List<String> licenses(JsonNode license) {
    List<String> texts = new ArrayList<>();
    if (license == null || license.isNull()) {
      return texts;
    }
    if (license.isTextual()) {
      if (!license.asText().isEmpty()) {
        texts.add(license.asText());
      }
      return texts;
    }
    if (!license.isArray()) {
      throw new ApiException(
          400,
          "json: cannot unmarshal "
              + RequestBody.goType(license)
              + " into Go value of type []string");
    }
    for (JsonNode item : license) {
      if (!item.isTextual()) {
        throw new ApiException(
            400,
            "json: cannot unmarshal " + RequestBody.goType(item) + " into Go value of type string");
      }
      texts.add(item.asText());
    }
    return texts;
  }

  /**
   * The Modelfile parameters text after a create: the base model's lines for keys the request
   * leaves alone, then the request's, one line per value ({@code %-30s %#v}, as {@code ollama show}
   * prints them).
   */
  private static String mergeParameters(String base, ObjectNode parameters) {
    List<String> lines = new ArrayList<>();
    for (String line : base.split("\n")) {
      String key = line.strip().split("\\s+", 2)[0];
      if (!line.isBlank() && !parameters.has(key)) {
        lines.add(line);
      }
    }
    for (Map.Entry<String, JsonNode> entry : parameters.properties()) {
      JsonNode value = entry.getValue();
      if (value.isArray()) {
        for (JsonNode item : value) {
          lines.add(line(entry.getKey(), item));
        }
      } else {
        lines.add(line(entry.getKey(), value));
      }
    }
    return String.join("\n", lines);
  }

  private static String line(String key, JsonNode value) {
    return String.format(Locale.ROOT, "%-30s %s", key, goValue(value));
  }

  /** A JSON value as Go's {@code %#v} prints what {@code encoding/json} decoded from it. */
  private static String goValue(JsonNode value) {
    if (value.isTextual()) {
      return WireFormat.goQuote(value.asText());
    }
    if (value.isNumber()) {
      return goFloat(value.asDouble());
    }
    return value.toString();
  }

  /** A float64 as Go's {@code %v}: shortest digits, exponent form from 1e+06 and below 1e-04. */
  static String goFloat(double value) {
    if (value == 0 || Double.isNaN(value) || Double.isInfinite(value)) {
      return value == 0 ? "0" : Double.isNaN(value) ? "NaN" : value > 0 ? "+Inf" : "-Inf";
    }
    BigDecimal decimal = new BigDecimal(Double.toString(value)).stripTrailingZeros();
    int exponent = decimal.precision() - decimal.scale() - 1;
    // strconv's 'g' with the shortest precision decides by precision 6
    if (exponent < -4 || exponent >= 6) {
      String digits = decimal.unscaledValue().abs().toString();
      String mantissa = digits.length() > 1 ? digits.charAt(0) + "." + digits.substring(1) : digits;
      return (value < 0 ? "-" : "")
          + mantissa
          + (exponent < 0 ? "e-" : "e+")
          + String.format(Locale.ROOT, "%02d", Math.abs(exponent));
    }
    return decimal.toPlainString();
  }

  /** Go's {@code fs.ValidPath}: relative, no empty, {@code .} or {@code ..} element. */
  private static boolean validPath(String path) {
    if (path.equals(".")) {
      return true;
    }
    for (String element : path.split("/", -1)) {
      if (element.isEmpty() || element.equals(".") || element.equals("..")) {
        return false;
      }
    }
    return true;
  }

  private static String sha256(InputStream in, long max) throws IOException {
    MessageDigest sha;
    try {
      sha = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK always has SHA-256", e);
    }
    byte[] buffer = new byte[64 * 1024];
    long total = 0;
    try (in) {
      for (int read = in.read(buffer); read != -1; read = in.read(buffer)) {
        total += read;
        if (total > max) {
          throw new ApiException(413, "http: request body too large");
        }
        sha.update(buffer, 0, read);
      }
    }
    return HexFormat.of().formatHex(sha.digest());
  }
}
