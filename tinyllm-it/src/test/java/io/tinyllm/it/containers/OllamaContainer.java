package io.tinyllm.it.containers;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import io.tinyllm.metrics.SystemInfoMetrics;
import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.ContainerLaunchException;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;

/**
 * An Ollama server. By default the simulator: {@code tinyllm/cli:<this version>} running {@code
 * ollama-sim --addr 0.0.0.0 --port 11434} (delays scaled by 0.2), no model weights and no new
 * image. With {@code -Dtinyllm.it.image.ollama=ollama/ollama:0.13.5} the real server, run without a
 * command: on its first start it pulls the chat and embedding models of {@link #models()} and the
 * built-in graph's {@value OllamaModels#QA_GRAPH_MODEL}, then commits itself to {@code
 * tinyllm-it/ollama:<tag>-<models>}, which later starts use instead, so the models are downloaded
 * once (as Testcontainers' Ollama module does with {@code commitToImage}). That path needs Docker
 * Hub and Ollama's model registry; it has not run on the project's offline machines.
 *
 * <pre>{@code
 * static final OllamaContainer ollama =
 *     new OllamaContainer().withNetwork(network).withNetworkAliases(OllamaContainer.NETWORK_ALIAS);
 * settings.put("ollama.host", ollama.url());                     // the test, on this machine
 * tinyllm.withCommand("batch", "/prompts.txt", "--ollama", OllamaContainer.NETWORK_URL); // a peer
 * }</pre>
 *
 * <p>Either way it is ready once {@code GET /} answers 200 {@code Ollama is running}.
 */
public final class OllamaContainer extends GenericContainer<OllamaContainer>
    implements DeclaresImage {
  public static final String IMAGE_PROPERTY = "tinyllm.it.image.ollama";
  public static final int PORT = 11434;

  /** The alias peers on a network reach it by, and the URL they use. */
  public static final String NETWORK_ALIAS = "ollama";

  public static final String NETWORK_URL = "http://" + NETWORK_ALIAS + ":" + PORT;

  /** Where the models with the official image are cached; not {@code tinyllm/}: built on demand. */
  static final String CACHE_REPOSITORY = "tinyllm-it/ollama";

  private static final DockerImageName SIMULATOR_IMAGE =
      DockerImageName.parse(TinyLlmContainer.IMAGE_REPOSITORY + ":" + SystemInfoMetrics.version());
  private static final DockerImageName OFFICIAL_IMAGE = DockerImageName.parse("ollama/ollama");
  private static final String READY_TEXT = "Ollama is running";

  private final DockerImageName image;
  private final OllamaModels models;
  private boolean pullModelsOnStart;

  /** The image of {@value #IMAGE_PROPERTY}, else the simulator in {@code tinyllm/cli}. */
  public OllamaContainer() {
    this(ContainerImages.resolve(IMAGE_PROPERTY, SIMULATOR_IMAGE));
  }

  public OllamaContainer(DockerImageName image) {
    super(image);
    this.image = image;
    image.assertCompatibleWith(SIMULATOR_IMAGE, OFFICIAL_IMAGE);
    this.models = isSimulator() ? OllamaModels.forSimulator() : OllamaModels.forOfficialImage();
    withExposedPorts(PORT);
    if (isSimulator()) {
      // its delays scaled down: the tests check figures, not how long a small model takes
      withCommand(
          "ollama-sim", "--addr", "0.0.0.0", "--port", String.valueOf(PORT), "--time-scale", "0.2");
    }
    waitingFor(
        Wait.forHttp("/")
            .forPort(PORT)
            .forStatusCode(200)
            .forResponsePredicate(READY_TEXT::equals)
            .withStartupTimeout(Duration.ofSeconds(isSimulator() ? 60 : 180)));
  }

  /** Whether this runs the simulator (of a {@code tinyllm/cli} image) rather than Ollama itself. */
  public boolean isSimulator() {
    return image.getRepository().equals(SIMULATOR_IMAGE.getRepository());
  }

  /** The models the tests use on this server. */
  public OllamaModels models() {
    return models;
  }

  /** The base URL as the test reaches it, e.g. {@code http://localhost:32770}. */
  public String url() {
    return "http://" + getHost() + ":" + getMappedPort(PORT);
  }

  @Override
  public DockerImageName image() {
    return image;
  }

  /** The official image: the cached one with the models when there is one. Runs at start only. */
  @Override
  protected void configure() {
    super.configure();
    if (isSimulator()) {
      return;
    }
    String cached = cachedImageName();
    DockerClient docker = DockerClientFactory.instance().client();
    if (docker.listImagesCmd().withReferenceFilter(cached).exec().isEmpty()) {
      pullModelsOnStart = true;
    } else {
      setDockerImageName(cached);
    }
  }

  @Override
  protected void containerIsStarted(InspectContainerResponse containerInfo) {
    super.containerIsStarted(containerInfo);
    if (!pullModelsOnStart) {
      return;
    }
    for (String model : preloadedModels()) {
      pull(model);
    }
    commitToImage(cachedImageName());
    pullModelsOnStart = false;
  }

  private void pull(String model) {
    try {
      logger().info("Pulling model {} into {} (once: the result is committed)", model, image);
      ExecResult pulled = execInContainer("ollama", "pull", model);
      if (pulled.getExitCode() != 0) {
        throw new ContainerLaunchException(
            "ollama pull "
                + model
                + " failed ("
                + pulled.getExitCode()
                + "): "
                + pulled.getStderr());
      }
    } catch (IOException e) {
      throw new ContainerLaunchException("ollama pull " + model + " failed: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ContainerLaunchException("Interrupted while pulling " + model, e);
    }
  }

  /** Commits the running container, models included, to {@code imageName}, unless it exists. */
  private void commitToImage(String imageName) {
    DockerClient docker = DockerClientFactory.instance().client();
    if (!docker.listImagesCmd().withReferenceFilter(imageName).exec().isEmpty()) {
      return;
    }
    DockerImageName target = DockerImageName.parse(imageName);
    docker
        .commitCmd(getContainerId())
        .withRepository(target.getRepository())
        .withTag(target.getVersionPart())
        // a session label would mark the image for removal with this run's containers
        .withLabels(Map.of("org.testcontainers.sessionId", ""))
        .exec();
    logger().info("Committed {} with its models as {}", image, imageName);
  }

  /**
   * The models the official image is given before the tests: theirs, and the built-in graph's,
   * which {@code tinyllm batch} uses.
   */
  private Set<String> preloadedModels() {
    Set<String> preloaded = new LinkedHashSet<>();
    preloaded.add(models.chat());
    preloaded.add(models.embedding());
    preloaded.add(OllamaModels.QA_GRAPH_MODEL);
    return preloaded;
  }

  /** E.g. {@code tinyllm-it/ollama:0.13.5-qwen2.5-0.5b-all-minilm-22m}. */
  String cachedImageName() {
    String tag = image.getVersionPart() + "-" + String.join("-", preloadedModels());
    return CACHE_REPOSITORY + ":" + tag.replaceAll("[^A-Za-z0-9_.-]", "-");
  }
}
