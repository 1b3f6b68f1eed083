package io.tinyllm.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.google.inject.AbstractModule;
import com.google.inject.Module;
import com.google.inject.Provides;
import io.tinyllm.api.config.Settings;
import io.tinyllm.api.error.ConfigException;
import io.tinyllm.metrics.exporter.HttpMetricsExporter;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class TinyLlmTest {
  /** What closed, in order, across the components of one test. */
  static final List<String> closed = new CopyOnWriteArrayList<>();

  /** Holds {@link Hanging#close()} until the test ends. */
  static final CountDownLatch release = new CountDownLatch(1);

  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  private Logger closerLog;

  @BeforeEach
  void captureWarnings() {
    closed.clear();
    closerLog = (Logger) LoggerFactory.getLogger(SingletonCloser.class);
    closerLog.setLevel(Level.WARN);
    logs.start();
    closerLog.addAppender(logs);
  }

  @AfterEach
  void stopCapturing() {
    closerLog.detachAppender(logs);
    closerLog.setLevel(null);
  }

  @Test
  void startsTheExportersAndStopsThemOnClose() throws Exception {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    URI uri;
    try (TinyLlm app =
        TinyLlm.start(Settings.of(Map.of("metrics.exporters", "http", "metrics.http.port", "0")))) {
      uri = app.metrics().exporter(HttpMetricsExporter.class).orElseThrow().uri();
      assertThat(app.get(MetricsCollector.class)).isSameAs(app.metrics());
      assertThat(app.injector().getInstance(MetricsCollector.class)).isSameAs(app.metrics());
      assertThat(
              http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString())
                  .body())
          .contains("tinyllm_system_info{");
    }

    assertThatThrownBy(
            () ->
                http.send(
                    HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString()))
        .isInstanceOf(ConnectException.class);
  }

  @Test
  void closesSingletonsNewestFirst() {
    TinyLlm app = start(Map.of());
    app.get(Client.class); // creates Pool first: the client needs it

    app.close();

    assertThat(closed).containsExactly("Client", "Pool");
  }

  @Test
  void closingTwiceClosesOnce() {
    TinyLlm app = start(Map.of());
    app.get(Pool.class);

    app.close();
    app.close();

    assertThat(closed).containsExactly("Pool");
  }

  @Test
  void aHangingCloseIsAbandonedAfterItsTimeoutAndTheRestStillClose() {
    TinyLlm app = start(Map.of(TinyLlm.CLOSE_TIMEOUT, "200ms"));
    app.get(Pool.class);
    app.get(Hanging.class);

    try {
      app.close();

      assertThat(closed).containsExactly("Pool");
      assertThat(logs.list)
          .extracting(ILoggingEvent::getFormattedMessage)
          .containsExactly(
              "Closing Hanging did not finish within 200ms (metrics.close-timeout);"
                  + " abandoned it and closing the rest");
    } finally {
      release.countDown();
    }
  }

  @Test
  void aFailingCloseIsLoggedAndTheRestStillClose() {
    TinyLlm app = start(Map.of());
    app.get(Pool.class);
    app.get(Failing.class);

    app.close();

    assertThat(closed).containsExactly("Pool");
    assertThat(logs.list)
        .extracting(ILoggingEvent::getFormattedMessage)
        .containsExactly("Closing Failing failed: java.lang.IllegalStateException: stuck");
  }

  @Test
  void anInterruptedCallerStillClosesEverythingAndKeepsItsInterrupt() {
    TinyLlm app = start(Map.of());
    app.get(Client.class);

    Thread.currentThread().interrupt();
    try {
      app.close();
    } finally {
      assertThat(Thread.interrupted()).isTrue();
    }

    assertThat(closed).containsExactly("Client", "Pool");
  }

  @Test
  void ourOwnErrorsSurfaceUnwrapped() {
    Module broken =
        new AbstractModule() {
          @Provides
          @Singleton
          Pool pool() {
            throw new ConfigException("Invalid value 'x' for setting 'pool.size'");
          }
        };
    TinyLlm app = TinyLlm.start(Settings.empty(), getClass().getClassLoader(), List.of(broken));
    try (app) {
      assertThatThrownBy(() -> app.get(Pool.class))
          .isExactlyInstanceOf(ConfigException.class)
          .hasMessage("Invalid value 'x' for setting 'pool.size'");
    }
  }

  @Test
  void anInvalidCloseTimeoutNamesTheSetting() {
    assertThatThrownBy(() -> start(Map.of(TinyLlm.CLOSE_TIMEOUT, "0")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("metrics.close-timeout");
    assertThatThrownBy(() -> start(Map.of(TinyLlm.CLOSE_TIMEOUT, "soon")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("metrics.close-timeout");
  }

  @Test
  void theCloseTimeoutIsAKeyOfTheMetricsPlugin() {
    assertThatThrownBy(() -> start(Map.of("metrics.close-timout", "5s")))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "Unknown setting 'metrics.close-timout': did you mean 'metrics.close-timeout'?");
  }

  @Test
  void nothingIsHandedOutAfterClose() {
    TinyLlm app = start(Map.of());
    app.close();

    assertThatThrownBy(() -> app.get(Pool.class))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
  }

  private TinyLlm start(Map<String, String> settings) {
    return TinyLlm.start(Settings.of(settings), getClass().getClassLoader(), List.of());
  }

  @Singleton
  static final class Pool implements AutoCloseable {
    @Override
    public void close() {
      closed.add("Pool");
    }
  }

  @Singleton
  static final class Client implements AutoCloseable {
    @Inject
    Client(Pool pool) {}

    @Override
    public void close() {
      closed.add("Client");
    }
  }

  @Singleton
  static final class Hanging implements AutoCloseable {
    @Override
    public void close() {
      // ignores the interrupt the closer sends, as a badly behaved component would
      while (true) {
        try {
          release.await();
          return;
        } catch (InterruptedException e) {
          // keep hanging
        }
      }
    }
  }

  @Singleton
  static final class Failing implements AutoCloseable {
    @Override
    public void close() {
      throw new IllegalStateException("stuck");
    }
  }
}
