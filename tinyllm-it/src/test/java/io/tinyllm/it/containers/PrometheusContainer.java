package io.tinyllm.it.containers;

import java.time.Duration;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.builder.Transferable;
import org.testcontainers.utility.DockerImageName;

/**
 * A Prometheus server: by default {@value #DEFAULT_IMAGE_NAME}, built from Debian's binary by
 * {@code tinyllm-it/images/build-images.sh}; {@code
 * -Dtinyllm.it.image.prometheus=prom/prometheus:v3.5.0} (or a v2.x tag) runs the official image
 * instead. Both keep their configuration in {@value #CONFIG_FILE} and their data in {@code
 * /prometheus}.
 *
 * <pre>{@code
 * @Container
 * static final PrometheusContainer prometheus =
 *     new PrometheusContainer().withNetwork(network).withConfig("""
 *         scrape_configs:
 *           - job_name: tinyllm
 *             static_configs: [{targets: ["tinyllm:9478"]}]
 *         """);
 * PrometheusApi api = new PrometheusApi(prometheus.url());
 * }</pre>
 */
public final class PrometheusContainer extends GenericContainer<PrometheusContainer>
    implements DeclaresImage {
  public static final String IMAGE_PROPERTY = "tinyllm.it.image.prometheus";
  public static final String DEFAULT_IMAGE_NAME = "tinyllm/prometheus:2.42.0";
  public static final int PORT = 9090;
  public static final String CONFIG_FILE = "/etc/prometheus/prometheus.yml";
  public static final String RULES_FILE = "/etc/prometheus/rules.yml";

  private static final DockerImageName DEFAULT_IMAGE = DockerImageName.parse(DEFAULT_IMAGE_NAME);
  private static final DockerImageName OFFICIAL_IMAGE = DockerImageName.parse("prom/prometheus");

  private final DockerImageName image;

  /** The image of {@value #IMAGE_PROPERTY}, else {@value #DEFAULT_IMAGE_NAME}. */
  public PrometheusContainer() {
    this(ContainerImages.resolve(IMAGE_PROPERTY, DEFAULT_IMAGE));
  }

  public PrometheusContainer(DockerImageName image) {
    super(image);
    this.image = image;
    image.assertCompatibleWith(DEFAULT_IMAGE, OFFICIAL_IMAGE);
    withExposedPorts(PORT);
    // spelled out rather than left to the image, whose default flags differ between releases
    withCommand("--config.file=" + CONFIG_FILE, "--storage.tsdb.path=/prometheus");
    waitingFor(
        Wait.forHttp("/-/ready")
            .forPort(PORT)
            .forStatusCode(200)
            .withStartupTimeout(Duration.ofSeconds(60)));
  }

  /** Runs with {@code yaml} as its configuration file. */
  public PrometheusContainer withConfig(String yaml) {
    // world-readable: the official image runs as nobody
    return withCopyToContainer(Transferable.of(yaml, 0644), CONFIG_FILE);
  }

  /**
   * Runs with {@code yaml} as {@value #RULES_FILE}, which a configuration loads with {@code
   * rule_files: [rules.yml]}.
   */
  public PrometheusContainer withRules(String yaml) {
    return withCopyToContainer(Transferable.of(yaml, 0644), RULES_FILE);
  }

  /** The base URL as the test reaches it, e.g. {@code http://localhost:32769}. */
  public String url() {
    return "http://" + getHost() + ":" + getMappedPort(PORT);
  }

  @Override
  public DockerImageName image() {
    return image;
  }
}
