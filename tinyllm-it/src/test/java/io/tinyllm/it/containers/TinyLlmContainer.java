package io.tinyllm.it.containers;

import io.tinyllm.metrics.SystemInfoMetrics;
import java.time.Duration;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;

/**
 * The {@code tinyllm} command in a container: by default {@code tinyllm/cli:<this version>}, a
 * jlink'd JRE and the CLI distribution built by {@code tinyllm-it/images/build-images.sh}. The
 * image's entry point is the command itself, so a container's command is its arguments.
 *
 * <pre>{@code
 * @Container
 * static final TinyLlmContainer tinyllm =
 *     TinyLlmContainer.servingMetrics().withNetwork(network).withNetworkAliases("tinyllm");
 * // Prometheus on the same network scrapes tinyllm:9478
 * }</pre>
 */
public final class TinyLlmContainer extends GenericContainer<TinyLlmContainer>
    implements DeclaresImage {
  public static final String IMAGE_PROPERTY = "tinyllm.it.image.cli";
  public static final String IMAGE_REPOSITORY = "tinyllm/cli";

  /** The port {@link #servingMetrics()} listens on: {@code tinyllm metrics}' default. */
  public static final int METRICS_PORT = 9478;

  private static final DockerImageName DEFAULT_IMAGE =
      DockerImageName.parse(IMAGE_REPOSITORY + ":" + SystemInfoMetrics.version());

  private final DockerImageName image;

  /** The image of {@value #IMAGE_PROPERTY}, else {@code tinyllm/cli:<this version>}. */
  public TinyLlmContainer() {
    this(ContainerImages.resolve(IMAGE_PROPERTY, DEFAULT_IMAGE));
  }

  public TinyLlmContainer(DockerImageName image) {
    super(image);
    this.image = image;
    image.assertCompatibleWith(DEFAULT_IMAGE);
  }

  /**
   * {@code tinyllm metrics} on every interface of the container, ready once {@code /metrics}
   * answers.
   */
  public static TinyLlmContainer servingMetrics() {
    return new TinyLlmContainer()
        .withCommand("metrics", "--addr", "0.0.0.0", "--port", String.valueOf(METRICS_PORT))
        .withExposedPorts(METRICS_PORT)
        .waitingFor(
            Wait.forHttp("/metrics")
                .forPort(METRICS_PORT)
                .forStatusCode(200)
                .withStartupTimeout(Duration.ofSeconds(60)));
  }

  /**
   * {@code tinyllm demo}: the built-in simulator and workload, serving {@code /metrics} on every
   * interface of the container; ready once {@code /metrics} answers.
   */
  public static TinyLlmContainer runningDemo() {
    return new TinyLlmContainer()
        .withCommand(
            "demo",
            "--addr",
            "0.0.0.0",
            "--port",
            String.valueOf(METRICS_PORT),
            "--time-scale",
            "0.2")
        .withExposedPorts(METRICS_PORT)
        .waitingFor(
            Wait.forHttp("/metrics")
                .forPort(METRICS_PORT)
                .forStatusCode(200)
                .withStartupTimeout(Duration.ofSeconds(60)));
  }

  @Override
  public DockerImageName image() {
    return image;
  }
}
