package io.tinyllm.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Reads the documentation the way the docs tests check it: which files count, which metric names
 * they mention, the family tables of {@code docs/metrics.md}, and the {@code promql} blocks.
 *
 * <p>Paths resolve from the module directory, which is the working directory of surefire.
 */
final class DocsFiles {
  static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  static final Path DOCS = ROOT.resolve("docs");

  /**
   * A metric name not glued to a recording-rule name ({@code level:metric:ops}) or to a longer
   * identifier; a trailing {@code *} makes it a prefix ({@code tinyllm_batch_*}).
   */
  private static final Pattern METRIC_NAME =
      Pattern.compile("(?<![A-Za-z0-9_:])(tinyllm_[a-z0-9_]*[a-z0-9])(_?\\*)?(?![A-Za-z0-9_:])");

  private static final Pattern BACKTICKED = Pattern.compile("`([^`]+)`");
  private static final Pattern NUMBER = Pattern.compile("(?<![\\w.])(\\d*\\.?\\d+)(?![\\w.])");
  private static final Pattern PROMQL_BLOCK =
      Pattern.compile("^```promql\\n(.*?)^```", Pattern.MULTILINE | Pattern.DOTALL);

  private DocsFiles() {}

  /**
   * Every file whose metric names must exist: the Markdown of {@code docs/} and the README, the
   * dashboards, the Prometheus files and everything under {@code docs/deploy}.
   */
  static List<Path> checkedFiles() {
    List<Path> files = new ArrayList<>();
    files.add(ROOT.resolve("README.md"));
    files.addAll(list(DOCS, 1, ".md"));
    files.addAll(list(DOCS.resolve("grafana"), 1, ".json"));
    files.addAll(list(DOCS.resolve("prometheus"), 1, ".yml"));
    files.addAll(list(DOCS.resolve("deploy"), Integer.MAX_VALUE, ""));
    return files;
  }

  private static List<Path> list(Path dir, int depth, String suffix) {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> paths = Files.walk(dir, depth)) {
      return paths
          .filter(Files::isRegularFile)
          .filter(p -> p.getFileName().toString().endsWith(suffix))
          .sorted()
          .collect(Collectors.toList());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A metric name as written in a doc; {@code prefix} when it ended in {@code *}. */
  record MentionedName(String name, boolean prefix) {}

  static Set<MentionedName> metricNames(String text) {
    Set<MentionedName> names = new LinkedHashSet<>();
    Matcher m = METRIC_NAME.matcher(text);
    while (m.find()) {
      boolean prefix = m.group(2) != null;
      names.add(new MentionedName(prefix ? m.group(1) + "_" : m.group(1), prefix));
    }
    return names;
  }

  /** One row of a family table in {@code docs/metrics.md}. */
  record FamilyRow(String family, String type, Set<String> labels, List<Double> buckets) {}

  /**
   * The rows of every Markdown table of {@code markdown} whose header has a {@code family}, a
   * {@code type} and a {@code labels} column, keyed by family name.
   */
  static Map<String, FamilyRow> familyTables(String markdown) {
    Map<String, FamilyRow> rows = new LinkedHashMap<>();
    List<String> header = null;
    for (String line : markdown.split("\n")) {
      if (!line.startsWith("|")) {
        header = null;
        continue;
      }
      List<String> cells = cells(line);
      if (header == null) {
        List<String> names = cells.stream().map(c -> c.trim().toLowerCase(Locale.ROOT)).toList();
        if (names.contains("family") && names.contains("type") && names.contains("labels")) {
          header = names;
        }
        continue;
      }
      if (line.matches("\\|[\\s:|-]+")) {
        continue;
      }
      String familyCell = cells.get(header.indexOf("family"));
      Matcher name = BACKTICKED.matcher(familyCell);
      if (!name.find() || !name.group(1).startsWith("tinyllm_")) {
        continue;
      }
      String type =
          cells.get(header.indexOf("type")).trim().split("[\\s(]")[0].toLowerCase(Locale.ROOT);
      Set<String> labels = new TreeSet<>();
      Matcher label = BACKTICKED.matcher(cells.get(header.indexOf("labels")));
      while (label.find()) {
        labels.add(label.group(1));
      }
      List<Double> buckets = new ArrayList<>();
      int bucketColumn = header.indexOf("buckets");
      if (bucketColumn >= 0) {
        Matcher number = NUMBER.matcher(cells.get(bucketColumn).replace("*", ""));
        while (number.find()) {
          buckets.add(Double.parseDouble(number.group(1)));
        }
      }
      rows.put(name.group(1), new FamilyRow(name.group(1), type, labels, buckets));
    }
    return rows;
  }

  private static List<String> cells(String line) {
    String inner = line.strip();
    inner = inner.substring(1, inner.endsWith("|") ? inner.length() - 1 : inner.length());
    List<String> cells = new ArrayList<>();
    for (String cell : inner.split("\\|", -1)) {
      cells.add(cell.trim());
    }
    return cells;
  }

  /** The queries of the {@code ```promql} blocks of {@code markdown}, one per block. */
  static List<String> promqlBlocks(String markdown) {
    List<String> queries = new ArrayList<>();
    Matcher m = PROMQL_BLOCK.matcher(markdown);
    while (m.find()) {
      queries.add(m.group(1).strip());
    }
    return queries;
  }

  /** Source files of every module's main code, for families no test run can produce. */
  static String mainSources() {
    StringBuilder all = new StringBuilder();
    try (Stream<Path> modules = Files.list(ROOT)) {
      for (Path module : modules.sorted().toList()) {
        Path main = module.resolve("src/main/java");
        if (Files.isDirectory(main)) {
          for (Path file : list(main, Integer.MAX_VALUE, ".java")) {
            all.append(read(file)).append('\n');
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return all.toString();
  }
}
