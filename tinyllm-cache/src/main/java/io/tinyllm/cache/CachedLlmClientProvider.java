package io.tinyllm.cache;

import static java.util.Objects.requireNonNull;

import io.tinyllm.api.error.PluginException;
import io.tinyllm.api.llm.LlmClient;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import jakarta.inject.Provider;
import java.util.Optional;

/**
 * The injector's {@link LlmClient}: the model plug-in's {@code @Named("raw")} client, behind the
 * cache when it is enabled.
 */
final class CachedLlmClientProvider implements Provider<LlmClient> {
  private final Optional<LlmClient> raw;
  private final CachingLlmClientFactory factory;

  @Inject
  CachedLlmClientProvider(
      @Named(CacheModule.RAW) Optional<LlmClient> raw, CachingLlmClientFactory factory) {
    this.raw = requireNonNull(raw, "raw is null");
    this.factory = requireNonNull(factory, "factory is null");
  }

  @Override
  public LlmClient get() {
    LlmClient client =
        raw.orElseThrow(
            () ->
                new PluginException(
                    "The cache plug-in wraps the client bound as @Named(\""
                        + CacheModule.RAW
                        + "\") LlmClient, and no plug-in binds one: install a model plug-in"
                        + " (tinyllm-ollama) that does"));
    return factory.wrap(client);
  }
}
