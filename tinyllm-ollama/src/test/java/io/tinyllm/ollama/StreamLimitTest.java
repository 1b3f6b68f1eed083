package io.tinyllm.ollama;

import static org.assertj.core.api.Assertions.assertThat;

import io.tinyllm.api.error.CancelledException;
import io.tinyllm.api.error.RateLimitedException;
import io.tinyllm.api.llm.GenerateRequest;
import io.tinyllm.api.llm.LlmResponse;
import io.tinyllm.api.llm.StreamHandle;
import io.tinyllm.ollama.sim.Endpoint;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** ollama.streams.max-concurrent: the stream over the limit fails at once, typed and named. */
class StreamLimitTest {
  private static final GenerateRequest PING =
      GenerateRequest.builder("qwen2.5:0.5b", "ping").build();

  @Test
  void theStreamOverTheLimitFailsAtOnceWithRateLimitedNamingTheSetting() throws Exception {
    try (ClientFixture f = ClientFixture.start(Map.of(OllamaConfig.STREAMS_MAX_CONCURRENT, "2"))) {
      CountDownLatch release = new CountDownLatch(1);
      HeldListener first = new HeldListener(release);
      HeldListener second = new HeldListener(release);
      StreamHandle a = f.client.generateStream(PING, first);
      StreamHandle b = f.client.generateStream(PING, second);
      first.awaitFirstToken();
      second.awaitFirstToken();

      RecordingListener third = new RecordingListener();
      StreamHandle c = f.client.generateStream(PING, third);

      assertThat(third.terminal)
          .as("reported before generateStream returned")
          .singleElement()
          .isInstanceOfSatisfying(
              RateLimitedException.class,
              e ->
                  assertThat(e)
                      .hasMessage(
                          "The stream from model 'qwen2.5:0.5b' was refused: this client already"
                              + " runs 2 streams, its limit (ollama.streams.max-concurrent); wait"
                              + " for one to end or raise the limit"));
      assertThat(third.tokens).isEmpty();
      assertThat(c.completion()).isCompletedExceptionally();
      assertThat(f.sim.stats().requests(Endpoint.GENERATE)).as("never sent").isEqualTo(2);
      assertThat(f.samples("tinyllm_errors_total"))
          .isEqualTo(
              "tinyllm_errors_total{error_type=\"rate_limited\",graph=\"default\","
                  + "model=\"qwen2.5:0.5b\"} 1.0\n");

      release.countDown();
      assertThat(a.completion().get(10, TimeUnit.SECONDS).text()).isNotEmpty();
      assertThat(b.completion().get(10, TimeUnit.SECONDS).text()).isNotEmpty();
      RecordingListener fourth = new RecordingListener();
      assertThat(f.client.generateStream(PING, fourth).completion().get(10, TimeUnit.SECONDS))
          .as("the slots are free again")
          .isNotNull();
      assertThat(fourth.terminal).singleElement().isInstanceOf(LlmResponse.class);
    }
  }

  @Test
  void aStreamStartedAsSoonAsTheLastOneEndedFindsItsSlotFree() throws Exception {
    try (ClientFixture f = ClientFixture.start(Map.of(OllamaConfig.STREAMS_MAX_CONCURRENT, "1"))) {
      // right after completion() completes, from another thread
      for (int i = 0; i < 20; i++) {
        RecordingListener listener = new RecordingListener();
        f.client.generateStream(PING, listener).completion().get(10, TimeUnit.SECONDS);
        assertThat(listener.terminal).singleElement().isInstanceOf(LlmResponse.class);
      }

      // from the ending stream's own onComplete, on its thread
      AtomicReference<StreamHandle> next = new AtomicReference<>();
      RecordingListener second = new RecordingListener();
      RecordingListener first =
          new RecordingListener() {
            @Override
            public void onComplete(LlmResponse response) {
              next.set(f.client.generateStream(PING, second));
              super.onComplete(response);
            }
          };
      f.client.generateStream(PING, first);
      first.awaitEnd();
      next.get().completion().get(10, TimeUnit.SECONDS);
      assertThat(second.terminal).singleElement().isInstanceOf(LlmResponse.class);
      assertThat(f.samples("tinyllm_errors_total")).isEmpty();
    }
  }

  @Test
  void aCancelledStreamFreesItsSlotAtOnce() throws Exception {
    try (ClientFixture f = ClientFixture.start(Map.of(OllamaConfig.STREAMS_MAX_CONCURRENT, "1"))) {
      f.sim.faults().hang(Duration.ofSeconds(10), 1);
      RecordingListener hung = new RecordingListener();
      StreamHandle handle = f.client.generateStream(PING, hung);
      assertThat(f.sim.stats().awaitRequests(Endpoint.GENERATE, 1, Duration.ofSeconds(10)))
          .as("the request reached the server")
          .isTrue();

      handle.cancel();

      assertThat(hung.terminal).singleElement().isInstanceOf(CancelledException.class);
      RecordingListener next = new RecordingListener();
      f.client.generateStream(PING, next).completion().get(10, TimeUnit.SECONDS);
      assertThat(next.terminal).singleElement().isInstanceOf(LlmResponse.class);
    }
  }

  /** Blocks in its first onToken until released: a consumer that holds its stream open. */
  static final class HeldListener extends RecordingListener {
    private final CountDownLatch release;

    HeldListener(CountDownLatch release) {
      this.release = release;
    }

    @Override
    public void onToken(String token) {
      super.onToken(token);
      try {
        if (!release.await(10, TimeUnit.SECONDS)) {
          throw new AssertionError("not released within 10 s");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
