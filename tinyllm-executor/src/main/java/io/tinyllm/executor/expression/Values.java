package io.tinyllm.executor.expression;

import java.math.BigDecimal;
import java.math.BigInteger;
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
      if (isBig(left) || isBig(right)) {
        BigDecimal l = decimal(left);
        BigDecimal r = decimal(right);
        if (l != null && r != null) {
          return l.compareTo(r) == 0;
        }
      } else {
        Double l = number(left);
        Double r = number(right);
        if (l != null && r != null) {
          return l.doubleValue() == r.doubleValue();
        }
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
    if (isBig(left) || isBig(right)) {
      BigDecimal l = decimal(left);
      BigDecimal r = decimal(right);
      if (l != null && r != null) {
        return l.compareTo(r);
      }
    } else {
      Double l = number(left);
      Double r = number(right);
      if (l != null && r != null) {
        return Double.compare(l, r);
      }
    }
    return String.valueOf(left).compareTo(String.valueOf(right));
  }

  /**
   * A number as expressions hold it: a double when that is exact, else (an integer beyond 2^53, as
   * JSON ids often are) a {@link BigDecimal}, so big integers compare exactly.
   */
  static Object normalize(Object value) {
    if (value instanceof Double || value instanceof BigDecimal || !(value instanceof Number n)) {
      return value;
    }
    if (value instanceof BigInteger big) {
      return big.bitLength() <= 53 ? (Object) big.doubleValue() : new BigDecimal(big);
    }
    if (value instanceof Float f) {
      return f.doubleValue();
    }
    long whole = n.longValue();
    return Math.abs(whole) <= MAX_EXACT ? (Object) (double) whole : BigDecimal.valueOf(whole);
  }

  /** The largest integer every smaller one of which a double holds exactly: 2^53. */
  private static final long MAX_EXACT = 1L << 53;

  private static boolean isBig(Object value) {
    return value instanceof BigDecimal || value instanceof BigInteger;
  }

  private static BigDecimal decimal(Object value) {
    if (value instanceof BigDecimal d) {
      return d;
    }
    if (value instanceof BigInteger i) {
      return new BigDecimal(i);
    }
    if (value instanceof Double || value instanceof Float) {
      double d = ((Number) value).doubleValue();
      return Double.isFinite(d) ? BigDecimal.valueOf(d) : null;
    }
    if (value instanceof Number n) {
      return BigDecimal.valueOf(n.longValue());
    }
    if (value instanceof String s) {
      try {
        return new BigDecimal(s.trim());
      } catch (NumberFormatException e) {
        return null;
      }
    }
    return null;
  }

  /** How a value reads as text: whole numbers without {@code .0}, null as empty. */
  public static String text(Object value) {
    if (value == null) {
      return "";
    }
    if (value instanceof Double d && d == Math.rint(d) && !Double.isInfinite(d)) {
      return String.valueOf(d.longValue());
    }
    if (value instanceof BigDecimal d) {
      return d.toPlainString();
    }
    return String.valueOf(value);
  }
}
