package io.tinyllm.api.error;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ErrorTypeTest {
  @Test
  void labelsAreTheErrorTypeValuesDashboardsSelectOn() {
    assertThat(Arrays.stream(ErrorType.values()).map(ErrorType::label))
        .containsExactly(
            "internal",
            "llm",
            "connection",
            "timeout",
            "server_error",
            "server_busy",
            "bad_request",
            "model_not_found",
            "malformed_response",
            "stream_error",
            "rate_limited",
            "circuit_open",
            "cancelled",
            "config",
            "graph",
            "graph_invalid",
            "expression",
            "branch_failed",
            "gate_closed",
            "no_route",
            "plugin",
            "queue_rejected",
            "exporter");
  }

  @Test
  void eachExceptionIsClassifiedByItsType() {
    Map<TinyLlmException, String> labels = new LinkedHashMap<>();
    labels.put(new TinyLlmException("x"), "internal");
    labels.put(new LlmException("x"), "llm");
    labels.put(new LlmConnectionException("x"), "connection");
    labels.put(new LlmTimeoutException("x"), "timeout");
    labels.put(new ServerErrorException("x"), "server_error");
    labels.put(new ServerBusyException("x"), "server_busy");
    labels.put(new BadRequestException("x"), "bad_request");
    labels.put(new ModelNotFoundException("x"), "model_not_found");
    labels.put(new MalformedResponseException("x"), "malformed_response");
    labels.put(new StreamException("x"), "stream_error");
    labels.put(new RateLimitedException("x"), "rate_limited");
    labels.put(new CircuitOpenException("x"), "circuit_open");
    labels.put(new CancelledException("x"), "cancelled");
    labels.put(new ConfigException("x"), "config");
    labels.put(new GraphException("x"), "graph");
    labels.put(new PluginException("x"), "plugin");
    labels.put(new QueueRejectedException("x"), "queue_rejected");

    labels.forEach(
        (exception, label) ->
            assertThat(exception.errorType().label())
                .as(exception.getClass().getSimpleName())
                .isEqualTo(label));
  }

  @Test
  void aLabelNamesItsTypeAndAnUnknownOneIsRefusedWithTheKnownOnes() {
    for (ErrorType type : ErrorType.values()) {
      assertThat(ErrorType.ofLabel(type.label())).isSameAs(type);
      assertThat(type).hasToString(type.label());
    }
    assertThatThrownBy(() -> ErrorType.ofLabel("timed_out"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Unknown error type 'timed_out'")
        .hasMessageContaining("timeout");
  }
}
