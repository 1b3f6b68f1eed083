package io.tinyllm.ollama.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every fault of {@link FaultInjector} from the command line ({@link OllamaSimulatorMain} and, with
 * the same {@link FaultFlags}, {@code tinyllm ollama-sim}), observed over real HTTP.
 */
class FaultFlagsTest {
  private static final String GENERATE = "{\"model\":\"qwen2.5:0.5b\",\"prompt\":\"Tell me more\"}";

  @Test
  void midStreamErrorFromFlagsSendsTheErrorLineAfterTheChunks() throws Exception {
    try (Started started =
        start("--mid-stream-error", "2", "--fault-message", "runner crashed", "--fault-times=1")) {
      SimClient.Streamed streamed = started.client().stream("/api/generate", GENERATE);
      assertThat(streamed.status()).isEqualTo(200);
      assertThat(streamed.lines()).hasSize(3);
      assertThat(streamed.lines().get(2)).isEqualTo("{\"error\":\"runner crashed\"}");
      // --fault-times 1: the next request is whole
      List<String> next = started.client().stream("/api/generate", GENERATE).lines();
      assertThat(SimClient.parse(next.get(next.size() - 1)).get("done").asBoolean()).isTrue();
    }
  }

  @Test
  void failNextAndErrorRateAnswerTheirStatus() throws Exception {
    try (Started started = start("--fail-next", "1:503", "--error-rate", "1:502")) {
      SimClient.Reply first = started.client().post("/api/generate", GENERATE);
      assertThat(first.status()).isEqualTo(503);
      assertThat(first.error()).isEqualTo(FaultInjector.DEFAULT_MESSAGE);
      assertThat(started.client().post("/api/generate", GENERATE).status()).isEqualTo(502);
    }
  }

  @Test
  void streamFaultsFromFlagsBreakTheStream() throws Exception {
    try (Started started = start("--drop-after", "1")) {
      SimClient.Streamed dropped = started.client().stream("/api/generate", GENERATE);
      assertThat(dropped.lines()).hasSize(1);
      assertThat(dropped.failure()).isInstanceOf(IOException.class);
    }
    try (Started started = start("--malformed-after", "1")) {
      List<String> lines = started.client().stream("/api/generate", GENERATE).lines();
      assertThat(lines.get(1)).doesNotEndWith("}");
    }
    try (Started started = start("--stall-after", "1:50ms")) {
      SimClient.Streamed stalled = started.client().stream("/api/generate", GENERATE);
      assertThat(stalled.lines()).hasSize(1);
      assertThat(stalled.failure()).isNotNull();
    }
    try (Started started = start("--hang", "50ms")) {
      // no status line at all: the connection is dropped before any answer
      assertThatThrownBy(() -> started.client().stream("/api/generate", GENERATE))
          .isInstanceOf(IOException.class);
    }
  }

  @Test
  void scopeAndSeedAndHoldReachTheSimulator() throws Exception {
    try (Started started =
        start("--fail-next", "1", "--fault-scope", "tags", "--fault-seed", "7", "--max-hold=2s")) {
      assertThat(started.sim().config().faultSeed()).isEqualTo(7);
      assertThat(started.sim().config().maxHold()).hasSeconds(2);
      // generate is out of scope now; tags is in it
      assertThat(started.client().post("/api/generate", GENERATE).status()).isEqualTo(200);
      assertThat(started.client().get("/api/tags").status()).isEqualTo(500);
    }
    try (Started started = start("--slow-first-token", "1ms")) {
      assertThat(started.client().post("/api/generate", GENERATE).status()).isEqualTo(200);
      assertThat(started.sim().stats().injectedFaults()).isEqualTo(1);
    }
  }

  @Test
  void aBadValueIsOneLineNamingTheOptionAndTheValue() {
    List<String[]> bad =
        List.of(
            new String[] {"--fail-next", "two", "(expected COUNT[:STATUS], e.g. 2 or 2:503)"},
            new String[] {"--fail-next", "1:200", "(expected a STATUS from 400 to 599)"},
            new String[] {"--error-rate", "1.5", "(expected RATE[:STATUS] with RATE from 0 to 1)"},
            new String[] {"--mid-stream-error", "-1", "(expected CHUNKS, e.g. 3)"},
            new String[] {"--stall-after", "3", "(expected CHUNKS:DURATION, e.g. 3:10s)"},
            new String[] {"--hang", "soon", "(expected DURATION such as 500ms, 2s or 1m30s)"},
            new String[] {"--hang", "-1s", "(expected DURATION that is not negative)"},
            new String[] {"--fault-times", "0", "(expected a positive count)"},
            new String[] {"--fault-seed", "x", "(expected an integer)"},
            new String[] {"--max-hold", "1h", "(expected a DURATION above 0 and at most 10m)"},
            new String[] {"--fault-message", "a\nb", "(expected one line of at most 1000"});
    for (String[] flag : bad) {
      assertThatThrownBy(() -> OllamaSimulatorMain.parse(new String[] {flag[0], flag[1]}))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith(
              "Invalid value for option '"
                  + flag[0]
                  + "': '"
                  + flag[1].replace('\n', '?')
                  + "' "
                  + flag[2])
          .hasMessageNotContaining("\n");
    }
    assertThatThrownBy(
            () -> OllamaSimulatorMain.parse(new String[] {"--fault-scope", "generate,nothing"}))
        .hasMessageStartingWith(
            "Invalid value for option '--fault-scope': 'generate,nothing' (expected endpoints"
                + " among root,version,tags,");
    assertThatThrownBy(() -> OllamaSimulatorMain.parse(new String[] {"--hang"}))
        .hasMessage("Missing value for option '--hang' (needs a value)");
  }

  private static Started start(String... args) throws IOException {
    String[] all = new String[args.length + 4];
    System.arraycopy(args, 0, all, 0, args.length);
    System.arraycopy(new String[] {"--port", "0", "--time-scale", "0.01"}, 0, all, args.length, 4);
    FaultFlags flags = new FaultFlags();
    OllamaSimulator sim = OllamaSimulator.start(OllamaSimulatorMain.parse(all, flags));
    flags.applyTo(sim.faults());
    return new Started(sim, new SimClient(sim.baseUri()));
  }

  /** A simulator started from flags, and a client for it. */
  private record Started(OllamaSimulator sim, SimClient client) implements AutoCloseable {
    @Override
    public void close() {
      sim.close();
    }
  }
}
