package io.tinyllm.ollama.sim;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The simulator's model store and scheduler state: which models are installed (and when they were
 * modified), which can be pulled, and which are loaded until when. A model is resident while a
 * request uses it or its keep-alive has not expired; using a model that is not resident pays its
 * load time again, as with Ollama.
 */
final class ModelRegistry {
  private static final Duration FOREVER_SPAN = Duration.ofDays(365L * 290);

  private final Object lock = new Object();
  private final Map<String, Installed> installed = new HashMap<>();
  private final Map<String, SimulatedModel> catalog = new HashMap<>();
  private final Map<String, Residency> residency = new HashMap<>();

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

  /** A loaded model as {@code /api/ps} shows it. */
  record Running(SimulatedModel model, Instant expiresAt, int contextLength) {}

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
      residency.remove(name);
      return installed.remove(name) != null;
    }
  }

  /**
   * Marks {@code model} in use, loading it first (sleeping its scaled load time) unless it is
   * resident. Every call must be paired with {@link #release(SimulatedModel, Duration)}.
   *
   * @return the nanoseconds spent, which Ollama reports as {@code load_duration}
   */
  long acquire(SimulatedModel model, int numCtx, Pacer pacer) {
    Residency r = residency(model);
    // one load at a time per model; requests for a loading model wait for it, as with Ollama
    synchronized (r.loadLock) {
      long start = System.nanoTime();
      boolean resident;
      synchronized (r) {
        resident = r.isResident(Instant.now());
      }
      if (!resident) {
        pacer.sleepNanos(pacer.scaled(model.loadTime()));
      }
      synchronized (r) {
        if (!resident) {
          r.loaded = true;
          r.contextLength = numCtx;
        }
        r.active++;
      }
      return System.nanoTime() - start;
    }
  }

  /** Ends one use of {@code model}; it stays resident for {@code keepAlive} (zero unloads it). */
  void release(SimulatedModel model, Duration keepAlive) {
    Residency r = residency(model);
    synchronized (r) {
      r.active--;
      r.expiresAt = expiry(keepAlive);
      if (r.active == 0 && keepAlive.isZero()) {
        r.loaded = false;
      }
    }
  }

  /** Unloads {@code model} as soon as no request uses it ({@code keep_alive: 0}). */
  void unload(SimulatedModel model) {
    Residency r = residency(model);
    synchronized (r) {
      r.expiresAt = Instant.now();
      if (r.active == 0) {
        r.loaded = false;
      }
    }
  }

  /** Unloads every model no request is using. */
  void unloadAll() {
    List<Residency> all;
    synchronized (lock) {
      all = new ArrayList<>(residency.values());
    }
    for (Residency r : all) {
      synchronized (r) {
        r.expiresAt = Instant.now();
        if (r.active == 0) {
          r.loaded = false;
        }
      }
    }
  }

  /** Whether {@code rawName} is resident now. */
  boolean isLoaded(String rawName) {
    Residency r;
    synchronized (lock) {
      r = residency.get(ModelName.normalize(rawName));
    }
    if (r == null) {
      return false;
    }
    synchronized (r) {
      return r.isResident(Instant.now());
    }
  }

  /** The resident models, the one expiring last first (as {@code /api/ps} sorts them). */
  List<Running> running() {
    Instant now = Instant.now();
    List<Running> list = new ArrayList<>();
    synchronized (lock) {
      for (Map.Entry<String, Residency> entry : residency.entrySet()) {
        Residency r = entry.getValue();
        Installed model = installed.get(entry.getKey());
        synchronized (r) {
          if (model != null && r.isResident(now)) {
            Instant expires = r.expiresAt.isAfter(now) ? r.expiresAt : now;
            list.add(new Running(model.model(), expires, r.contextLength));
          }
        }
      }
    }
    list.sort(Comparator.comparing(Running::expiresAt).reversed());
    return list;
  }

  private Residency residency(SimulatedModel model) {
    synchronized (lock) {
      return residency.computeIfAbsent(model.name(), n -> new Residency());
    }
  }

  private static Instant expiry(Duration keepAlive) {
    Instant now = Instant.now();
    return keepAlive.compareTo(FOREVER_SPAN) >= 0 ? now.plus(FOREVER_SPAN) : now.plus(keepAlive);
  }

  /** Load state of one model; fields guarded by the instance monitor. */
  private static final class Residency {
    final Object loadLock = new Object();
    boolean loaded;
    int active;
    Instant expiresAt = Instant.EPOCH;
    int contextLength;

    boolean isResident(Instant now) {
      return loaded && (active > 0 || now.isBefore(expiresAt));
    }
  }
}
