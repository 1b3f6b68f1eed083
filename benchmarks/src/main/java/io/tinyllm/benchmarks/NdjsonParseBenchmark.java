package io.tinyllm.benchmarks;

import io.tinyllm.api.llm.LlmResponse;
import io.tinyllm.ollama.NdjsonParsing;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * NDJSON stream parsing on its own (issue #3): the per-chunk work the client's stream thread does
 * for each chunk of a streamed {@code /api/generate} — read it with the client's {@code
 * ChunkReader} (each line encoded to bytes first, as the network delivers them), look for an {@code
 * error}, take the {@code response} and {@code thinking} text, check {@code done}, append — and the
 * final response built from the last chunk. No HTTP, no threads: what is left is the parser, so the
 * figure is an upper bound on the tokens per second one stream thread can take in.
 *
 * <p>The stream is {@value #TOKENS} chunks of one word each in the shape Ollama sends (model,
 * created_at, response, done) and a final chunk with the timing fields. One operation is one chunk
 * ({@link OperationsPerInvocation}), so the throughput mode's ops/s is tokens per second.
 *
 * <p>It calls the client's parsing through {@link NdjsonParsing}, the internal entry point kept for
 * it, so that it can live in the benchmarks' own package (it used to sit in the client's to reach
 * the package-private parser).
 *
 * <p>Latest figures (2026-11-28, 00:41–00:52 UTC; KVM guest, 2 vCPUs Intel Xeon family 6 model 207;
 * OpenJDK 17.0.15; JMH 1.37; {@code -f 1 -wi 5 -w 2s -i 5 -r 2s -prof gc}; load 0.73): 2 293 320 ±
 * 501 460 tokens/s, 1 226 B per token, with a Jackson tree per chunk. With {@code ChunkReader} (run
 * K, 2026-12-06, load 5–6, {@code -f 1 -wi 5 -w 2s -i 5 -r 2s -prof gc}): 1 490 391 ± 2 652 655 and
 * 1 633 540 ± 2 090 368 tokens/s against 1 329 567 ± 965 117 and 1 443 930 ± 2 106 750 for the tree
 * in the same run, 433 B per token. Also in {@code docs/performance.md} (item 4) and {@code
 * docs/ollama-client.md}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class NdjsonParseBenchmark {
  static final int TOKENS = 256;
  private static final String MODEL = "qwen2.5:0.5b";

  private List<String> lines;

  @Setup
  public void setUp() {
    String[] chunks = new String[TOKENS + 1];
    for (int i = 0; i < TOKENS; i++) {
      chunks[i] =
          "{\"model\":\""
              + MODEL
              + "\",\"created_at\":\"2026-11-27T12:00:00."
              + String.format(Locale.ROOT, "%06d", i)
              + "Z\",\"response\":\" word"
              + i
              + "\",\"done\":false}";
    }
    chunks[TOKENS] =
        "{\"model\":\""
            + MODEL
            + "\",\"created_at\":\"2026-11-27T12:00:01.000000Z\",\"response\":\"\",\"done\":true,"
            + "\"done_reason\":\"stop\",\"context\":[1,2,3],\"total_duration\":1200000000,"
            + "\"load_duration\":2000000,\"prompt_eval_count\":12,\"prompt_eval_duration\":"
            + "35000000,\"eval_count\":"
            + TOKENS
            + ",\"eval_duration\":1100000000}";
    lines = Arrays.asList(chunks);
    LlmResponse check = parseStream();
    if (check.outputTokens() != TOKENS || !check.text().endsWith(" word" + (TOKENS - 1))) {
      throw new IllegalStateException("the synthetic stream did not parse as expected: " + check);
    }
  }

  @Benchmark
  @OperationsPerInvocation(TOKENS)
  public LlmResponse parseStream() {
    return NdjsonParsing.parseStream(lines, MODEL);
  }
}
