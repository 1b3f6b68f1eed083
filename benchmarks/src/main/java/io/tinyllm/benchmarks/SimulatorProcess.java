package io.tinyllm.benchmarks;

import io.tinyllm.ollama.sim.OllamaSimulator;
import io.tinyllm.ollama.sim.SimulatorConfig;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * An {@link OllamaSimulator} in a JVM of its own, with no simulated delay, so that a benchmark's
 * process CPU time ({@link ProcessCpuProfiler}) is the client's alone. It serves, for each token
 * count {@code n} it was started with, a canned answer to {@link #prompt(int) prompt(n)} that is
 * longer than {@code n} tokens; a request with {@code num_predict = n} then streams exactly {@code
 * n} tokens (done reason {@code length}). The child runs on the benchmark's class path and ends
 * when its standard input closes, so it never outlives the fork that started it.
 */
final class SimulatorProcess implements AutoCloseable {
  static final String READY = "simulator listening on ";
  private static final List<String> SENTENCES =
      List.of(
          "Streaming lets a client show the first words before the whole answer is ready.",
          "The sky looks blue because air scatters short wavelengths of sunlight more strongly.",
          "Timeouts, retries and circuit breakers keep a slow dependency from stalling a service.",
          "Every measurement deserves a unit and an honest error bar.",
          "Backpressure tells a fast producer to slow down before a queue overflows.",
          "Prometheus scrapes metrics over HTTP and stores them as time series.",
          "Water boils at a lower temperature on a mountain because the air pressure is lower.");

  private final Process process;
  private final URI baseUri;

  private SimulatorProcess(Process process, URI baseUri) {
    this.process = process;
    this.baseUri = baseUri;
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
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx512m");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(SimulatorProcess.class.getName());
    for (int count : tokenCounts) {
      command.add(Integer.toString(count));
    }
    Process process =
        new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    BufferedReader out =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    String line = out.readLine();
    if (line == null || !line.startsWith(READY)) {
      process.destroyForcibly();
      throw new IOException("the simulator process did not start; it printed: " + line);
    }
    return new SimulatorProcess(process, URI.create(line.substring(READY.length()).strip()));
  }

  URI baseUri() {
    return baseUri;
  }

  @Override
  public void close() {
    try {
      process.getOutputStream().close();
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (IOException e) {
      process.destroyForcibly();
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  /** The child: {@code SimulatorProcess <tokens>...}. */
  public static void main(String[] args) throws IOException {
    SimulatorConfig.Builder config = SimulatorConfig.builder().timeScale(0);
    for (String arg : args) {
      int tokens = Integer.parseInt(arg);
      config.cannedAnswer(prompt(tokens), answer(tokens));
    }
    try (OllamaSimulator simulator = OllamaSimulator.start(config.build())) {
      System.out.println(READY + simulator.baseUri());
      System.out.flush();
      while (System.in.read() >= 0) {
        // wait until the parent closes our standard input (or dies)
      }
    }
  }
}
