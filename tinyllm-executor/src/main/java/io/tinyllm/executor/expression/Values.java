package io.tinyllm.executor.expression;

import java.util.Collection;
import java.util.Map;
import java.util.Objects;

/** Conversions and comparisons of expression values. */
public final class Values {
  private Values() {}

  /** Booleans are themselves; null is false; strings, lists and maps are true when not empty. */
  static boolean truthy(Object value) {
    if (value == null) {
      return false;
    }
    if (value instanceof Boolean b) {
      return b;
    }
    if (value instanceof Number n) {
      return n.doubleValue() != 0.0;
    }
    if (value instanceof CharSequence s) {
      return s.length() > 0;
    }
    if (value instanceof Collection<?> c) {
      return !c.isEmpty();
    }
    if (value instanceof Map<?, ?> m) {
      return !m.isEmpty();
    }
    return true;
  }

  static Double number(Object value) {
    if (value instanceof Number n) {
      return n.doubleValue();
    }
    if (value instanceof String s) {
      try {
        return Double.parseDouble(s.trim());
      } catch (NumberFormatException e) {
        return null;
      }
    }
    return null;
  }

  static boolean equal(Object left, Object right) {
    if (left instanceof Number || right instanceof Number) {
      Double l = number(left);
      Double r = number(right);
      if (l != null && r != null) {
        return l.doubleValue() == r.doubleValue();
      }
    }
    if (left instanceof Boolean || right instanceof Boolean) {
      return Objects.equals(String.valueOf(left), String.valueOf(right));
    }
    return Objects.equals(left, right);
  }

  /** Numeric order when both sides are numbers, else string order; null sorts nowhere. */
  static Integer compare(Object left, Object right) {
    if (left == null || right == null) {
      return null;
    }
    Double l = number(left);
    Double r = number(right);
    if (l != null && r != null) {
      return Double.compare(l, r);
    }
    return String.valueOf(left).compareTo(String.valueOf(right));
  }

  /** How a value reads as text: whole numbers without {@code .0}, null as empty. */
  public static String text(Object value) {
    if (value == null) {
      return "";
    }
    if (value instanceof Double d && d == Math.rint(d) && !Double.isInfinite(d)) {
      return String.valueOf(d.longValue());
    }
    return String.valueOf(value);
  }
}
