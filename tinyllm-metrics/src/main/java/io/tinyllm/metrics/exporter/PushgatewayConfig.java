package io.tinyllm.metrics.exporter;

import static java.util.Objects.requireNonNull;

import io.tinyllm.api.config.Settings;
import io.tinyllm.api.error.ConfigException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Settings of the Pushgateway exporter.
 *
 * <table>
 *   <caption>Settings</caption>
 *   <tr><th>key</th><th>default</th></tr>
 *   <tr><td>{@code metrics.pushgateway.address}</td><td>{@value #DEFAULT_ADDRESS}; {@code host:port}, or a URL whose {@code https://} turns TLS on</td></tr>
 *   <tr><td>{@code metrics.pushgateway.job}</td><td>required: a stable name, never defaulted</td></tr>
 *   <tr><td>{@code metrics.pushgateway.grouping-key}</td><td>none; {@code k=v,k2=v2}</td></tr>
 *   <tr><td>{@code metrics.pushgateway.basic-auth.user} / {@code .password}</td><td>none</td></tr>
 *   <tr><td>{@code metrics.pushgateway.bearer-token}</td><td>none</td></tr>
 *   <tr><td>{@code metrics.pushgateway.interval}</td><td>0 (no periodic push)</td></tr>
 *   <tr><td>{@code metrics.pushgateway.push-on-close}</td><td>{@code true}</td></tr>
 *   <tr><td>{@code metrics.pushgateway.timeout}</td><td>10s (connect and read)</td></tr>
 *   <tr><td>{@code metrics.pushgateway.families}</td><td>all; comma-separated family names as
 *       exposed ({@code tinyllm_requests_total}), or prefixes ending in {@code *}: only these are
 *       pushed</td></tr>
 * </table>
 */
public record PushgatewayConfig(
    String address,
    boolean https,
    Optional<String> job,
    Map<String, String> groupingKey,
    Optional<String> basicAuthUser,
    Optional<String> basicAuthPassword,
    Optional<String> bearerToken,
    Duration interval,
    boolean pushOnClose,
    Duration timeout,
    PushedFamilies families) {

  public static final String ADDRESS = "metrics.pushgateway.address";
  public static final String JOB = "metrics.pushgateway.job";
  public static final String GROUPING_KEY = "metrics.pushgateway.grouping-key";
  public static final String BASIC_AUTH_USER = "metrics.pushgateway.basic-auth.user";
  public static final String BASIC_AUTH_PASSWORD = "metrics.pushgateway.basic-auth.password";
  public static final String BEARER_TOKEN = "metrics.pushgateway.bearer-token";
  public static final String INTERVAL = "metrics.pushgateway.interval";
  public static final String PUSH_ON_CLOSE = "metrics.pushgateway.push-on-close";
  public static final String TIMEOUT = "metrics.pushgateway.timeout";
  public static final String FAMILIES = "metrics.pushgateway.families";

  public static final String DEFAULT_ADDRESS = "127.0.0.1:9091";

  public PushgatewayConfig {
    requireNonNull(address, "address is null");
    requireNonNull(families, "families is null");
    groupingKey = Map.copyOf(groupingKey);
    if (basicAuthUser.isPresent() != basicAuthPassword.isPresent()) {
      throw new ConfigException(
          "Basic auth needs both '" + BASIC_AUTH_USER + "' and '" + BASIC_AUTH_PASSWORD + "'");
    }
    if (basicAuthUser.isPresent() && bearerToken.isPresent()) {
      throw new ConfigException(
          "Set either basic auth or '" + BEARER_TOKEN + "' for the Pushgateway, not both");
    }
    if (interval.isNegative() || timeout.isNegative() || timeout.isZero()) {
      throw new ConfigException(
          "'" + INTERVAL + "' must not be negative and '" + TIMEOUT + "' must be positive");
    }
  }

  public static PushgatewayConfig from(Settings settings) {
    PushgatewayAddress address;
    try {
      address = PushgatewayAddress.parse(settings.getString(ADDRESS, DEFAULT_ADDRESS));
    } catch (IllegalArgumentException e) {
      throw new ConfigException("Invalid setting '" + ADDRESS + "': " + e.getMessage(), e);
    }
    Optional<String> job = settings.get(JOB);
    job.ifPresent(j -> checkPathValue(JOB, j));
    return new PushgatewayConfig(
        address.hostPort(),
        address.https(),
        job,
        parseGroupingKey(settings.getString(GROUPING_KEY, "")),
        settings.get(BASIC_AUTH_USER),
        settings.get(BASIC_AUTH_PASSWORD),
        settings.get(BEARER_TOKEN),
        settings.getDuration(INTERVAL, Duration.ZERO),
        settings.getBoolean(PUSH_ON_CLOSE, true),
        settings.getDuration(TIMEOUT, Duration.ofSeconds(10)),
        PushedFamilies.parse(FAMILIES, settings.getString(FAMILIES, "")));
  }

  /** The job, or a {@link ConfigException} saying how to set it. */
  public String requireJob() {
    return job.orElseThrow(
        () ->
            new ConfigException(
                "The Pushgateway exporter needs a job name: set '"
                    + JOB
                    + "' (--push-job) to a stable name such as 'tinyllm-batch'"));
  }

  /**
   * Rejects a job name or grouping-key value the push URL would change: client_java URL-encodes
   * them as form data, so a space is sent as {@code +}, which the Pushgateway keeps literally
   * ({@code "x y"} would arrive as job {@code x+y}).
   *
   * @throws IllegalArgumentException naming the value and what is wrong with it
   */
  public static void checkJobName(String value) {
    if (value.isBlank()) {
      throw new IllegalArgumentException("a job name must not be empty");
    }
    if (value.chars().anyMatch(c -> Character.isWhitespace(c) || Character.isISOControl(c))) {
      throw new IllegalArgumentException(
          "'"
              + value.replaceAll("\\p{Cntrl}", "?")
              + "': a job name must not contain spaces or control characters (the push would"
              + " store a space as '+')");
    }
  }

  private static void checkPathValue(String key, String value) {
    try {
      checkJobName(value);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(
          "Invalid setting '" + key + "': " + e.getMessage().replace("a job name", "the value"), e);
    }
  }

  private static Map<String, String> parseGroupingKey(String text) {
    Map<String, String> key = new LinkedHashMap<>();
    for (String pair : text.split(",")) {
      if (pair.isBlank()) {
        continue;
      }
      int eq = pair.indexOf('=');
      if (eq <= 0 || eq == pair.length() - 1) {
        throw new ConfigException(
            "Invalid value '" + text + "' for setting '" + GROUPING_KEY + "': expected k=v,k2=v2");
      }
      String value = pair.substring(eq + 1).trim();
      checkPathValue(GROUPING_KEY, value);
      key.put(pair.substring(0, eq).trim(), value);
    }
    return key;
  }

  @Override
  public String toString() {
    return "PushgatewayConfig[address="
        + address
        + ", https="
        + https
        + ", job="
        + job.orElse("<unset>")
        + ", groupingKey="
        + groupingKey
        + ", interval="
        + interval
        + ", families="
        + families
        + "]";
  }
}
