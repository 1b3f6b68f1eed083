package io.tinyllm.ollama;

import static java.util.Objects.requireNonNull;

import io.tinyllm.api.time.Ticker;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Chooses the Ollama server for each call when the client routes over several ({@code
 * ollama.hosts}). Healthy servers come first: one that has the model warm (it answered for the
 * model within Ollama's default keep-alive, or listed it in {@code /api/ps}), then the least busy
 * (fewest calls in flight), then the configured order. A conversation stays on the server that
 * served its start while that server is healthy, so Ollama's prompt cache is reused. A server that
 * refused a connection is skipped for {@code ollama.hosts.retry-after}; after that it is tried
 * again and admitted back by its first answer. When every server is down they are all still tried,
 * the one down longest first, so an outage ends in the usual error rather than a routing one.
 *
 * <p>All the client learns is passive (answers and {@code /api/ps} calls the caller makes): a
 * library client starts no thread of its own. With one server every call goes to it.
 */
final class HostRouter {
  /** Ollama's default keep-alive: how long a model stays loaded after its last call. */
  static final Duration WARM_FOR = Duration.ofMinutes(5);

  /** Conversations remembered for affinity; the oldest is forgotten first. */
  static final int MAX_CONVERSATIONS = 4096;

  private final List<Host> hosts;
  private final List<Host> single;
  private final long retryAfterNanos;
  private final Ticker ticker;
  private final HostMetrics metrics;
  private final AtomicInteger nextTie = new AtomicInteger();
  private final Map<Long, Host> conversations =
      new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Host> eldest) {
          return size() > MAX_CONVERSATIONS;
        }
      };

  HostRouter(OllamaConfig config, Ticker ticker, HostMetrics metrics) {
    requireNonNull(config, "config is null");
    this.ticker = requireNonNull(ticker, "ticker is null");
    this.metrics = requireNonNull(metrics, "metrics is null");
    this.retryAfterNanos = config.hostRetryAfter().toNanos();
    List<Host> all = new ArrayList<>();
    for (URI uri : config.hosts()) {
      all.add(
          new Host(
              uri,
              new OllamaErrors(uri, config.connectTimeout(), config.requestTimeout()),
              metrics.host(uri)));
    }
    this.hosts = List.copyOf(all);
    this.single = hosts.size() == 1 ? hosts : null;
  }

  /** Every server, in the configured order. */
  List<Host> all() {
    return hosts;
  }

  /** The first configured server: requests are built against it and sent wherever routed. */
  Host first() {
    return hosts.get(0);
  }

  /**
   * The servers to try for a call about {@code model} (may be {@code null}), best first; {@code
   * conversation} is a key of the conversation the call continues, or 0 for none.
   */
  List<Host> candidates(String model, long conversation) {
    if (single != null) {
      return single;
    }
    long now = ticker.read();
    Host affine = null;
    if (conversation != 0) {
      synchronized (conversations) {
        affine = conversations.get(conversation);
      }
    }
    String key = model == null ? null : OllamaMetrics.withTag(model);
    Host preferred = affine != null && affine.isUp(now) ? affine : null;
    int tie = Math.floorMod(nextTie.getAndIncrement(), hosts.size());
    List<Host> order = new ArrayList<>(hosts.size());
    for (int i = 0; i < hosts.size(); i++) {
      Host host = hosts.get((tie + i) % hosts.size());
      if (host != preferred) {
        order.add(host);
      }
    }
    order.sort(
        Comparator.comparing((Host h) -> !h.isUp(now))
            .thenComparing(h -> !h.isWarm(key, now))
            .thenComparingInt(h -> h.inFlight.get())
            // among hosts that are down, the one down longest is tried first
            .thenComparingLong(h -> h.isUp(now) ? 0 : h.downSince));
    if (preferred != null) {
      order.add(0, preferred);
    }
    return order;
  }

  /** {@code host} answered a call about {@code model}: it is up and has the model warm. */
  void answered(Host host, String model, long conversation) {
    long now = ticker.read();
    host.up();
    if (model != null) {
      host.warm.put(OllamaMetrics.withTag(model), now + WARM_FOR.toNanos());
    }
    if (conversation != 0 && single == null) {
      synchronized (conversations) {
        conversations.put(conversation, host);
      }
    }
  }

  /** {@code host} answered (with any status): it is up. */
  void reachable(Host host) {
    host.up();
  }

  /** {@code host} listed {@code models} as loaded in {@code /api/ps}. */
  void loaded(Host host, Collection<RunningModel> models) {
    long now = ticker.read();
    host.up();
    host.warm.clear();
    for (RunningModel model : models) {
      host.warm.put(OllamaMetrics.withTag(model.name()), now + WARM_FOR.toNanos());
    }
  }

  /** {@code host} refused or dropped a connection: skip it for a while. */
  void unreachable(Host host) {
    host.down(ticker.read(), retryAfterNanos);
  }

  /** One server of the fleet and what the client knows of it. */
  static final class Host {
    private final URI uri;
    private final String base;
    private final OllamaErrors errors;
    private final HostMetrics.Points points;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final Map<String, Long> warm = new ConcurrentHashMap<>();
    private volatile long downSince;
    private volatile long downUntil;
    private volatile boolean down;

    Host(URI uri, OllamaErrors errors, HostMetrics.Points points) {
      this.uri = uri;
      String text = uri.toString();
      this.base = text.endsWith("/") ? text.substring(0, text.length() - 1) : text;
      this.errors = errors;
      this.points = points;
    }

    URI uri() {
      return uri;
    }

    String base() {
      return base;
    }

    OllamaErrors errors() {
      return errors;
    }

    HostMetrics.Points points() {
      return points;
    }

    void started() {
      inFlight.incrementAndGet();
      points.started();
    }

    void ended() {
      inFlight.decrementAndGet();
      points.ended();
    }

    int inFlight() {
      return inFlight.get();
    }

    private boolean isUp(long now) {
      return !down || now - downUntil >= 0;
    }

    private boolean isWarm(String model, long now) {
      if (model == null) {
        return false;
      }
      Long until = warm.get(model);
      return until != null && now - until < 0;
    }

    private void up() {
      if (down) {
        down = false;
        points.up(true);
      }
    }

    private void down(long now, long forNanos) {
      if (!down) {
        downSince = now;
      }
      downUntil = now + forNanos;
      down = true;
      warm.clear();
      points.up(false);
    }
  }
}
