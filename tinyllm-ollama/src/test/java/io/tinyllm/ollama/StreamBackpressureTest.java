package io.tinyllm.ollama;

import static org.assertj.core.api.Assertions.assertThat;

import io.tinyllm.api.llm.GenerateRequest;
import io.tinyllm.api.llm.LlmResponse;
import io.tinyllm.api.llm.StreamHandle;
import io.tinyllm.ollama.sim.SimulatorConfig;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * A consumer that stops reading stops the client reading: what waits in memory stays bounded. (The
 * {@code HttpClient} path's bound, at most {@link LineChannel#PREFETCH} reads, is
 * LineChannelTest's.)
 */
class StreamBackpressureTest {
  @Test
  void aStalledListenerLeavesAtMostPrefetchReadsBufferedAndLosesNothing() throws Exception {
    // about 3000 chunks of ~100 bytes: many times what PREFETCH reads of 16 KiB hold
    String answer =
        IntStream.range(0, 3000).mapToObj(i -> "w" + i).collect(Collectors.joining(" "));
    SimulatorConfig sim =
        SimulatorConfig.builder().timeScale(0).cannedAnswer("many", answer).build();
    try (ClientFixture f = ClientFixture.start(sim, Map.of())) {
      CountDownLatch release = new CountDownLatch(1);
      StreamLimitTest.HeldListener listener = new StreamLimitTest.HeldListener(release);
      StreamHandle handle =
          f.client.generateStream(
              GenerateRequest.builder("qwen2.5:0.5b", "many").build(), listener);
      listener.awaitFirstToken();
      // a plain-HTTP server: the stream reads its own socket, on the thread the listener holds
      BlockingBody body = (BlockingBody) ((OllamaStream) handle).channel();
      long readWhenStalled = body.bytesRead();
      assertThat(readWhenStalled)
          .as("nothing is read ahead of the listener: one read at most")
          .isPositive()
          .isLessThanOrEqualTo(BlockingBody.READ_BYTES);

      release.countDown();
      LlmResponse response = handle.completion().get(30, TimeUnit.SECONDS);

      assertThat(listener.text()).isEqualTo(answer);
      assertThat(response.text()).isEqualTo(answer);
      assertThat(body.bytesRead())
          .as("the answer is many reads long")
          .isGreaterThan(readWhenStalled);
    }
  }
}
