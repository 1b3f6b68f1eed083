package io.tinyllm.executor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.tinyllm.api.llm.ToolDefinition;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A model node's {@code tools}: validated at load, sent with the chat, calls in the payload. */
class ModelNodeToolsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final GraphLoader loader = new GraphLoader();

  /** A tool-calling node, then an edge taken only when it called get_weather for Tokyo. */
  private GraphDefinition graph(String stream) {
    return loader.parse(
        "tools.yaml",
        """
        id: tools
        entry_points: [in]
        exit_points: [out, text_out]
        nodes:
          - {id: in, type: entry}
          - id: ask
            type: model
            config:
              api: chat
              stream: %s
              tools:
                - name: get_weather
                  description: Get the weather in a given city
                  parameters:
                    type: object
                    properties:
                      city: {type: string, description: The city to get the weather for}
                    required: [city]
          - id: call
            type: transform
            config: {op: template, template: "{{tool_calls[0].name}}({{tool_calls[0].arguments}})"}
          - {id: out, type: exit}
          - {id: text_out, type: exit}
        edges:
          - {from_node: in, to_node: ask}
          - from_node: ask
            to_node: call
            condition: "tool_calls[0].name == 'get_weather' && tool_calls[0].arguments.city == 'Tokyo'"
          - {from_node: ask, to_node: text_out, condition: "!tool_calls"}
          - {from_node: call, to_node: out}
        """
            .formatted(stream));
  }

  @Test
  void theToolsGoWithTheChatAndItsCallsIntoThePayload() throws Exception {
    for (String stream : List.of("false", "true")) {
      ScriptedLlmClient client =
          new ScriptedLlmClient(
              r ->
                  r.prompt().contains("weather")
                      ? "TOOL:get_weather:{\"city\":\"Tokyo\"}"
                      : "no tools needed");
      try (EngineFixture f = new EngineFixture(client)) {
        GraphRun called = f.engine.run(graph(stream), "weather in Tokyo?");
        GraphRun answered = f.engine.run(graph(stream), "hello");

        assertThat(called.output())
            .as("stream: " + stream)
            .isEqualTo("get_weather({\"city\":\"Tokyo\"})");
        assertThat(answered.output()).isEqualTo("no tools needed");
        ToolDefinition sent = client.calls.get(0).tools().get(0);
        assertThat(sent.name()).isEqualTo("get_weather");
        assertThat(sent.description()).isEqualTo("Get the weather in a given city");
        assertThat(JSON.readTree(sent.parametersJson()))
            .isEqualTo(
                JSON.readTree(
                    """
                    {"type": "object",
                     "properties": {"city": {"type": "string",
                                             "description": "The city to get the weather for"}},
                     "required": ["city"]}
                    """));
        assertThat(client.calls).extracting(c -> c.tools().size()).containsExactly(1, 1);
      }
    }
  }

  @Test
  void thePayloadCarriesIdNameAndParsedArguments() {
    assertThat(
            ModelTools.payload(
                List.of(
                    new io.tinyllm.api.llm.ToolCall(
                        "call_1", "get_time", "{\"city\":\"Tokyo\",\"hours\":24}"),
                    new io.tinyllm.api.llm.ToolCall(null, "ping", "{}"))))
        .containsExactly(
            Map.of(
                "id",
                "call_1",
                "name",
                "get_time",
                "arguments",
                Map.of("city", "Tokyo", "hours", 24)),
            Map.of("name", "ping", "arguments", Map.of()));
  }

  @Test
  void badToolsAreValidationErrorsWithTheirLine() {
    String yaml =
        """
        id: g
        entry_points: [in]
        exit_points: [out]
        nodes:
          - {id: in, type: entry}
          - id: a
            type: model
            config:
              api: chat
              tools:
                - {name: get_weather, parameters: {type: object}}
                - {name: get_weather}
                - {description: no name}
                - {name: x, parameters: not a schema}
                - {name: y, argumnets: {}}
          - id: b
            type: model
            config:
              tools: [{name: z}]
          - {id: out, type: exit}
        edges:
          - {from_node: in, to_node: a}
          - {from_node: a, to_node: b}
          - {from_node: b, to_node: out}
        """;

    assertThatThrownBy(() -> loader.parse("bad.yaml", yaml))
        .isInstanceOf(GraphValidationException.class)
        .satisfies(
            e ->
                assertThat(
                        ((GraphValidationException) e)
                            .errors().stream().map(ValidationError::toString).toList())
                    .containsExactly(
                        "bad.yaml:11: node 'a' field 'config.tools': tool 1 repeats the name 'get_weather'",
                        "bad.yaml:11: node 'a' field 'config.tools': tool 2 needs a name",
                        "bad.yaml:11: node 'a' field 'config.tools': tool 3 'x': parameters must be a JSON schema mapping but is the string 'not a schema'",
                        "bad.yaml:11: node 'a' field 'config.tools': tool 4 has unknown key 'argumnets'; a tool has name, description, parameters",
                        "bad.yaml:19: node 'b' field 'config.tools': need api: chat (Ollama's generate takes no tools)"));
  }
}
