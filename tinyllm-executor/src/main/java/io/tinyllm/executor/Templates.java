package io.tinyllm.executor;

import io.tinyllm.executor.expression.Values;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Renders {@code {{input}}}-style templates: each {@code {{path}}} is replaced by the value of that
 * path in the payload view ({@code input}, {@code original_input}, {@code route}, {@code
 * nodes.classify}, {@code json.answer}); unknown paths render empty.
 */
final class Templates {
  private static final Pattern PLACEHOLDER =
      Pattern.compile("\\{\\{\\s*([A-Za-z0-9_.\\[\\]]+)\\s*}}");

  private Templates() {}

  /** {@code template} rendered; text longer than {@code limit} allows fails while it is built. */
  static String render(String template, Map<String, Object> view, TextLimit limit) {
    Matcher m = PLACEHOLDER.matcher(template);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      Object value = Expressions.compile(m.group(1)).evaluate(view);
      String text =
          value instanceof Map || value instanceof java.util.List
              ? Json.write(value)
              : Values.text(value);
      limit.checkGrowing(text);
      m.appendReplacement(out, Matcher.quoteReplacement(text));
      limit.checkGrowing(out);
    }
    m.appendTail(out);
    return limit.check(out.toString());
  }
}
