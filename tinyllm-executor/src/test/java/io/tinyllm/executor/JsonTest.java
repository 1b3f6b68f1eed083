package io.tinyllm.executor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tinyllm.api.error.GraphException;
import io.tinyllm.executor.expression.Expression;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {
  private static boolean holds(String condition, String text) {
    return Expression.parse(condition).test(Payload.of(text).view());
  }

  @Test
  void anEscapedSlashIsValidJson() {
    assertThat(Json.parse("{\"a\":\"x\\/y\"}")).isEqualTo(Map.of("a", "x/y"));
    // before, the text was rejected and every json.* condition silently saw nothing
    assertThat(holds("json.a == 'x/y'", "{\"a\":\"x\\/y\"}")).isTrue();
  }

  @Test
  void bigIntegersStayNumbersAndCompareExactly() {
    String text = "{\"id\": 12345678901234567891, \"small\": 7}";

    assertThat(((Map<?, ?>) Json.parse(text)).get("id"))
        .isEqualTo(new BigInteger("12345678901234567891"));
    assertThat(holds("json.id == 12345678901234567891", text)).isTrue();
    assertThat(holds("json.id == 12345678901234567890", text)).isFalse();
    assertThat(holds("json.id > 12345678901234567890", text)).isTrue();
    assertThat(holds("json.id < 12345678901234567892", text)).isTrue();
    assertThat(holds("json.id > json.small", text)).isTrue();
    assertThat(holds("json.small == 7", text)).isTrue();
    // written back as a number, not as a quoted string
    assertThat(Json.write(Json.parse(text))).isEqualTo("{\"id\":12345678901234567891,\"small\":7}");
  }

  @Test
  void onlyJsonObjectsAndArraysBecomeTheJsonView() {
    assertThat(Json.parseOrNull("  [1, 2.5, true, null, \"s\"] "))
        .isEqualTo(listOf(1, 2.5, true, null, "s"));
    assertThat(Json.parseOrNull("42")).isNull();
    assertThat(Json.parseOrNull("plain text")).isNull();
    assertThat(Json.parseOrNull("{\"a\": 1} and more")).isNull();
    assertThat(Json.parseOrNull("{\"a\": ")).isNull();
    // YAML flow mappings were taken for JSON before; they are not JSON
    assertThat(Json.parseOrNull("{a: 1}")).isNull();
    String big = "[\"" + "x".repeat(Json.MAX_CHARS) + "\"]";
    assertThat(Json.parseOrNull(big)).isNull();
    assertThat(Payload.of("{a: 1}").view()).doesNotContainKey("json");
  }

  @Test
  void invalidJsonFailsWithAClearMessage() {
    assertThatThrownBy(() -> Json.parse("{\"a\": }"))
        .isInstanceOf(GraphException.class)
        .hasMessageStartingWith("Text is not valid JSON: Unexpected character ('}'");
  }

  @Test
  void writesEscapedTextAndWholeNumbersWithoutAFraction() {
    Map<String, Object> value = new LinkedHashMap<>();
    value.put("text", "say \"hi\"\n\t\\ \u0001");
    value.put("whole", 42.0);
    value.put("fraction", 0.75);
    value.put("list", listOf(1, null, false));
    value.put("nested", Map.of("k", "v"));

    assertThat(Json.write(value))
        .isEqualTo(
            "{\"text\":\"say \\\"hi\\\"\\n\\t\\\\ \\u0001\",\"whole\":42,\"fraction\":0.75,"
                + "\"list\":[1,null,false],\"nested\":{\"k\":\"v\"}}");
    assertThat(Json.write(null)).isEqualTo("null");
  }

  @Test
  void jsonExtractReadsEscapesAndKeepsBigIntegers() {
    String graph =
        """
        id: g
        entry_points: [in]
        exit_points: [out]
        nodes:
          - {id: in, type: entry}
          - {id: pick, type: transform, config: {op: json_extract, path: "%s"}}
          - {id: out, type: exit}
        edges:
          - {from_node: in, to_node: pick}
          - {from_node: pick, to_node: out}
        """;
    String input = "{\"url\": \"http:\\/\\/x\\/y\", \"ids\": [12345678901234567891, 2]}";
    try (EngineFixture f = new EngineFixture(new ScriptedLlmClient(r -> "unused"))) {
      GraphLoader loader = new GraphLoader();
      assertThat(f.engine.run(loader.parse("g.yaml", graph.formatted("url")), input).output())
          .isEqualTo("http://x/y");
      assertThat(f.engine.run(loader.parse("g.yaml", graph.formatted("ids")), input).output())
          .isEqualTo("[12345678901234567891,2]");
      assertThat(f.engine.run(loader.parse("g.yaml", graph.formatted("ids[0]")), input).output())
          .isEqualTo("12345678901234567891");
    }
  }

  private static List<Object> listOf(Object... items) {
    return Arrays.asList(items);
  }
}
