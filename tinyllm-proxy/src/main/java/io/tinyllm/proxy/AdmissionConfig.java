package io.tinyllm.proxy;

import static java.util.Objects.requireNonNull;

import io.tinyllm.api.config.Settings;
import io.tinyllm.api.error.ConfigException;
import java.time.Duration;

/**
 * The optional admission queue of {@code tinyllm proxy}: at most {@code maxPerBackend} requests at
 * a time on each backend, the rest waiting in the proxy by the priority a caller gives in the
 * {@code X-TinyLLM-Priority} header ({@code high}, {@code normal}, {@code low}).
 *
 * <pre>{@code
 * AdmissionConfig config = AdmissionConfig.from(Settings.of(Map.of(
 *     "proxy.admission.enabled", "true", "proxy.admission.max-per-backend", "4")));
 * }</pre>
 *
 * @param enabled whether requests wait for a place (off by default: Ollama queues them itself)
 * @param maxPerBackend requests at a time on one backend
 * @param maxWait the longest a request waits for a place, then a 503
 */
public record AdmissionConfig(boolean enabled, int maxPerBackend, Duration maxWait) {
  public static final String ENABLED = "proxy.admission.enabled";
  public static final String MAX_PER_BACKEND = "proxy.admission.max-per-backend";
  public static final String MAX_WAIT = "proxy.admission.max-wait";

  public AdmissionConfig {
    requireNonNull(maxWait, "maxWait is null");
    if (maxWait.isNegative() || maxWait.isZero()) {
      throw new ConfigException("Setting '" + MAX_WAIT + "' must be positive, got " + maxWait);
    }
  }

  public static AdmissionConfig from(Settings settings) {
    requireNonNull(settings, "settings is null");
    return new AdmissionConfig(
        settings.getBoolean(ENABLED, false),
        settings.getInt(MAX_PER_BACKEND, 4, 1, 10_000),
        settings.getDuration(MAX_WAIT, Duration.ofSeconds(60)));
  }
}
