package io.tinyllm.benchmarks;

import io.tinyllm.ollama.sim.OllamaSimulator;
import io.tinyllm.ollama.sim.SimulatedModel;
import io.tinyllm.ollama.sim.SimulatorConfig;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.List;

/**
 * An {@link OllamaSimulator} in a JVM of its own, with no simulated delay (unless paced, see {@link
 * #main}), so that a benchmark's process CPU time ({@link ProcessCpuProfiler}) is the client's
 * alone. It serves, for each token count {@code n} it was started with, a canned answer to {@link
 * #prompt(int) prompt(n)} that is longer than {@code n} tokens; a request with {@code num_predict =
 * n} then streams exactly {@code n} tokens (done reason {@code length}). The child runs on the
 * benchmark's class path and ends when its standard input closes, so it never outlives the fork
 * that started it.
 */
final class SimulatorProcess implements AutoCloseable {
  static final String READY = "simulator listening on ";

  /**
   * With {@code pace=MICROS}, the model that streams one token every {@code MICROS} µs; the default
   * model then answers with no simulated delay, as without a pace.
   */
  static final String PACED_MODEL = "paced:latest";

  /** The longest pace a child accepts: 100 ms per token is already slower than any real model. */
  static final int MAX_PACE_MICROS = 100_000;

  private static final List<String> SENTENCES =
      List.of(
          "Streaming lets a client show the first words before the whole answer is ready.",
          "The sky looks blue because air scatters short wavelengths of sunlight more strongly.",
          "Timeouts, retries and circuit breakers keep a slow dependency from stalling a service.",
          "Every measurement deserves a unit and an honest error bar.",
          "Backpressure tells a fast producer to slow down before a queue overflows.",
          "Prometheus scrapes metrics over HTTP and stores them as time series.",
          "Water boils at a lower temperature on a mountain because the air pressure is lower.");

  private final ChildProcess child;

  private SimulatorProcess(ChildProcess child) {
    this.child = child;
  }

  /** The prompt whose canned answer has more than {@code tokens} tokens. */
  static String prompt(int tokens) {
    return "Tell me a long story of " + tokens + " tokens.";
  }

  /** Text of at least {@code tokens} words, so at least that many simulator tokens. */
  static String answer(int tokens) {
    StringBuilder text = new StringBuilder();
    int words = 0;
    for (int i = 0; words <= tokens; i++) {
      String sentence = SENTENCES.get(i % SENTENCES.size());
      if (text.length() > 0) {
        text.append(' ');
      }
      text.append(sentence);
      words += sentence.split(" ").length;
    }
    return text.toString();
  }

  /** Starts a simulator process serving the answers for {@code tokenCounts}; waits until ready. */
  static SimulatorProcess start(int... tokenCounts) throws IOException {
    String[] args = new String[tokenCounts.length];
    for (int i = 0; i < tokenCounts.length; i++) {
      args[i] = Integer.toString(tokenCounts[i]);
    }
    // as `tinyllm ollama-sim` runs it: the launcher sets TCP_NODELAY, as Ollama's Go server has by
    // default. Without it a 512-token answer read by the client's blocking streams took about
    // 45 ms instead of 2-6 ms (the JDK HTTP server's small writes held back by Nagle's algorithm),
    // and the wall figures would measure that stall
    return new SimulatorProcess(
        ChildProcess.start(
            SimulatorProcess.class,
            READY,
            List.of("-Xmx512m", "-Dsun.net.httpserver.nodelay=true"),
            args));
  }

  URI baseUri() {
    return child.uri();
  }

  @Override
  public void close() {
    child.close();
  }

  /**
   * The child: {@code SimulatorProcess [pace=MICROS] <tokens>...}. Without a pace nothing is
   * delayed (time scale 0). With one, time runs at scale 1 but the default models take no time to
   * load, evaluate or answer (1 µs per token), while {@link #PACED_MODEL} streams a token every
   * {@code MICROS} µs, as a real Ollama's chunks arrive one by one.
   */
  public static void main(String[] args) throws IOException {
    SimulatorConfig.Builder config = SimulatorConfig.builder().timeScale(0);
    for (String arg : args) {
      if (arg.startsWith("pace=")) {
        int micros = Integer.parseInt(arg.substring("pace=".length()));
        if (micros < 1 || micros > MAX_PACE_MICROS) {
          throw new IllegalArgumentException(
              "pace=" + micros + ": expected 1 to " + MAX_PACE_MICROS + " µs per token");
        }
        config.timeScale(1).models(unpaced());
        config.model(
            instant(SimulatedModel.completion(PACED_MODEL)).tokensPerSecond(1e6 / micros).build());
        continue;
      }
      int tokens = Integer.parseInt(arg);
      config.cannedAnswer(prompt(tokens), answer(tokens));
    }
    try (OllamaSimulator simulator = OllamaSimulator.start(config.build())) {
      System.out.println(READY + simulator.baseUri());
      System.out.flush();
      ChildProcess.awaitEndOfInput();
    }
  }

  /** The default models with every simulated delay as near zero as the simulator allows. */
  private static List<SimulatedModel> unpaced() {
    return SimulatedModel.defaults().stream()
        .map(m -> instant(m.toBuilder()).tokensPerSecond(1_000_000).build())
        .toList();
  }

  private static SimulatedModel.Builder instant(SimulatedModel.Builder model) {
    return model.loadTime(Duration.ZERO).timeToFirstToken(Duration.ZERO).promptTokensPerSecond(1e9);
  }
}
