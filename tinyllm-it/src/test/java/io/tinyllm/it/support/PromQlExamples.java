package io.tinyllm.it.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The queries of a Markdown file's {@code ```promql} blocks, one query a block, as {@code
 * docs/promql.md} writes them.
 *
 * <pre>{@code
 * List<String> queries = PromQlExamples.read(PromQlExamples.docs().resolve("promql.md"));
 * }</pre>
 */
public final class PromQlExamples {
  /**
   * The docs folder; the build sets it, and a run from the module's folder finds {@code ../docs}.
   */
  public static final String DOCS_PROPERTY = "tinyllm.it.docs-dir";

  private static final String OPENING = "```promql";
  private static final String CLOSING = "```";

  private PromQlExamples() {}

  public static Path docs() {
    return Path.of(System.getProperty(DOCS_PROPERTY, "../docs"));
  }

  /** Every block's query, in file order, its lines joined by a newline and trimmed. */
  public static List<String> read(Path markdown) throws IOException {
    List<String> queries = new ArrayList<>();
    StringBuilder block = null;
    int line = 0;
    for (String text : Files.readAllLines(markdown)) {
      line++;
      if (block == null) {
        if (text.strip().equals(OPENING)) {
          block = new StringBuilder();
        }
      } else if (text.strip().equals(CLOSING)) {
        String query = block.toString().strip();
        if (query.isEmpty()) {
          throw new IOException(markdown + ":" + line + ": empty promql block");
        }
        queries.add(query);
        block = null;
      } else {
        block.append(text).append('\n');
      }
    }
    if (block != null) {
      throw new IOException(markdown + ": a promql block is not closed");
    }
    return queries;
  }
}
