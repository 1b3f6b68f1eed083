package io.tinyllm.executor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.ProvisionException;
import io.tinyllm.api.config.Settings;
import io.tinyllm.api.graph.GraphExecutor;
import io.tinyllm.api.llm.LlmClient;
import io.tinyllm.api.queue.Priority;
import io.tinyllm.api.queue.RequestQueue;
import io.tinyllm.api.spi.Plugins;
import io.tinyllm.api.spi.TinyLlmModule;
import io.tinyllm.executor.memory.ConversationMemoryFactory;
import io.tinyllm.executor.queue.Backpressure;
import io.tinyllm.executor.queue.BlockBackpressure;
import io.tinyllm.executor.queue.QueueModule;
import io.tinyllm.metrics.MetricsCollector;
import io.tinyllm.metrics.MetricsModule;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ModulesTest {
  @Test
  void serviceLoaderFindsBothModules() {
    List<TinyLlmModule> plugins = Plugins.discover(getClass().getClassLoader());
    assertThat(plugins).extracting(TinyLlmModule::name).contains("executor", "queue");
    assertThat(plugins).hasAtLeastOneElementOfType(ExecutorModule.class);
    assertThat(plugins).hasAtLeastOneElementOfType(QueueModule.class);
  }

  @Test
  void injectorScrapesEveryFamilyAndRunsAGraph() throws Exception {
    ScriptedLlmClient client = new ScriptedLlmClient(r -> "4");
    Injector injector =
        Guice.createInjector(
            new MetricsModule(),
            new ExecutorModule(),
            new QueueModule(),
            Settings.module(Settings.empty()),
            binder -> binder.bind(LlmClient.class).toInstance(client));
    injector.getInstance(GraphRegistry.class).register(new GraphLoader().loadExample("qa.yaml"));
    assertThat(injector.getInstance(GraphExecutor.class).execute("qa", "2+2?").output())
        .isEqualTo("4");
    injector.getInstance(ConversationMemoryFactory.class).create().clear();
    RequestQueue queue = injector.getInstance(RequestQueue.class);
    assertThat(queue.submit(Priority.HIGH, () -> "done").get(10, TimeUnit.SECONDS))
        .isEqualTo("done");
    queue.shutdown(Duration.ofSeconds(5));

    MetricsCollector collector = injector.getInstance(MetricsCollector.class);
    assertThat(collector.owners())
        .containsKeys(
            "tinyllm_node_executions",
            "tinyllm_node_execution_duration_seconds",
            "tinyllm_node_errors",
            "tinyllm_node_outcomes",
            "tinyllm_graph_executions",
            "tinyllm_graph_execution_duration_seconds",
            "tinyllm_queue_size",
            "tinyllm_queue_wait_time_seconds",
            "tinyllm_queue_requests",
            "tinyllm_queue_requests_rejected",
            "tinyllm_queue_active_workers",
            "tinyllm_memory_operations");
    String text = collector.scrapeText();
    for (String family :
        List.of(
            "tinyllm_node_executions_total{graph=\"qa\",node=\"answer\"} 1.0",
            "tinyllm_node_execution_duration_seconds_count{graph=\"qa\",node=\"answer\"} 1",
            "tinyllm_graph_executions_total{graph=\"qa\"} 1.0",
            "tinyllm_graph_execution_duration_seconds_count{graph=\"qa\"} 1",
            "tinyllm_queue_size{priority=\"all\"} 0.0",
            "tinyllm_queue_wait_time_seconds_count{priority=\"high\"} 1",
            "tinyllm_queue_requests_total{priority=\"high\"} 1.0",
            "tinyllm_queue_requests_rejected_total 0.0",
            "tinyllm_queue_active_workers 0.0",
            "tinyllm_memory_operations_total{operation_type=\"clear\"} 1.0")) {
      assertThat(text).contains(family);
    }
  }

  @Test
  void backpressureIsChosenBySettingAndAnUnknownOneIsNamed() {
    Injector block =
        Guice.createInjector(
            new MetricsModule(),
            new QueueModule(),
            Settings.module(Settings.of(Map.of("queue.backpressure", "block"))));
    assertThat(block.getInstance(Backpressure.class)).isInstanceOf(BlockBackpressure.class);

    Injector bad =
        Guice.createInjector(
            new MetricsModule(),
            new QueueModule(),
            Settings.module(Settings.of(Map.of("queue.backpressure", "drop"))));
    assertThatThrownBy(() -> bad.getInstance(Backpressure.class))
        .isInstanceOf(ProvisionException.class)
        .hasMessageContaining("expected one of [block, reject]");
  }

  @Test
  void executorWorksWithoutAnLlmClientForModelFreeGraphs() {
    Injector injector = Guice.createInjector(new MetricsModule(), new ExecutorModule());
    GraphEngine engine = injector.getInstance(GraphEngine.class);
    GraphDefinition graph =
        new GraphLoader()
            .parse(
                "t.yaml",
                "id: t\nentry_points: [in]\nexit_points: [out]\nnodes:\n"
                    + "  - {id: in, type: entry}\n  - {id: out, type: exit}\n"
                    + "edges:\n  - {from_node: in, to_node: out}\n");
    assertThat(engine.run(graph, "hi").output()).isEqualTo("hi");
  }
}
