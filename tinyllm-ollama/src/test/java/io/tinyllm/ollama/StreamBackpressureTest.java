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

/** A consumer that stops reading stops the client reading: what waits in memory stays bounded. */
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
      LineChannel channel = ((OllamaStream) handle).channel();

      // the server keeps sending while the listener is stuck in its first onToken
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (channel.queued() < LineChannel.PREFETCH) {
        assertThat(System.nanoTime()).as("the client read ahead").isLessThan(deadline);
        Thread.sleep(5);
      }
      assertThat(channel.queued()).isEqualTo(LineChannel.PREFETCH);
      assertThat(channel.unfilledDemand()).as("the server may send nothing more").isZero();

      release.countDown();
      LlmResponse response = handle.completion().get(30, TimeUnit.SECONDS);

      assertThat(listener.text()).isEqualTo(answer);
      assertThat(response.text()).isEqualTo(answer);
      assertThat(channel.maxQueued()).isLessThanOrEqualTo(LineChannel.PREFETCH);
    }
  }
}
