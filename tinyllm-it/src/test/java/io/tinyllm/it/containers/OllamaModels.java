package io.tinyllm.it.containers;

import static java.util.Objects.requireNonNull;

/**
 * The models the tests use on an {@link OllamaContainer}: the simulator's by default, small real
 * ones with the official image. Each can be changed with a system property.
 *
 * <pre>{@code
 * ./mvnw verify -Dtinyllm.it.image.ollama=ollama/ollama:0.13.5 \
 *               -Dtinyllm.it.ollama.model=smollm2:135m -Dtinyllm.it.ollama.pull-model=all-minilm:33m
 * }</pre>
 *
 * @param chat the model of generate and chat calls ({@value #CHAT_PROPERTY})
 * @param embedding the model of embed calls ({@value #EMBEDDING_PROPERTY})
 * @param pullable a model the server can pull, whose progress is watched ({@value #PULL_PROPERTY})
 */
public record OllamaModels(String chat, String embedding, String pullable) {
  public static final String CHAT_PROPERTY = "tinyllm.it.ollama.model";
  public static final String EMBEDDING_PROPERTY = "tinyllm.it.ollama.embedding-model";
  public static final String PULL_PROPERTY = "tinyllm.it.ollama.pull-model";

  /** The model of the CLI's built-in {@code qa.yaml} graph, which {@code batch} runs by default. */
  public static final String QA_GRAPH_MODEL = "qwen2.5:0.5b";

  public OllamaModels {
    requireNonNull(chat, "chat is null");
    requireNonNull(embedding, "embedding is null");
    requireNonNull(pullable, "pullable is null");
  }

  /** Installed in the simulator, or (the last) pullable from its built-in registry. */
  static OllamaModels forSimulator() {
    return fromProperties("qwen2.5:0.5b", "nomic-embed-text:latest", "llama3.2:1b");
  }

  /**
   * Small models of Ollama's registry (about 400 MB and 46 MB), pulled and committed once. The
   * model pulled by the test is the embedding model again by default: already present, its pull
   * still reports every layer, without downloading on every run.
   */
  static OllamaModels forOfficialImage() {
    return fromProperties("qwen2.5:0.5b", "all-minilm:22m", "all-minilm:22m");
  }

  private static OllamaModels fromProperties(String chat, String embedding, String pullable) {
    return new OllamaModels(
        property(CHAT_PROPERTY, chat),
        property(EMBEDDING_PROPERTY, embedding),
        property(PULL_PROPERTY, pullable));
  }

  private static String property(String name, String defaultValue) {
    String value = System.getProperty(name, "").trim();
    return value.isEmpty() ? defaultValue : value;
  }

  /** The {@code model} label a name is recorded under: an untagged name carries {@code :latest}. */
  public static String label(String model) {
    // a colon before the last slash belongs to a registry's port, not to a tag
    return model.indexOf(':', model.lastIndexOf('/') + 1) < 0 ? model + ":latest" : model;
  }
}
