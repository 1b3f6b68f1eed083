package io.tinyllm.benchmarks;

import com.google.inject.Injector;
import io.tinyllm.api.config.Settings;
import io.tinyllm.api.error.LlmException;
import io.tinyllm.api.llm.ChatMessage;
import io.tinyllm.api.llm.ChatRequest;
import io.tinyllm.api.llm.EmbedRequest;
import io.tinyllm.api.llm.GenerateRequest;
import io.tinyllm.api.llm.GenerationOptions;
import io.tinyllm.api.llm.LlmClient;
import io.tinyllm.api.queue.Priority;
import io.tinyllm.api.queue.RequestQueue;
import io.tinyllm.executor.GraphDefinition;
import io.tinyllm.executor.GraphEngine;
import io.tinyllm.executor.GraphLoader;
import io.tinyllm.metrics.MetricsCollector;
import io.tinyllm.metrics.TinyLlm;
import io.tinyllm.ollama.OllamaClient;
import io.tinyllm.ollama.sim.OllamaSimulator;
import io.tinyllm.ollama.sim.SimulatorConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Every plug-in on the class path in one injector, talking to an in-process simulator with no
 * simulated delays, after a demo-like workload: plain, streamed and chat calls on three models
 * (repeats hit the cache), embeddings, an unknown model, graph runs and queued jobs. What {@code
 * tinyllm demo} leaves in {@code /metrics}, without its timing.
 */
final class DemoStack implements AutoCloseable {
  static final List<String> MODELS = List.of("qwen2.5:0.5b", "qwen2.5:1.5b", "qwen2.5:3b");

  private final OllamaSimulator simulator;
  private final TinyLlm app;

  DemoStack() {
    try {
      simulator = OllamaSimulator.start(SimulatorConfig.builder().timeScale(0).build());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Settings settings =
        Settings.of(
            Map.of(
                "ollama.host", simulator.baseUri().toString(),
                "ollama.rate-limit.enabled", "false",
                "ollama.retry.initial-backoff", "1ms",
                "cache.enabled", "true",
                "cache.backend", "memory"));
    app = TinyLlm.start(settings);
  }

  MetricsCollector metrics() {
    return app.metrics();
  }

  Injector injector() {
    return app.injector();
  }

  /** Runs the workload once: about 60 calls and 5 graph runs. */
  DemoStack runWorkload() {
    LlmClient client = app.get(LlmClient.class);
    GenerationOptions greedy = GenerationOptions.builder().temperature(0.0).numPredict(32).build();
    for (String model : MODELS) {
      for (int i = 0; i < 6; i++) {
        client.generate(
            GenerateRequest.builder(model, "Question " + (i % 3)).options(greedy).build());
      }
      for (int i = 0; i < 3; i++) {
        client
            .generateStream(
                GenerateRequest.builder(model, "Stream " + i).options(greedy).build(), t -> {})
            .completion()
            .join();
      }
      client
          .chatStream(
              ChatRequest.of(model, List.of(ChatMessage.user("Hello"))).withOptions(greedy),
              t -> {})
          .completion()
          .join();
    }
    client.embed(EmbedRequest.of("nomic-embed-text", List.of("one", "two")));
    try {
      client.generate(GenerateRequest.builder("no-such-model:1b", "x").options(greedy).build());
    } catch (LlmException expected) {
      // counted as an error, as in the demo
    }
    GraphEngine engine = app.get(GraphEngine.class);
    GraphDefinition qa = new GraphLoader().loadExample("qa.yaml");
    for (int i = 0; i < 5; i++) {
      engine.run(qa, "What is " + i + "+2?");
    }
    RequestQueue queue = app.get(RequestQueue.class);
    List<CompletableFuture<?>> jobs = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      String prompt = "Queued " + (i % 4);
      jobs.add(
          queue.submit(
              Priority.values()[i % Priority.values().length],
              () ->
                  client.generate(
                      GenerateRequest.builder(MODELS.get(0), prompt).options(greedy).build())));
    }
    CompletableFuture.allOf(jobs.toArray(CompletableFuture[]::new)).join();
    app.get(OllamaClient.class).running();
    return this;
  }

  @Override
  public void close() {
    app.close();
    simulator.close();
  }
}
