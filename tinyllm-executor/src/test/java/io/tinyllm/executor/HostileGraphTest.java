package io.tinyllm.executor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Graph files written to hurt (the files are in {@code src/test/resources/.../hostile}): each is
 * refused with one problem naming its file and line, within bounded work, or, for what runs, fails
 * the node that crossed a limit.
 */
class HostileGraphTest {
  @TempDir Path dir;

  private static Path hostile(String name) {
    try {
      return Path.of(HostileGraphTest.class.getResource("hostile/" + name).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The problems loading {@code file} reports, as printed. */
  private static List<String> problems(Path file) {
    GraphValidationException e =
        catchThrowableOfType(GraphValidationException.class, () -> new GraphLoader().load(file));
    assertThat(e).as("expected %s to be refused", file).isNotNull();
    return e.errors().stream().map(ValidationError::toString).toList();
  }

  private static long allocatedBytes() {
    return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean())
        .getCurrentThreadAllocatedBytes();
  }

  @Test
  void anAliasBombIsRefusedAtTheAliasThatCrossesTheBudgetWithBoundedMemory() {
    Path file = hostile("alias-bomb.yaml");

    long before = allocatedBytes();
    List<String> problems = problems(file);
    long allocated = allocatedBytes() - before;

    // c0..c8 expand to 44 280 values and each *c8 to 29 524: the second one on line 20 crosses
    assertThat(problems)
        .containsExactly(
            file
                + ":20: field '(yaml)': alias *c8 takes the graph past 100000 values with its"
                + " aliases expanded; that is the limit");
    // expanding it took gigabytes; composing a 1 KB file takes a few megabytes at most
    assertThat(allocated).isLessThan(64L << 20);
  }

  @Test
  void aliasesRepeatingLongTextAreBoundedToo() {
    String text = "y".repeat(200_000);
    String yaml =
        "id: g\nmetadata:\n  a: &a "
            + text
            + "\n  b: [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a,"
            + " *a, *a, *a, *a]\n";

    GraphValidationException e =
        catchThrowableOfType(
            GraphValidationException.class, () -> new GraphLoader().parse("long.yaml", yaml));

    assertThat(e.errors())
        .map(ValidationError::toString)
        .containsExactly(
            "long.yaml:4: field '(yaml)': alias *a takes the graph past 4194304 characters of"
                + " text with its aliases expanded; that is the limit");
  }

  @Test
  void aRecursiveAliasIsOneProblemAtItsLine() {
    Path metadata = hostile("recursive-metadata.yaml");
    Path options = hostile("recursive-options.yaml");

    assertThat(problems(metadata))
        .containsExactly(
            metadata
                + ":10: field '(yaml)': alias *m is inside the value it names, so it would"
                + " contain itself; recursive aliases are not allowed");
    assertThat(problems(options))
        .containsExactly(
            options
                + ":8: field '(yaml)': alias *o is inside the value it names, so it would"
                + " contain itself; recursive aliases are not allowed");
  }

  @Test
  void anAliasToAFinishedValueIsFine() {
    GraphDefinition graph =
        new GraphLoader()
            .parse(
                "ok.yaml",
                """
                id: ok
                metadata: {a: &a [1, 2], b: [*a, *a], c: &c {x: &a [3]}, d: *a}
                nodes:
                  - {id: in, type: entry}
                  - {id: out, type: exit}
                edges: [{from_node: in, to_node: out}]
                entry_points: [in]
                exit_points: [out]
                """);

    assertThat(graph.metadata())
        .isEqualTo(
            Map.of(
                "a", List.of(1L, 2L),
                "b", List.of(List.of(1L, 2L), List.of(1L, 2L)),
                "c", Map.of("x", List.of(3L)),
                "d", List.of(3L)));
  }

  @Test
  void aKeyWrittenTwiceNamesBothLines() {
    Path file = hostile("duplicate-keys.yaml");

    assertThat(problems(file))
        .containsExactly(
            file
                + ":10: node 'ask' field 'config.model': the key is written twice, at lines 8 and"
                + " 10; keep one",
            file + ":17: field 'id': the key is written twice, at lines 2 and 17; keep one");
  }

  @Test
  void aFileOverOneMebibyteIsRefusedWithItsSizeBeforeItIsRead() throws IOException {
    Path file = dir.resolve("comment.yaml");
    String graph = Files.readString(hostile("bom.yaml"), StandardCharsets.UTF_8).substring(1);
    Files.writeString(file, "#" + "x".repeat(10 << 20) + "\n" + graph);
    long size = Files.size(file);

    long before = allocatedBytes();
    List<String> problems = problems(file);
    long allocated = allocatedBytes() - before;

    assertThat(problems)
        .containsExactly(
            file
                + ": field '(file)': the file is "
                + size
                + " bytes; a graph file may be at most 1048576 bytes (1 MiB)");
    // only the first MiB (and one byte) was read
    assertThat(allocated).isLessThan(8L << 20);
  }

  @Test
  void anEndlessDeviceIsReadOnlyUpToTheLimit() {
    Path zero = Path.of("/dev/zero");
    assumeTrue(Files.isReadable(zero), "no /dev/zero");

    assertThat(problems(zero))
        .containsExactly(
            "/dev/zero: field '(file)': the file is more than 1048576 bytes; a graph file may be at"
                + " most 1048576 bytes (1 MiB)");
  }

  @Test
  void aFileThatIsNotUtf8NamesTheFirstBadByte() {
    Path latin1 = hostile("latin1.yaml");
    Path binary = hostile("binary.yaml");
    Path nul = hostile("nul.yaml");

    assertThat(problems(latin1))
        .containsExactly(
            latin1
                + ":10: field '(file)': byte 0xE9 at line 10, column 17 (byte offset 196) is not"
                + " UTF-8; save the graph file as UTF-8 (a Latin-1 or binary file is not read)");
    assertThat(problems(binary))
        .containsExactly(
            binary
                + ":1: field '(file)': byte 0x89 at line 1, column 1 (byte offset 0) is not"
                + " UTF-8; save the graph file as UTF-8 (a Latin-1 or binary file is not read)");
    assertThat(problems(nul))
        .containsExactly(
            nul
                + ":2: field '(file)': control character U+0000 at line 2, column 15; a graph"
                + " file is UTF-8 text, not binary data");
  }

  @Test
  void aByteOrderMarkIsDroppedAndNeverReachesAPrompt() {
    GraphDefinition graph = new GraphLoader().load(hostile("bom.yaml"));

    try (EngineFixture f = new EngineFixture(new ScriptedLlmClient(r -> "fine"))) {
      GraphRun run = f.engine.run(graph, "hello");

      assertThat(run.success()).as(run.error()).isTrue();
      assertThat(graph.id()).isEqualTo("bom");
      assertThat(f.client.calls).singleElement().extracting(c -> c.prompt()).isEqualTo("hello");
    }
  }

  @Test
  void textGrowingInALoopFailsTheNodeAtTheLimit() {
    GraphDefinition graph = new GraphLoader().load(hostile("text-growth.yaml"));

    try (EngineFixture f = new EngineFixture(new ScriptedLlmClient(r -> "unused"))) {
      GraphRun run = f.engine.run(graph, "ab");

      assertThat(run.status()).isEqualTo(GraphRun.Status.FAILED);
      assertThat(run.error())
          .isEqualTo(
              "Node 'grow' failed: Node 'double' failed: its text would be more than 1048576"
                  + " characters; the limit is 1048576 (setting executor.max-payload-chars)");
      // 2 * 2^19 = 1048576 fits; the 20th doubling is the one refused
      assertThat(run.trace().stream().filter(t -> t.node().equals("double")))
          .hasSize(20)
          .last()
          .satisfies(t -> assertThat(t.outcome()).isEqualTo("error"));
    }
  }

  @Test
  void thePayloadLimitIsASetting() {
    GraphDefinition graph = new GraphLoader().load(hostile("text-growth.yaml"));

    try (EngineFixture f =
        new EngineFixture(
            new ScriptedLlmClient(r -> "unused"), Map.of("executor.max-payload-chars", "100"))) {
      GraphRun run = f.engine.run(graph, "ab");

      assertThat(run.error()).contains("more than 100 characters; the limit is 100");
      assertThat(run.trace().stream().filter(t -> t.node().equals("double"))).hasSize(6);
    }
  }

  @Test
  void aGraphMayLowerThePayloadLimitButNeverRaiseIt() throws IOException {
    String growth = Files.readString(hostile("text-growth.yaml"), StandardCharsets.UTF_8);
    GraphDefinition lower =
        new GraphLoader()
            .parse("lower.yaml", growth + "metadata: {execution: {max_payload_chars: 100}}\n");
    GraphDefinition higher =
        new GraphLoader()
            .parse("higher.yaml", growth + "metadata: {execution: {max_payload_chars: 100000}}\n");

    try (EngineFixture f =
        new EngineFixture(
            new ScriptedLlmClient(r -> "unused"), Map.of("executor.max-payload-chars", "1000"))) {
      GraphRun lowered = f.engine.run(lower, "ab");
      GraphRun raised = f.engine.run(higher, "ab");

      assertThat(lowered.error())
          .endsWith(
              "more than 100 characters; the limit is 100 (the graph's"
                  + " metadata.execution.max_payload_chars)");
      assertThat(raised.error()).contains("more than 1000 characters; the limit is 1000");
    }
  }

  @Test
  void aReplacementCannotMultiplyTheText() {
    GraphDefinition graph =
        new GraphLoader()
            .parse(
                "replace.yaml",
                """
                id: replace
                nodes:
                  - {id: in, type: entry}
                  - id: spread
                    type: transform
                    config: {op: regex_replace, pattern: "x?", replacement: "%s"}
                  - {id: out, type: exit}
                edges:
                  - {from_node: in, to_node: spread}
                  - {from_node: spread, to_node: out}
                entry_points: [in]
                exit_points: [out]
                """
                    .formatted("z".repeat(1000)));

    try (EngineFixture f = new EngineFixture(new ScriptedLlmClient(r -> "unused"))) {
      GraphRun run = f.engine.run(graph, "a".repeat(9_999));

      assertThat(run.error())
          .isEqualTo(
              "Node 'spread' failed: its text would be more than 1048576 characters; the limit is"
                  + " 1048576 (setting executor.max-payload-chars)");
    }
  }

  @Test
  void snakeYamlsOwnBoundsNameTheLineToo() {
    String aliases = "id: g\nmetadata:\n  a: &a [1]\n  b: [" + "*a, ".repeat(50) + "\n    *a]\n";
    String deep = "id: g\nmetadata:\n  a: " + "[".repeat(60) + "]".repeat(60) + "\n";
    String nonCharacter = "id: g\ndescription: x\uFFFE\n";

    assertThat(errorsOf("aliases.yaml", aliases))
        .containsExactly(
            "aliases.yaml:5: field '(yaml)': alias *a is the graph's alias number 51 to a list or"
                + " mapping; the limit is 50");
    assertThat(errorsOf("deep.yaml", deep))
        .containsExactly(
            "deep.yaml:3: field '(yaml)': values nest more than 50 deep; that is the limit");
    assertThat(errorsOf("odd.yaml", nonCharacter))
        .containsExactly(
            "odd.yaml:2: field '(file)': non-character U+FFFE at line 2, column 15; a graph file is"
                + " UTF-8 text, not binary data");
  }

  private static List<String> errorsOf(String name, String yaml) {
    GraphValidationException e =
        catchThrowableOfType(
            GraphValidationException.class, () -> new GraphLoader().parse(name, yaml));
    assertThat(e).as("expected %s to be refused", name).isNotNull();
    return e.errors().stream().map(ValidationError::toString).toList();
  }

  @Test
  void aMetadataKeyWithoutAValueIsLeftOut() {
    GraphDefinition graph =
        new GraphLoader()
            .parse(
                "empty.yaml",
                """
                id: ok
                metadata: {owner: , nested: {x: }}
                nodes:
                  - {id: in, type: entry}
                  - {id: out, type: exit}
                edges: [{from_node: in, to_node: out}]
                entry_points: [in]
                exit_points: [out]
                """);

    assertThat(graph.metadata()).containsOnlyKeys("nested");
  }
}
