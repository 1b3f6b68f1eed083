package io.tinyllm.ollama;

import static org.assertj.core.api.Assertions.assertThat;

import io.tinyllm.api.llm.GenerateRequest;
import io.tinyllm.api.llm.GenerationOptions;
import io.tinyllm.api.llm.LlmResponse;
import io.tinyllm.ollama.sim.SimulatorConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code tinyllm_model_load_duration_seconds} counts the loads the server really made, when
 * concurrent requests queue at Ollama's default of one parallel request per model: the requests
 * that waited for another request's load report that wait as their {@code load_duration} too
 * (Ollama v0.13.5: {@code checkpointLoaded} comes when the scheduler hands over the runner, after
 * the load), and are not counted again.
 */
class ModelLoadCountTest {
  private static final String MODEL = "qwen2.5:0.5b";
  private static final int CONCURRENT = 6;

  @Test
  void sixQueuedRequestsToAnUnloadedModelAreOneLoadAndANewContextSizeIsASecond() throws Exception {
    SimulatorConfig simConfig =
        SimulatorConfig.builder().timeScale(1.0).numParallel(1).cannedAnswer("hi", "ok").build();
    ExecutorService callers = Executors.newFixedThreadPool(CONCURRENT);
    try (ClientFixture f = ClientFixture.start(simConfig, Map.of())) {
      CountDownLatch start = new CountDownLatch(1);
      List<CompletableFuture<LlmResponse>> answers = new ArrayList<>();
      for (int i = 0; i < CONCURRENT; i++) {
        answers.add(
            CompletableFuture.supplyAsync(
                () -> {
                  awaitQuietly(start);
                  return f.client.generate(GenerateRequest.builder(MODEL, "hi").build());
                },
                callers));
      }
      start.countDown();
      List<LlmResponse> done = new ArrayList<>();
      for (CompletableFuture<LlmResponse> answer : answers) {
        done.add(answer.get(60, TimeUnit.SECONDS));
      }

      assertThat(f.sim.stats().modelLoads()).as("loads the simulator made").isEqualTo(1);
      assertThat(f.sim.stats().peakRunningRequests()).as("one at a time").isEqualTo(1);
      // more than one of them reports a load_duration of a load (the wait for it)
      assertThat(done.stream().filter(r -> r.loadDuration().toMillis() >= 100).count())
          .isGreaterThan(1);
      assertThat(f.value("tinyllm_model_load_duration_seconds_count{model=\"qwen2.5:0.5b\"}"))
          .isEqualTo(1.0);

      // a different num_ctx reloads the model
      f.client.generate(
          GenerateRequest.builder(MODEL, "hi")
              .options(GenerationOptions.builder().numCtx(8192).build())
              .build());
      assertThat(f.sim.stats().modelLoads()).isEqualTo(2);
      assertThat(f.value("tinyllm_model_load_duration_seconds_count{model=\"qwen2.5:0.5b\"}"))
          .isEqualTo(2.0);

      // and the loaded model serves the next request without a load
      f.client.generate(
          GenerateRequest.builder(MODEL, "hi")
              .options(GenerationOptions.builder().numCtx(8192).build())
              .build());
      assertThat(f.value("tinyllm_model_load_duration_seconds_count{model=\"qwen2.5:0.5b\"}"))
          .isEqualTo(2.0);
      assertThat(
              f.value(
                  "tinyllm_requests_total{graph=\"default\",model=\"qwen2.5:0.5b\",request_type=\"generate\"}"))
          .isEqualTo(CONCURRENT + 2.0);
    } finally {
      callers.shutdownNow();
    }
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
