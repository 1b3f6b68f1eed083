package io.tinyllm.ollama.sim;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The simulator's model store: which models are installed (and when they were modified) and which
 * can be pulled. Which are loaded is the {@link Scheduler}'s business.
 */
final class ModelRegistry {
  private final Object lock = new Object();
  private final Map<String, Installed> installed = new HashMap<>();
  private final Map<String, SimulatedModel> catalog = new HashMap<>();

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

  /** Removes the installed model {@code rawName}; false if it was not installed. */
  boolean remove(String rawName) {
    synchronized (lock) {
      String name = ModelName.normalize(rawName);
      return installed.remove(name) != null;
    }
  }
}
