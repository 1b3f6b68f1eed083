package io.tinyllm.it.containers;

import java.time.Duration;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;

/**
 * A Prometheus Pushgateway: by default {@value #DEFAULT_IMAGE_NAME}, built from Debian's binary by
 * {@code tinyllm-it/images/build-images.sh}; {@code
 * -Dtinyllm.it.image.pushgateway=prom/pushgateway:v1.11.1} runs the official image instead.
 *
 * <pre>{@code
 * @Container static final PushgatewayContainer pushgateway = new PushgatewayContainer();
 * settings.put("metrics.pushgateway.address", pushgateway.address());
 * }</pre>
 *
 * <p>The image has no shell, so readiness is asked over HTTP ({@code /-/ready}).
 */
public final class PushgatewayContainer extends GenericContainer<PushgatewayContainer>
    implements DeclaresImage {
  public static final String IMAGE_PROPERTY = "tinyllm.it.image.pushgateway";
  public static final String DEFAULT_IMAGE_NAME = "tinyllm/pushgateway:1.5.1";
  public static final int PORT = 9091;

  private static final DockerImageName DEFAULT_IMAGE = DockerImageName.parse(DEFAULT_IMAGE_NAME);
  private static final DockerImageName OFFICIAL_IMAGE = DockerImageName.parse("prom/pushgateway");

  private final DockerImageName image;

  /** The image of {@value #IMAGE_PROPERTY}, else {@value #DEFAULT_IMAGE_NAME}. */
  public PushgatewayContainer() {
    this(ContainerImages.resolve(IMAGE_PROPERTY, DEFAULT_IMAGE));
  }

  public PushgatewayContainer(DockerImageName image) {
    super(image);
    this.image = image;
    image.assertCompatibleWith(DEFAULT_IMAGE, OFFICIAL_IMAGE);
    withExposedPorts(PORT);
    waitingFor(
        Wait.forHttp("/-/ready")
            .forPort(PORT)
            .forStatusCode(200)
            .withStartupTimeout(Duration.ofSeconds(60)));
  }

  /** {@code host:port} as the test reaches it, the form of {@code metrics.pushgateway.address}. */
  public String address() {
    return getHost() + ":" + getMappedPort(PORT);
  }

  /** The base URL as the test reaches it, e.g. {@code http://localhost:32768}. */
  public String url() {
    return "http://" + address();
  }

  @Override
  public DockerImageName image() {
    return image;
  }
}
