package io.tinyllm.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.tinyllm.metrics.testing.Exposition;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The proxy's server on its own: connections, threads, limits, bad request heads. */
class ProxyHttpServerTest {
  private final List<String> threads = new CopyOnWriteArrayList<>();
  private final CountDownLatch slowEntered = new CountDownLatch(1);
  private final CountDownLatch slowRelease = new CountDownLatch(1);
  private final Semaphore slowEntries = new Semaphore(0);
  private final CountDownLatch echoEntered = new CountDownLatch(1);
  private final ProxyMetrics metrics = new ProxyMetrics();
  private ProxyHttpServer server;

  /**
   * Answers "ok"; {@code /slow} waits for the test first, {@code /echo} answers the request's body,
   * {@code /pieces} answers two pieces of unknown length.
   */
  private void answer(ProxyExchange exchange) throws IOException {
    threads.add(Thread.currentThread().getName());
    if ("/echo".equals(exchange.path())) {
      echoEntered.countDown();
      byte[] body = exchange.requestBody().readAllBytes();
      exchange.respond(200, body.length, out -> out.write(body));
      return;
    }
    if ("/boom".equals(exchange.path())) {
      throw new IllegalStateException("a bug in a handler");
    }
    if ("/silent".equals(exchange.path())) {
      return; // no answer at all
    }
    if ("/pieces".equals(exchange.path())) {
      exchange.respond(
          200,
          ProxyExchange.CHUNKED,
          out -> {
            out.write("one,".getBytes(StandardCharsets.UTF_8));
            out.flush();
            out.write("two".getBytes(StandardCharsets.UTF_8));
          });
      return;
    }
    if ("/slow".equals(exchange.path())) {
      slowEntered.countDown();
      slowEntries.release();
      try {
        if (!slowRelease.await(10, TimeUnit.SECONDS)) {
          throw new IOException("the test never released /slow");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException(e);
      }
    }
    byte[] body = "ok".getBytes(StandardCharsets.UTF_8);
    exchange.respond(200, body.length, out -> out.write(body));
  }

  private ProxyHttpServer start(int maxConnections, Duration keepAlive) throws IOException {
    ServerSocket listener = new ServerSocket();
    listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    server = new ProxyHttpServer(listener, maxConnections, keepAlive, this::answer, metrics);
    server.start();
    return server;
  }

  /** A server whose refused connections wait {@code grace}, at most {@code waiting} at once. */
  private ProxyHttpServer startRefusing(int maxConnections, Duration grace, int waiting)
      throws IOException {
    ServerSocket listener = new ServerSocket();
    listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    server =
        new ProxyHttpServer(
            listener,
            maxConnections,
            Duration.ofSeconds(30),
            this::answer,
            metrics,
            grace,
            waiting);
    server.start();
    return server;
  }

  @AfterEach
  void stop() {
    slowRelease.countDown();
    if (server != null) {
      server.close();
    }
  }

  @Test
  void aKeptAliveConnectionsRequestsAreAllAnsweredOnOneThread() throws IOException {
    start(4, Duration.ofSeconds(30));
    try (Client client = new Client(server.port())) {
      for (int i = 0; i < 3; i++) {
        client.send(GET_X);
        assertThat(client.response()).startsWith("HTTP/1.1 200").endsWith("\r\n\r\nok");
      }
    }
    assertThat(threads).hasSize(3).containsOnly(threads.get(0));
    assertThat(server.threadsStarted()).isEqualTo(1);
  }

  @Test
  void answersSayHowLongAnIdleConnectionIsKept() throws IOException {
    start(4, Duration.ofSeconds(30));
    try (Client client = new Client(server.port())) {
      client.send(GET_X);
      assertThat(client.response()).contains("\r\nKeep-Alive: timeout=30\r\n");
      client.send("GET /x HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
      String last = client.response();
      assertThat(last).contains("\r\nConnection: close\r\n").doesNotContain("Keep-Alive");
      assertThat(client.closedByServer()).isTrue();
    }
  }

  @Test
  void aClientThatExpects100ContinueGetsItAndItsBodyIsRead() throws IOException {
    start(4, Duration.ofSeconds(30));
    try (Client client = new Client(server.port())) {
      client.send(
          "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
      assertThat(client.response()).startsWith("HTTP/1.1 100");
      client.send("hello");
      assertThat(client.response()).startsWith("HTTP/1.1 200").endsWith("\r\n\r\nhello");
    }
  }

  @Test
  void aChunkedBodyIsReadAndAnAnswerOfUnknownLengthGoesOutChunked() throws IOException {
    start(4, Duration.ofSeconds(30));
    try (Client client = new Client(server.port())) {
      client.send(
          "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
              + "3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n");
      assertThat(client.response()).startsWith("HTTP/1.1 200").endsWith("\r\n\r\nabcde");
      client.send("GET /pieces HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
      assertThat(client.rest())
          .contains("\r\nTransfer-Encoding: chunked\r\n")
          .endsWith("\r\n\r\n4\r\none,\r\n3\r\ntwo\r\n0\r\n\r\n");
    }
  }

  @Test
  void anHttp10ClientGetsAnAnswerOfUnknownLengthEndedByTheClose() throws IOException {
    start(4, Duration.ofSeconds(30));
    try (Client client = new Client(server.port())) {
      client.send("GET /pieces HTTP/1.0\r\n\r\n");
      String answer = client.rest();
      assertThat(answer)
          .startsWith("HTTP/1.1 200")
          .contains("\r\nConnection: close\r\n")
          .doesNotContain("Transfer-Encoding")
          .endsWith("\r\n\r\none,two");
    }
  }

  @Test
  void aBodyLeftUnreadEndsTheConnectionAfterTheAnswer() throws IOException {
    start(4, Duration.ofSeconds(30));
    try (Client client = new Client(server.port())) {
      client.send("POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello");
      assertThat(client.response())
          .startsWith("HTTP/1.1 200")
          .contains("\r\nConnection: close\r\n");
      assertThat(client.closedByServer()).isTrue();
    }
  }

  @Test
  void anIdleConnectionIsClosedAfterTheKeepAliveTimeout() throws IOException {
    start(4, Duration.ofMillis(200));
    try (Client client = new Client(server.port())) {
      assertThat(client.get()).startsWith("HTTP/1.1 200");
      // the server closes it: the read ends (the client's own timeout, 10 s, would fail it)
      assertThat(client.closedByServer()).isTrue();
    }
  }

  @Test
  void aNewConnectionBeyondTheLimitTakesTheIdleOnesPlace() throws IOException {
    start(1, Duration.ofSeconds(30));
    try (Client idle = new Client(server.port())) {
      assertThat(idle.get()).startsWith("HTTP/1.1 200");
      awaitIdleConnections(1);

      try (Client next = new Client(server.port())) {
        assertThat(next.get()).startsWith("HTTP/1.1 200");
        assertThat(idle.closedByServer()).isTrue();
      }
    }
  }

  @Test
  void aNewConnectionBeyondTheLimitIsAnswered503WhenNoneIsIdle() throws Exception {
    start(1, Duration.ofSeconds(30));
    try (Client busy = new Client(server.port())) {
      busy.send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n");
      assertThat(slowEntered.await(10, TimeUnit.SECONDS)).isTrue();

      // connected only now: a connection that has not sent its first request yet is idle, and
      // would itself be closed to make room
      try (Client refused = new Client(server.port())) {
        refused.send(GET_X);
        String answer = refused.response();
        assertThat(answer)
            .startsWith("HTTP/1.1 503")
            .contains("\r\nContent-Type: application/json")
            .endsWith(
                "\r\n\r\n{\"error\":\"the proxy serves 1 connections at once and all are in an"
                    + " exchange; try again, or raise its limit (setting 'proxy.max-concurrent',"
                    + " --max-concurrent)\"}");
        assertThat(refused.closedByServer()).isTrue();
      }

      slowRelease.countDown();
      assertThat(busy.response()).startsWith("HTTP/1.1 200");
    }
  }

  @Test
  void aFloodOfNewConnectionsBeyondTheLimitIsAnswered503EveryOneWhileTheOthersWait()
      throws Exception {
    start(2, Duration.ofSeconds(30));
    List<Client> clients = new ArrayList<>();
    try {
      for (int i = 0; i < 2; i++) {
        Client busy = new Client(server.port());
        clients.add(busy);
        busy.send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n");
      }
      assertThat(slowEntries.tryAcquire(2, 10, TimeUnit.SECONDS)).isTrue();

      List<Client> flood = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        Client refused = new Client(server.port());
        clients.add(refused);
        flood.add(refused);
        refused.send(GET_X);
      }
      // every client keeps its connection open until all have their answer: a refusal that
      // held its thread until its client closed (or a second passed) would keep the next waiting
      for (Client refused : flood) {
        assertThat(refused.response())
            .startsWith("HTTP/1.1 503")
            .endsWith(
                "\r\n\r\n{\"error\":\"the proxy serves 2 connections at once and all are in an"
                    + " exchange; try again, or raise its limit (setting 'proxy.max-concurrent',"
                    + " --max-concurrent)\"}");
        assertThat(refused.closedByServer()).as("the answer ends the connection").isTrue();
      }

      slowRelease.countDown();
      assertThat(clients.get(0).response()).startsWith("HTTP/1.1 200");
      assertThat(clients.get(1).response()).startsWith("HTTP/1.1 200");
    } finally {
      for (Client client : clients) {
        client.close();
      }
    }
    awaitNothingHeld();
    assertThat(Exposition.text(registry(), "tinyllm_proxy_connections_refused"))
        .isEqualTo(
            """
            # HELP tinyllm_proxy_connections_refused_total New client connections beyond\
             proxy.max-concurrent that got no place: answered 503, or closed without an answer when\
             too many already waited for one
            # TYPE tinyllm_proxy_connections_refused_total counter
            tinyllm_proxy_connections_refused_total{answer="503"} 40.0
            """);
  }

  @Test
  void aFloodOfNewConnectionsWaitsForAPlaceAllAtOnceAndEachGetsOneAsPlacesFree() throws Exception {
    startRefusing(2, Duration.ofSeconds(30), 64);
    List<Client> clients = new ArrayList<>();
    try {
      for (int i = 0; i < 2; i++) {
        Client busy = new Client(server.port());
        clients.add(busy);
        busy.send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n");
      }
      assertThat(slowEntries.tryAcquire(2, 10, TimeUnit.SECONDS)).isTrue();
      for (int i = 0; i < 40; i++) {
        Client waiting = new Client(server.port());
        clients.add(waiting);
        waiting.send(GET_X);
      }
      // all 40 wait at once, none behind another
      awaitRefusalsWaiting(40);

      // each answer leaves its connection idle, and a waiting one takes its place
      slowRelease.countDown();
      for (Client client : clients) {
        assertThat(client.response()).startsWith("HTTP/1.1 200");
      }
    } finally {
      for (Client client : clients) {
        client.close();
      }
    }
    awaitNothingHeld();
    assertThat(Exposition.text(registry(), "tinyllm_proxy_connections_refused")).isEmpty();
  }

  @Test
  void aNewConnectionBeyondTheRefusalsThatMayWaitIsClosedWithoutAnAnswerAndCounted()
      throws Exception {
    startRefusing(1, Duration.ofSeconds(30), 2);
    List<Client> clients = new ArrayList<>();
    try (Client busy = new Client(server.port())) {
      busy.send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n");
      assertThat(slowEntries.tryAcquire(1, 10, TimeUnit.SECONDS)).isTrue();
      // connected only now that busy is in its exchange: none is idle, so both wait for a place
      Client first = new Client(server.port());
      clients.add(first);
      Client second = new Client(server.port());
      clients.add(second);
      first.send(GET_X);
      second.send(GET_X);
      awaitRefusalsWaiting(2);

      try (Client third = new Client(server.port())) {
        assertThat(third.closedByServer()).as("closed with nothing sent").isTrue();
      }
      assertThat(Exposition.text(registry(), "tinyllm_proxy_connections_refused"))
          .endsWith("\ntinyllm_proxy_connections_refused_total{answer=\"none\"} 1.0\n");
      assertThat(server.refusalsWaiting()).isEqualTo(2);

      // busy's answer leaves it idle: a waiting one takes its place, and then the other that one's
      slowRelease.countDown();
      assertThat(busy.response()).startsWith("HTTP/1.1 200");
      assertThat(first.response()).startsWith("HTTP/1.1 200");
      assertThat(second.response()).startsWith("HTTP/1.1 200");
      assertThat(busy.closedByServer()).isTrue();
    } finally {
      for (Client client : clients) {
        client.close();
      }
    }
    awaitNothingHeld();
    assertThat(Exposition.text(registry(), "tinyllm_proxy_connections_refused"))
        .endsWith("\ntinyllm_proxy_connections_refused_total{answer=\"none\"} 1.0\n");
  }

  @Test
  void closingClosesTheSocketsKeptOpenAfterA503AtOnce() throws Exception {
    startRefusing(1, Duration.ofMillis(1), 4);
    try (Client busy = new Client(server.port())) {
      busy.send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n");
      assertThat(slowEntries.tryAcquire(1, 10, TimeUnit.SECONDS)).isTrue();
      try (Client refused = new Client(server.port())) {
        refused.send(GET_X);
        assertThat(refused.response()).startsWith("HTTP/1.1 503");
        assertThat(refused.closedByServer()).isTrue();

        // its socket stays open a second for the rest of the request; a close does not wait
        server.close();
        assertThat(server.awaitRefusalsEnded(Duration.ZERO)).isTrue();
      }
    }
    slowRelease.countDown(); // the handler, unaware of the close, returns
    awaitNothingHeld();
  }

  @Test
  void aHeaderLineOverTheLimitIsAnswered431() throws IOException {
    start(4, Duration.ofSeconds(30));
    try (Client client = new Client(server.port())) {
      client.send(
          "GET /x HTTP/1.1\r\nHost: x\r\nX-Big: "
              + "a".repeat(ProxyHttpServer.MAX_LINE)
              + "\r\n\r\n");
      assertThat(client.response())
          .startsWith("HTTP/1.1 431")
          .endsWith(
              "{\"error\":\"request head too large: a request line or header line over 16384"
                  + " bytes\"}");
    }
    assertThat(threads).isEmpty();
  }

  @Test
  void aRequestLineOverTheLimitIsAnswered431() throws IOException {
    start(4, Duration.ofSeconds(30));
    try (Client client = new Client(server.port())) {
      client.send(
          "GET /x?q=" + "a".repeat(ProxyHttpServer.MAX_LINE) + " HTTP/1.1\r\nHost: x\r\n\r\n");
      assertThat(client.response())
          .startsWith("HTTP/1.1 431")
          .endsWith(
              "{\"error\":\"request head too large: a request line or header line over 16384"
                  + " bytes\"}");
      assertThat(client.closedByServer()).isTrue();
    }
    assertThat(threads).isEmpty();
    awaitNothingHeld();
  }

  @Test
  void aConnectionStillSendingItsHeadGivesItsPlaceToANewOne() throws IOException {
    start(1, Duration.ofSeconds(30));
    try (Client trickling = new Client(server.port())) {
      trickling.send("GET /x HTTP/1.1\r\nHost: x\r\nX-Slow: ");
      awaitIdleConnections(1);
      try (Client next = new Client(server.port())) {
        assertThat(next.get()).startsWith("HTTP/1.1 200");
        assertThat(trickling.closedByServer()).isTrue();
      }
    }
    assertThat(threads).hasSize(1);
    awaitNothingHeld();
  }

  @Test
  void tooManyHeaderFieldsAreAnswered431() throws IOException {
    start(4, Duration.ofSeconds(30));
    StringBuilder head = new StringBuilder("GET /x HTTP/1.1\r\nHost: x\r\n");
    for (int i = 0; i < ProxyHttpServer.MAX_HEADERS; i++) {
      head.append("X-H").append(i).append(": 1\r\n");
    }
    try (Client client = new Client(server.port())) {
      client.send(head + "\r\n");
      assertThat(client.response())
          .startsWith("HTTP/1.1 431")
          .endsWith("{\"error\":\"request head too large: more than 100 header fields\"}");
    }
  }

  @Test
  void aRequestThatIsNotHttpIsAnswered400() throws IOException {
    start(4, Duration.ofSeconds(30));
    try (Client client = new Client(server.port())) {
      client.send("HELLO\r\n\r\n");
      assertThat(client.response()).startsWith("HTTP/1.1 400");
    }
    assertThat(threads).isEmpty();
  }

  @Test
  void closingEndsAnExchangeInProgress() throws Exception {
    start(4, Duration.ofSeconds(30));
    try (Client client = new Client(server.port())) {
      client.send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n");
      assertThat(slowEntered.await(10, TimeUnit.SECONDS)).isTrue();
      server.close();
      assertThat(client.closedByServer()).isTrue();
    }
  }

  @Test
  void aHeadSentAByteAtATimeIsCutOffAtTheKeepAliveTimeoutFromItsFirstByte() throws IOException {
    start(4, Duration.ofMillis(300));
    try (Client client = new Client(server.port())) {
      client.send("GET /x HTTP/1.1\r\nHost: x\r\n");
      // a header byte every 20 ms, each well within the 300 ms the socket waits for a read
      long started = System.nanoTime();
      long deadline = started + TimeUnit.SECONDS.toNanos(5);
      boolean cut = false;
      while (!cut && System.nanoTime() < deadline) {
        try {
          client.send("X");
        } catch (IOException e) {
          cut = true; // reset by the server
          break;
        }
        cut = client.closedByServerWithin(20);
      }
      assertThat(cut).as("the server closed the connection").isTrue();
      assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(3));
    }
    assertThat(threads).isEmpty();
    awaitNothingHeld();
  }

  @Test
  void aHalfSentHeadThenSilenceIsClosedAfterTheKeepAliveTimeout() throws IOException {
    start(4, Duration.ofMillis(200));
    try (Client client = new Client(server.port())) {
      client.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-");
      assertThat(client.closedByServer()).isTrue();
    }
    assertThat(threads).isEmpty();
    awaitNothingHeld();
  }

  @Test
  void aBodySilentForLongerThanTheKeepAliveTimeoutEndsTheConnection() throws IOException {
    start(4, Duration.ofMillis(200));
    try (Client client = new Client(server.port())) {
      client.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc");
      assertThat(client.closedByServer()).isTrue();
    }
    awaitNothingHeld();
  }

  @Test
  void anAnswerTakesAsLongAsItTakesWhateverTheKeepAliveTimeout() throws Exception {
    start(4, Duration.ofMillis(200));
    try (Client client = new Client(server.port())) {
      client.send("POST /slow HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc");
      assertThat(slowEntered.await(10, TimeUnit.SECONDS)).isTrue();
      // two and a half keep-alive timeouts with the answer held: the connection stays open
      assertThat(client.closedByServerWithin(500)).isFalse();
      slowRelease.countDown();
      assertThat(client.response()).startsWith("HTTP/1.1 200").endsWith("\r\n\r\nok");
    }
    awaitNothingHeld();
  }

  @Test
  void pipelinedRequestsAreAnsweredInOrderOnOneConnection() throws IOException {
    start(4, Duration.ofSeconds(30));
    try (Client client = new Client(server.port())) {
      client.send(
          "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nfirst"
              + "GET /pieces HTTP/1.1\r\nHost: x\r\n\r\n"
              + "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 6\r\n\r\nsecond"
              + "GET /x HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
      String all = client.rest();
      assertThat(all.split("HTTP/1.1 200", -1)).hasSize(5);
      assertThat(all)
          .containsSubsequence(
              "\r\n\r\nfirst",
              "\r\n\r\n4\r\none,\r\n3\r\ntwo\r\n0\r\n\r\n",
              "\r\n\r\nsecond",
              "Connection: close\r\n")
          .endsWith("\r\n\r\nok");
    }
    assertThat(server.threadsStarted()).isEqualTo(1);
    awaitNothingHeld();
  }

  @Test
  void aHandlerThatThrowsOrDoesNotAnswerEndsOnlyItsConnection() throws IOException {
    start(4, Duration.ofSeconds(30));
    for (String path : List.of("/boom", "/silent")) {
      try (Client client = new Client(server.port())) {
        client.send("GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n");
        assertThat(client.rest()).as(path).isEmpty();
      }
      awaitNothingHeld();
    }
    try (Client client = new Client(server.port())) {
      assertThat(client.get()).startsWith("HTTP/1.1 200");
    }
  }

  @Test
  void aClientResetMidBodyOrSendingGarbageHoldsNothing() throws Exception {
    start(4, Duration.ofSeconds(30));
    try (Client client = new Client(server.port())) {
      client.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\nonly ten.");
      // reset once the server reads the body: before it accepted, nothing would be held yet
      assertThat(echoEntered.await(10, TimeUnit.SECONDS)).isTrue();
      client.reset();
    }
    awaitNothingHeld();
    try (Client client = new Client(server.port())) {
      client.send("\u0000\u00ff\u0016\u0003\u0001 garbage\r\n\r\n");
      assertThat(client.response()).startsWith("HTTP/1.1 400");
      assertThat(client.closedByServer()).isTrue();
    }
    awaitNothingHeld();
  }

  @Test
  void closingEndsEveryConnectionAndFreesThePort() throws Exception {
    start(4, Duration.ofSeconds(30));
    int port = server.port();
    try (Client busy = new Client(port);
        Client idle = new Client(port)) {
      assertThat(idle.get()).startsWith("HTTP/1.1 200");
      busy.send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n");
      assertThat(slowEntered.await(10, TimeUnit.SECONDS)).isTrue();

      server.close();
      assertThat(busy.closedByServer()).isTrue();
      assertThat(idle.closedByServer()).isTrue();
    }
    slowRelease.countDown(); // the handler, unaware of the close, returns
    awaitNothingHeld();
    // nothing listens on the port any more: a connection is refused. (Binding it again is no test
    // of the proxy: any process's outgoing connection may take a free port as its local one, and a
    // listener cannot share the port with it.)
    assertThatThrownBy(() -> new Socket(InetAddress.getLoopbackAddress(), port).close())
        .isInstanceOf(ConnectException.class);
  }

  /**
   * Waits up to 10 s for every connection thread to end and every place to be given back, as after
   * any scenario once its clients are gone.
   */
  private void awaitNothingHeld() {
    try {
      assertThat(server.awaitConnectionsEnded(Duration.ofSeconds(10)))
          .as("every connection ended")
          .isTrue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
    assertThat(server.connectionsServed()).as("connections served").isZero();
    assertThat(server.placesTaken()).as("places taken").isZero();
    try {
      assertThat(server.awaitRefusalsEnded(Duration.ofSeconds(10)))
          .as("every refused connection closed or served")
          .isTrue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
    assertThat(server.refusalsWaiting()).as("refusals waiting").isZero();
  }

  /** Waits up to 10 s for {@code count} refused connections to wait for a place. */
  private void awaitRefusalsWaiting(int count) throws InterruptedException {
    assertThat(server.awaitRefusalsWaiting(count, Duration.ofSeconds(10)))
        .as("%d refusals waiting (now %d)", count, server.refusalsWaiting())
        .isTrue();
  }

  /** A registry of the proxy's own families, as recorded by this test's server. */
  private PrometheusRegistry registry() {
    PrometheusRegistry registry = new PrometheusRegistry();
    metrics.collectors().forEach(registry::register);
    return registry;
  }

  /** Waits up to 10 s for the server to have {@code count} connections waiting for a request. */
  private void awaitIdleConnections(int count) {
    try {
      assertThat(server.awaitIdleConnections(count, Duration.ofSeconds(10)))
          .as("%d connections waiting for a request", count)
          .isTrue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** One client connection over a plain socket, every read bounded by a 10 s timeout. */
  /** A request for /x, which the test's handler answers 200 at once. */
  private static final String GET_X = "GET /x HTTP/1.1\r\nHost: x\r\n\r\n";

  private static final class Client implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    Client(int port) throws IOException {
      socket = new Socket(InetAddress.getLoopbackAddress(), port);
      socket.setSoTimeout(10_000);
      in = socket.getInputStream();
      out = socket.getOutputStream();
    }

    /** Sends {@link #GET_X} and reads its answer. */
    String get() throws IOException {
      send(GET_X);
      return response();
    }

    void send(String request) throws IOException {
      out.write(request.getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
    }

    /** One answer of a known length: head and body. */
    String response() throws IOException {
      ByteArrayOutputStream head = new ByteArrayOutputStream();
      while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
        int b = in.read();
        if (b < 0) {
          throw new IOException("closed after " + head.toString(StandardCharsets.ISO_8859_1));
        }
        head.write(b);
        if (head.size() > 64 * 1024) {
          throw new IOException("a head over 64 KiB");
        }
      }
      String text = head.toString(StandardCharsets.ISO_8859_1);
      int length = 0;
      for (String line : text.split("\r\n")) {
        if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
          length = Integer.parseInt(line.substring("content-length:".length()).strip());
        }
      }
      return text + new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }

    /** Everything until the server closes the connection. */
    String rest() throws IOException {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }

    /** Whether the server closed the connection (a read ends, or is reset) within 10 s. */
    boolean closedByServer() {
      return closedByServerWithin(10_000);
    }

    /** Whether the server closed the connection within {@code millis} (nothing else to read). */
    boolean closedByServerWithin(int millis) {
      try {
        socket.setSoTimeout(millis);
        return in.read() < 0;
      } catch (java.net.SocketTimeoutException e) {
        return false;
      } catch (IOException e) {
        return true; // reset
      } finally {
        try {
          socket.setSoTimeout(10_000);
        } catch (IOException ignored) {
          // closed: the next read says so
        }
      }
    }

    /** Closes with a reset instead of a FIN, as a client that crashed. */
    void reset() throws IOException {
      socket.setSoLinger(true, 0);
      socket.close();
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }
}
