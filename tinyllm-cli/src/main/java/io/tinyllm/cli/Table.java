package io.tinyllm.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A plain-text table: a header and rows, columns padded to their widest cell.
 *
 * <pre>{@code
 * Table table = new Table("NAME", "SIZE");
 * table.row("qwen2.5:0.5b", "398 MB");
 * table.print(out);
 * }</pre>
 */
final class Table {
  private final List<String[]> rows = new ArrayList<>();
  private final int columns;

  Table(String... header) {
    columns = header.length;
    rows.add(header);
  }

  void row(Object... cells) {
    if (cells.length != columns) {
      throw new IllegalArgumentException("expected " + columns + " cells, got " + cells.length);
    }
    String[] texts = new String[columns];
    for (int i = 0; i < columns; i++) {
      texts[i] = cells[i] == null ? "-" : cells[i].toString();
    }
    rows.add(texts);
  }

  boolean isEmpty() {
    return rows.size() == 1;
  }

  void print(PrintWriter out) {
    int[] widths = new int[columns];
    for (String[] row : rows) {
      for (int i = 0; i < columns; i++) {
        widths[i] = Math.max(widths[i], row[i].length());
      }
    }
    for (String[] row : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < columns; i++) {
        line.append(row[i]);
        if (i < columns - 1) {
          line.append(" ".repeat(widths[i] - row[i].length() + 2));
        }
      }
      out.println(line.toString().stripTrailing());
    }
    out.flush();
  }

  /** Bytes as Ollama's own CLI shows them: {@code 398 MB}, {@code 1.9 GB} (powers of 1000). */
  static String bytes(long bytes) {
    if (bytes < 1000) {
      return bytes + " B";
    }
    String[] units = {"KB", "MB", "GB", "TB", "PB"};
    double value = bytes;
    int unit = -1;
    while (value >= 1000 && unit < units.length - 1) {
      value /= 1000;
      unit++;
    }
    return (value >= 100
            ? String.format(Locale.ROOT, "%.0f", value)
            : String.format(Locale.ROOT, "%.1f", value))
        + " "
        + units[unit];
  }

  /** Seconds for people: {@code 850 ms}, {@code 1.25 s}. */
  static String seconds(double seconds) {
    if (Double.isNaN(seconds)) {
      return "-";
    }
    return seconds < 1
        ? String.format(Locale.ROOT, "%.0f ms", seconds * 1000)
        : String.format(Locale.ROOT, "%.2f s", seconds);
  }
}
