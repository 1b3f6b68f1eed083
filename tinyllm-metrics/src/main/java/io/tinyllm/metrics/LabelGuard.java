package io.tinyllm.metrics;

import static java.util.Objects.requireNonNull;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.Collector;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Keeps label values few and printable: every control character (C0, DEL and C1, tab, CR and LF
 * included) is replaced by {@value #CONTROL_REPLACEMENT} first, so a sample stays on one line of
 * the exposition and the same input always gives the same label; then each label name admits at
 * most {@code maxValuesPerLabel} distinct values (shared by every family using that label); the
 * excess, and any value longer than {@code maxValueLength}, is folded into {@value #OTHER} and
 * counted in {@code tinyllm_label_values_folded_total{label}}. Every plug-in passes untrusted
 * values (model names, graph and node ids) through it before using them as labels.
 *
 * <pre>{@code
 * counter.labelValues(guard.guard("model", request.model())).inc();
 * }</pre>
 *
 * <p>Exposes, after two values were admitted for {@code model} and one folded:
 *
 * <pre>
 * tinyllm_label_values{label="model"} 2.0
 * tinyllm_label_values_folded_total{label="model"} 1.0
 * </pre>
 */
@Singleton
public final class LabelGuard implements MetricSet {
  /** The value that stands for every folded value. */
  public static final String OTHER = "other";

  /** The value used for a missing (null or blank) label value. */
  public static final String UNKNOWN = "unknown";

  /** What each control character in a value is replaced with. */
  public static final char CONTROL_REPLACEMENT = '_';

  private final int maxValuesPerLabel;
  private final int maxValueLength;
  private final Map<String, Set<String>> admitted = new ConcurrentHashMap<>();
  private final Counter folded =
      Counter.builder()
          .name("tinyllm_label_values_folded_total")
          .help("Label values folded into 'other' because the label had too many distinct values")
          .labelNames("label")
          .build();
  private final GaugeWithCallback distinct =
      GaugeWithCallback.builder()
          .name("tinyllm_label_values")
          .help("Distinct values admitted per label name")
          .labelNames("label")
          .callback(
              callback -> admitted.forEach((label, values) -> callback.call(values.size(), label)))
          .build();

  @Inject
  public LabelGuard(MetricsConfig config) {
    this(config.labelMaxValues(), config.labelMaxLength());
  }

  public LabelGuard(int maxValuesPerLabel, int maxValueLength) {
    if (maxValuesPerLabel < 1) {
      throw new IllegalArgumentException("maxValuesPerLabel must be at least 1");
    }
    if (maxValueLength < 1) {
      throw new IllegalArgumentException("maxValueLength must be at least 1");
    }
    this.maxValuesPerLabel = maxValuesPerLabel;
    this.maxValueLength = maxValueLength;
  }

  /**
   * {@code value}, its control characters replaced, if {@code label} may take it, else {@value
   * #OTHER}.
   */
  public String guard(String label, String rawValue) {
    requireNonNull(label, "label is null");
    if (rawValue == null || rawValue.isBlank()) {
      return UNKNOWN;
    }
    String value = withoutControlCharacters(rawValue);
    Set<String> values = admitted.computeIfAbsent(label, this::firstUse);
    if (values.contains(value)) {
      return value;
    }
    if (value.length() <= maxValueLength) {
      synchronized (values) {
        if (values.contains(value)) {
          return value;
        }
        if (values.size() < maxValuesPerLabel) {
          values.add(value);
          return value;
        }
      }
    }
    folded.labelValues(label).inc();
    return OTHER;
  }

  /** A label's first value: its folded count is exposed at 0 from now on, for {@code rate()}. */
  private Set<String> firstUse(String label) {
    folded.labelValues(label);
    return ConcurrentHashMap.newKeySet();
  }

  // The text formats escape only backslash, quote and LF in label values: a raw CR or tab would
  // reach the scraper as is, and a look-alike value could hide among the others.
  private static String withoutControlCharacters(String value) {
    char[] chars = null;
    for (int i = 0; i < value.length(); i++) {
      if (Character.isISOControl(value.charAt(i))) {
        if (chars == null) {
          chars = value.toCharArray();
        }
        chars[i] = CONTROL_REPLACEMENT;
      }
    }
    return chars == null ? value : new String(chars);
  }

  /** How many values were folded for {@code label} so far. */
  public long foldedCount(String label) {
    return (long) folded.labelValues(label).get();
  }

  public int maxValuesPerLabel() {
    return maxValuesPerLabel;
  }

  @Override
  public List<Collector> collectors() {
    return List.of(folded, distinct);
  }
}
