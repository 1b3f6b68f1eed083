package io.tinyllm.ollama.sim;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The simulator's model store: which models are installed (and when they were modified) and which
 * can be pulled. Which are loaded is the {@link Scheduler}'s business.
 */
final class ModelRegistry {
  /** The most blobs uploaded or created; a bound, since each request may add one. */
  static final int MAX_BLOBS = 100_000;

  private final Object lock = new Object();
  private final Map<String, Installed> installed = new HashMap<>();
  private final Map<String, SimulatedModel> catalog = new HashMap<>();
  private final Set<String> blobs = new HashSet<>();

  ModelRegistry(List<SimulatedModel> models, List<SimulatedModel> catalog) {
    Instant now = Instant.now();
    long i = 0;
    for (SimulatedModel model : models) {
      // distinct times keep the "most recently modified first" order of /api/tags stable
      installed.put(model.name(), new Installed(model, now.minusSeconds(60 + i++)));
    }
    for (SimulatedModel model : catalog) {
      this.catalog.put(model.name(), model);
    }
  }

  /** An installed model and its modification time. */
  record Installed(SimulatedModel model, Instant modifiedAt) {}

  /** The installed model named {@code rawName}, if any. */
  Optional<SimulatedModel> find(String rawName) {
    synchronized (lock) {
      Installed found = installed.get(ModelName.normalize(rawName));
      return Optional.ofNullable(found).map(Installed::model);
    }
  }

  /** The model {@code /api/pull} can fetch under {@code rawName}, if any. */
  Optional<SimulatedModel> pullable(String rawName) {
    synchronized (lock) {
      String name = ModelName.normalize(rawName);
      Installed present = installed.get(name);
      return present != null
          ? Optional.of(present.model())
          : Optional.ofNullable(catalog.get(name));
    }
  }

  /** The installed models, most recently modified first. */
  List<Installed> installed() {
    synchronized (lock) {
      List<Installed> list = new ArrayList<>(installed.values());
      list.sort(Comparator.comparing(Installed::modifiedAt).reversed());
      return list;
    }
  }

  /** Installs (or re-installs) {@code model}, modified now, and makes it pullable. */
  void install(SimulatedModel model) {
    requireNonNull(model, "model is null");
    synchronized (lock) {
      installed.put(model.name(), new Installed(model, Instant.now()));
      catalog.put(model.name(), model);
    }
  }

  /**
   * Whether the blob {@code fileName} ({@code sha256-<hex>}) is stored: uploaded, written by a
   * create, or a layer of an installed model.
   */
  boolean hasBlob(String fileName) {
    synchronized (lock) {
      if (blobs.contains(fileName)) {
        return true;
      }
      for (Installed model : installed.values()) {
        for (ModelLayers.Layer layer : ModelLayers.of(model.model())) {
          if (layer.fileName().equals(fileName)) {
            return true;
          }
        }
      }
      return false;
    }
  }

  /**
   * Stores the blob {@code fileName}; only its name is kept.
   *
   * @return false when the store is full ({@link #MAX_BLOBS} blobs)
   */
  boolean addBlob(String fileName) {
    synchronized (lock) {
      if (blobs.size() >= MAX_BLOBS && !blobs.contains(fileName)) {
        return false;
      }
      blobs.add(fileName);
      return true;
    }
  }

  /** Removes the installed model {@code rawName}; false if it was not installed. */
  boolean remove(String rawName) {
    synchronized (lock) {
      String name = ModelName.normalize(rawName);
      return installed.remove(name) != null;
    }
  }
}
