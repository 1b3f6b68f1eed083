package io.tinyllm.executor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.List;
import org.junit.jupiter.api.Test;

class RegexReplaceTest {
  private final GraphLoader loader = new GraphLoader();

  private static String graph(String config) {
    return """
        id: g
        entry_points: [in]
        exit_points: [out]
        nodes:
          - {id: in, type: entry}
          - id: work
            type: transform
            config: %s
          - {id: out, type: exit}
        edges:
          - {from_node: in, to_node: work}
          - {from_node: work, to_node: out}
        """
        .formatted(config);
  }

  private GraphRun run(String config, String input) {
    try (EngineFixture f = new EngineFixture(new ScriptedLlmClient(r -> "unused"))) {
      return f.engine.run(loader.parse("g.yaml", graph(config)), input);
    }
  }

  private List<String> errors(String config) {
    GraphValidationException e =
        catchThrowableOfType(
            GraphValidationException.class, () -> loader.parse("bad.yaml", graph(config)));
    assertThat(e).as("expected validation errors").isNotNull();
    return e.errors().stream().map(ValidationError::toString).toList();
  }

  @Test
  void replacesEveryMatchWithGroupReferences() {
    GraphRun run =
        run(
            "{op: regex_replace, pattern: '(\\w+)@(\\w+)\\.com', replacement: '$2 at $1'}",
            "mail ann@example.com or bob@test.com");

    assertThat(run.status()).isEqualTo(GraphRun.Status.SUCCESS);
    assertThat(run.output()).isEqualTo("mail example at ann or test at bob");
  }

  @Test
  void namedGroupsAndAnEmptyDefaultReplacement() {
    assertThat(
            run("{op: regex_replace, pattern: '(?<n>\\d+)', replacement: '<${n}>'}", "a1 b22")
                .output())
        .isEqualTo("a<1> b<22>");
    assertThat(run("{op: regex_replace, pattern: '\\s+'}", " a  b ").output()).isEqualTo("ab");
  }

  @Test
  void badPatternIsReportedWithFileLineNodeAndField() {
    assertThat(errors("{op: regex_replace, pattern: '(unclosed', replacement: x}"))
        .containsExactly(
            "bad.yaml:8: node 'work' field 'config.pattern': pattern '(unclosed' is invalid:"
                + " missing closing ): `(unclosed`");
  }

  @Test
  void unsupportedSyntaxIsReportedAtLoadNamingTheConstruct() {
    String pattern = "(|)".repeat(80) + "(?!)";
    assertThat(errors("{op: regex_replace, pattern: '" + pattern + "', replacement: x}"))
        .containsExactly(
            "bad.yaml:8: node 'work' field 'config.pattern': pattern '"
                + pattern
                + "' uses unsupported syntax: lookahead `(?!` (patterns use RE2 syntax: no"
                + " lookaround, backreferences, possessive quantifiers or atomic groups)");
    assertThat(errors("{op: regex_replace, pattern: '(\\w)\\1', replacement: x}"))
        .containsExactly(
            "bad.yaml:8: node 'work' field 'config.pattern': pattern '(\\w)\\1' uses unsupported"
                + " syntax: backreference `\\1` (patterns use RE2 syntax: no lookaround,"
                + " backreferences, possessive quantifiers or atomic groups)");
  }

  @Test
  void missingOrOverlongPatternAndBadReplacementAreReported() {
    assertThat(errors("{op: regex_replace}"))
        .containsExactly(
            "bad.yaml:6: node 'work' field 'config.pattern': is required for a transform node");
    assertThat(errors("{op: regex_replace, pattern: '" + "a".repeat(257) + "'}"))
        .containsExactly(
            "bad.yaml:8: node 'work' field 'config.pattern': pattern is 257 characters long; the"
                + " limit is 256");
    assertThat(errors("{op: regex_replace, pattern: '(a)', replacement: '$2'}"))
        .containsExactly(
            "bad.yaml:8: node 'work' field 'config.replacement': replacement refers to group $2 but"
                + " the pattern has 1 group");
    assertThat(errors("{op: regex_replace, pattern: 'a', replacement: '${x}'}"))
        .containsExactly(
            "bad.yaml:8: node 'work' field 'config.replacement': replacement refers to a group"
                + " '${x}' the pattern does not name");
  }

  @Test
  void backtrackingPatternsRunInLinearTime() {
    // java.util.regex needed exponential time for these; RE2/J finishes at once
    String input = "a".repeat(9_999) + "b";
    GraphRun run = run("{op: regex_replace, pattern: '(a+)+$', replacement: x}", input);
    assertThat(run.status()).isEqualTo(GraphRun.Status.SUCCESS);
    assertThat(run.output()).isEqualTo(input);

    assertThat(run("{op: regex_replace, pattern: '(a+)+b', replacement: x}", input).output())
        .isEqualTo("x");
  }

  @Test
  void namedGroupsInPythonSyntaxToo() {
    assertThat(
            run("{op: regex_replace, pattern: '(?P<n>\\d+)', replacement: '<${n}>'}", "a1 b22")
                .output())
        .isEqualTo("a<1> b<22>");
  }

  @Test
  void inputLongerThanTheBoundIsRefused() {
    GraphRun run = run("{op: regex_replace, pattern: a, replacement: b}", "a".repeat(10_001));

    assertThat(run.status()).isEqualTo(GraphRun.Status.FAILED);
    assertThat(run.error())
        .isEqualTo(
            "Node 'work' failed: input is 10001 characters long; regex_replace takes at most"
                + " 10000 (truncate the text first)");
  }
}
