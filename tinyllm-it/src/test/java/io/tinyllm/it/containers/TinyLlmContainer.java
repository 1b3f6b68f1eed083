package io.tinyllm.it.containers;

import io.tinyllm.metrics.SystemInfoMetrics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.output.OutputFrame;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.builder.Transferable;
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
 *
 * <p>A command that ends ({@code batch}, {@code run}) runs with {@link #runningOnce}: {@code
 * start()} returns when it has exited; its status and output stay readable until {@code stop()}.
 */
public final class TinyLlmContainer extends GenericContainer<TinyLlmContainer>
    implements DeclaresImage {
  public static final String IMAGE_PROPERTY = "tinyllm.it.image.cli";
  public static final String IMAGE_REPOSITORY = "tinyllm/cli";

  /** The port {@link #servingMetrics()} listens on: {@code tinyllm metrics}' default. */
  public static final int METRICS_PORT = 9478;

  /** The port {@link #proxying} listens on: {@code tinyllm proxy}'s default. */
  public static final int PROXY_PORT = 11435;

  /** Where {@link #runningBatch} puts its prompts. */
  public static final String PROMPTS_FILE = "/prompts.txt";

  private static final Duration BATCH_TIMEOUT = Duration.ofMinutes(2);
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

  /**
   * {@code tinyllm proxy} on every interface of the container, in front of {@code upstreams} (each
   * {@code URL} or {@code name=URL}, one {@code --ollama} each); ready once its {@code /metrics}
   * answers, which is after its first health check of a fleet.
   *
   * <pre>{@code
   * TinyLlmContainer.proxying("a=http://sim-a:11434", "b=http://sim-b:11434").withNetwork(network);
   * }</pre>
   */
  public static TinyLlmContainer proxying(String... upstreams) {
    List<String> args =
        new ArrayList<>(
            List.of("proxy", "--addr", "0.0.0.0", "--port", String.valueOf(PROXY_PORT)));
    for (String upstream : upstreams) {
      args.add("--ollama");
      args.add(upstream);
    }
    return new TinyLlmContainer()
        .withCommand(args.toArray(String[]::new))
        .withExposedPorts(PROXY_PORT)
        .waitingFor(
            Wait.forHttp("/metrics")
                .forPort(PROXY_PORT)
                .forStatusCode(200)
                .withStartupTimeout(Duration.ofSeconds(60)));
  }

  /** The base URL of a container's first exposed port as the test reaches it. */
  public String url() {
    return "http://" + getHost() + ":" + getMappedPort(getExposedPorts().get(0));
  }

  /**
   * {@code tinyllm ARGS...} run to its end: {@code start()} returns once the container has exited,
   * whatever its status, and fails if that takes longer than {@code timeout}. The test then reads
   * {@link #exitCode()} and the output; {@code close()} removes the container.
   *
   * <pre>{@code
   * try (TinyLlmContainer version = TinyLlmContainer.runningOnce(Duration.ofSeconds(30), "version")) {
   *   version.start();
   *   assertThat(version.exitCode()).as(version.stderr()).isZero();
   *   String printed = version.stdout();
   * }
   * }</pre>
   */
  public static TinyLlmContainer runningOnce(Duration timeout, String... args) {
    return new TinyLlmContainer()
        .withCommand(args)
        .withStartupCheckStrategy(new ExitedStartupCheckStrategy().withTimeout(timeout));
  }

  /**
   * {@code tinyllm batch /prompts.txt OPTIONS...} run to its end (at most two minutes), with {@code
   * lines} in {@code /prompts.txt}: plain prompts, or JSONL objects.
   *
   * <pre>{@code
   * TinyLlmContainer.runningBatch(List.of("What is 2+2?"),
   *         "--ollama", OllamaContainer.NETWORK_URL, "--push-gateway", "pushgateway:9091")
   *     .withNetwork(network);
   * }</pre>
   */
  public static TinyLlmContainer runningBatch(List<String> lines, String... options) {
    List<String> args = new ArrayList<>(List.of("batch", PROMPTS_FILE));
    args.addAll(List.of(options));
    return runningOnce(BATCH_TIMEOUT, args.toArray(String[]::new))
        .withCopyToContainer(
            // world-readable: the command runs as nobody
            Transferable.of(String.join("\n", lines) + "\n", 0644), PROMPTS_FILE);
  }

  /** The exit status of a command {@link #runningOnce} that has ended. */
  public long exitCode() {
    Long code =
        getDockerClient().inspectContainerCmd(getContainerId()).exec().getState().getExitCodeLong();
    if (code == null) {
      throw new IllegalStateException("The container has not exited");
    }
    return code;
  }

  /** What the command printed on stdout: results and answers. */
  public String stdout() {
    return getLogs(OutputFrame.OutputType.STDOUT);
  }

  /** What the command printed on stderr: summaries, logs and errors. */
  public String stderr() {
    return getLogs(OutputFrame.OutputType.STDERR);
  }

  @Override
  public DockerImageName image() {
    return image;
  }
}
