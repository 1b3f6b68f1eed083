package io.tinyllm.ollama;

import static java.util.Objects.requireNonNull;

import java.util.function.Supplier;

/**
 * A value built by the first {@link #get()} and kept, for what a client may never need: the metric
 * families of the calls a short command does not make (docs/performance.md §7). One build however
 * many threads ask at once; after it, a read of one volatile field.
 *
 * <pre>{@code
 * Lazy<RequestMetrics> requests = Lazy.of(() -> new RequestMetrics(true));
 * requests.get().model("qwen2.5:0.5b"); // builds the families, once
 * }</pre>
 */
final class Lazy<T> implements Supplier<T> {
  private Supplier<? extends T> factory; // guarded by this; null once built
  private volatile T value;

  private Lazy(Supplier<? extends T> factory, T value) {
    this.factory = factory;
    this.value = value;
  }

  /** A value {@code factory} builds when first asked for; it must not return null. */
  static <T> Lazy<T> of(Supplier<? extends T> factory) {
    return new Lazy<>(requireNonNull(factory, "factory is null"), null);
  }

  /** A value built already. */
  static <T> Lazy<T> built(T value) {
    return new Lazy<>(null, requireNonNull(value, "value is null"));
  }

  /** Whether the value was built (by {@link #built} or a {@link #get()}); for tests. */
  boolean isBuilt() {
    return value != null;
  }

  @Override
  public T get() {
    T built = value;
    if (built != null) {
      return built;
    }
    synchronized (this) {
      if (value == null) {
        value = requireNonNull(factory.get(), "the factory returned null");
        factory = null;
      }
      return value;
    }
  }
}
