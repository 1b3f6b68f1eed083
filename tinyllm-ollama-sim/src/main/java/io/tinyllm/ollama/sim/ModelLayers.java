package io.tinyllm.ollama.sim;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The layers of a simulated model's manifest, as pull, push, create and the blob store see them:
 * weights, template, license and parameters (and the system prompt when the model has one, as a
 * created model does). Digests are stable stand-ins derived from the model's digest.
 */
final class ModelLayers {
  private ModelLayers() {}

  /** One layer: its kind, digest ({@code sha256:<hex>}) and size in bytes. */
  record Layer(String kind, String digest, long size) {
    /** The blob's file name, as Ollama stores it ({@code sha256-<hex>}). */
    String fileName() {
      return digest.replace(':', '-');
    }
  }

  /** The layers of {@code model}, weights first. */
  static List<Layer> of(SimulatedModel model) {
    long small = 11_343 + 1_482 + 120;
    List<Layer> layers = new ArrayList<>();
    layers.add(layer(model, "model", Math.max(1, model.sizeBytes() - small)));
    layers.add(layer(model, "template", 1_482));
    layers.add(layer(model, "license", 11_343));
    layers.add(layer(model, "params", 120));
    return layers;
  }

  /** A layer holding {@code content}, digested as Ollama digests a blob: its SHA-256. */
  static Layer content(String kind, String content) {
    return new Layer(
        kind,
        "sha256:" + Hashing.sha256Hex(content),
        content.getBytes(StandardCharsets.UTF_8).length);
  }

  private static Layer layer(SimulatedModel model, String kind, long size) {
    return new Layer(kind, "sha256:" + Hashing.sha256Hex(model.digest() + "/" + kind), size);
  }
}
