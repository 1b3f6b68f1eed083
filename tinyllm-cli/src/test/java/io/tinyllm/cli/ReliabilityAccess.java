package io.tinyllm.cli;

import com.google.inject.Key;
import io.tinyllm.api.config.Settings;
import io.tinyllm.api.time.Ticker;
import io.tinyllm.metrics.MetricsCollector;
import io.tinyllm.metrics.TinyLlm;
import io.tinyllm.metrics.exporter.HttpMetricsExporter;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * What the reliability suite ({@code io.tinyllm.cli.reliability}) needs from this package's
 * package-private classes: the command line as the launcher runs it, and the application wiring
 * (every plug-in in one injector, the lifecycle around it) that the commands use.
 */
public final class ReliabilityAccess {
  private ReliabilityAccess() {}

  /** What a command printed and returned. */
  public record Result(int exitCode, String out, String err) {}

  /** Runs {@code tinyllm args...} in this JVM. */
  public static Result run(String... args) {
    Cli.Result result = Cli.run(args);
    return new Result(result.exitCode(), result.out(), result.err());
  }

  /** Starts {@code tinyllm args...} on another thread. */
  public static Running start(String... args) {
    Cli cli = new Cli();
    return new Running(cli, cli.start(args));
  }

  /** A command running on another thread. */
  public static final class Running {
    private final Cli cli;
    private final Cli.Running running;

    private Running(Cli cli, Cli.Running running) {
      this.cli = cli;
      this.running = running;
    }

    /** Waits, bounded, until stderr satisfies {@code condition}; returns it. */
    public String awaitErr(Predicate<String> condition, Duration timeout)
        throws InterruptedException {
      return cli.awaitErr(condition, timeout);
    }

    public Result result(Duration timeout) throws Exception {
      Cli.Result result = running.result(timeout);
      return new Result(result.exitCode(), result.out(), result.err());
    }
  }

  /** Starts the application the commands run: every discovered plug-in, exporters started. */
  public static App start(Map<String, String> settings) {
    return new App(TinyLlm.start(Settings.of(settings)));
  }

  /** As {@link #start(Map)}, every duration read from {@code ticker} (a test's fake clock). */
  public static App start(Map<String, String> settings, Ticker ticker) {
    return new App(
        TinyLlm.start(
            Settings.of(settings),
            ReliabilityAccess.class.getClassLoader(),
            List.of(binder -> binder.bind(Ticker.class).toInstance(ticker))));
  }

  /** A started application. */
  public static final class App implements AutoCloseable {
    private final TinyLlm app;

    private App(TinyLlm app) {
      this.app = app;
    }

    public <T> T get(Class<T> type) {
      return app.get(type);
    }

    public <T> T get(Key<T> key) {
      return app.get(key);
    }

    public MetricsCollector metrics() {
      return app.metrics();
    }

    /** The {@code /metrics} address, when the HTTP exporter runs. */
    public URI metricsUri() {
      return app.metrics().exporter(HttpMetricsExporter.class).orElseThrow().uri();
    }

    @Override
    public void close() {
      app.close();
    }
  }
}
