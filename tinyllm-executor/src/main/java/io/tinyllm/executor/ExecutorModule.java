package io.tinyllm.executor;

import static io.tinyllm.metrics.MetricsBinder.metricsBinder;

import com.google.inject.Binder;
import com.google.inject.Provides;
import com.google.inject.Scopes;
import com.google.inject.multibindings.OptionalBinder;
import io.tinyllm.api.config.KnownSettings;
import io.tinyllm.api.config.Settings;
import io.tinyllm.api.graph.GraphExecutor;
import io.tinyllm.api.llm.LlmClient;
import io.tinyllm.api.spi.TinyLlmModule;
import io.tinyllm.executor.memory.ConversationMemoryFactory;
import io.tinyllm.executor.memory.MemoryConfig;
import io.tinyllm.executor.memory.MemoryMetrics;
import jakarta.inject.Singleton;
import java.util.List;

/**
 * The executor plug-in: the graph loader, registry and engine, {@link GraphExecutor}, conversation
 * memory, and {@link ExecutorMetrics} and {@link MemoryMetrics}. Model nodes use whatever {@link
 * LlmClient} another plug-in binds; without one, graphs of model-free nodes still run.
 */
public final class ExecutorModule implements TinyLlmModule {
  @Override
  public String name() {
    return "executor";
  }

  @Override
  public KnownSettings knownSettings() {
    return KnownSettings.readBy(
        List.of("executor.", "memory."),
        settings -> {
          ExecutorConfig.from(settings);
          MemoryConfig.from(settings);
        });
  }

  @Override
  public void configure(Binder binder) {
    OptionalBinder.newOptionalBinder(binder, LlmClient.class);
    binder.bind(GraphLoader.class).in(Scopes.SINGLETON);
    binder.bind(GraphRegistry.class).in(Scopes.SINGLETON);
    binder.bind(GraphEngine.class).in(Scopes.SINGLETON);
    binder.bind(GraphExecutor.class).to(DefaultGraphExecutor.class).in(Scopes.SINGLETON);
    binder.bind(ConversationMemoryFactory.class).in(Scopes.SINGLETON);
    metricsBinder(binder).bind(ExecutorMetrics.class).bind(MemoryMetrics.class);
  }

  @Provides
  @Singleton
  ExecutorConfig executorConfig(Settings settings) {
    return ExecutorConfig.from(settings);
  }

  @Provides
  @Singleton
  MemoryConfig memoryConfig(Settings settings) {
    return MemoryConfig.from(settings);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ExecutorModule;
  }

  @Override
  public int hashCode() {
    return ExecutorModule.class.hashCode();
  }
}
