package io.tinyllm.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.sun.net.httpserver.HttpExchange;
import io.tinyllm.metrics.testing.ExternalPrograms;
import io.tinyllm.ollama.sim.Gate;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real clients over real sockets against the whole proxy: curl's HTTP/1.0, {@code Expect:
 * 100-continue} and chunked uploads, pipelining, a 200 MB body, clients that vanish, an upstream
 * that refuses, and a close with streams in flight. After each, no connection thread runs and no
 * place is taken.
 */
class ProxyConnectionsTest {
  private static final String SLOW_REQUEST = "{\"model\":\"slow:1b\",\"prompt\":\"ping\"}";

  @TempDir Path dir;

  @Test
  void curlOverHttp10GetsAStreamedAnswerEndedByTheClose() throws Exception {
    Path curl = ExternalPrograms.require("curl", "curl");
    try (ProxyFixture f = ProxyFixture.simulator()) {
      String answer =
          run(
              curl.toString(),
              "-sS",
              "-i",
              "--http1.0",
              "-d",
              "{\"model\":\"qwen2.5:0.5b\",\"prompt\":\"Why is the sky blue?\"}",
              f.uri("/api/generate").toString());
      String head = answer.substring(0, answer.indexOf("\r\n\r\n") + 4);
      assertThat(head)
          .startsWith("HTTP/1.1 200")
          .contains("\r\nConnection: close\r\n", "application/x-ndjson")
          .doesNotContain("Transfer-Encoding");
      List<String> lines = answer.substring(head.length()).lines().toList();
      assertThat(lines).hasSizeGreaterThan(2);
      assertThat(lines.get(lines.size() - 1)).contains("\"done\":true");
      awaitNothingHeld(f.proxy.httpServer());
    }
  }

  @Test
  void curlUploadsWithExpectContinueOrChunkedStreamThroughWhole() throws Exception {
    Path curl = ExternalPrograms.require("curl", "curl");
    byte[] body = new byte[8 * 1024 * 1024];
    new Random(7).nextBytes(body);
    Path file = Files.write(dir.resolve("blob"), body);
    String expected = Canned.digestAnswer(body);
    try (CannedUpstream upstream = new CannedUpstream(Canned::digest);
        ProxyFixture f = ProxyFixture.upstream(upstream.uri())) {
      String url = f.uri("/api/blobs/sha256:abc").toString();
      String expectContinue =
          run(
              curl.toString(),
              "-sS",
              "-H",
              "Expect: 100-continue",
              // were the proxy not to answer 100, curl would send the body after this wait
              "--expect100-timeout",
              "30",
              "--data-binary",
              "@" + file,
              url);
      String chunked =
          run(
              curl.toString(),
              "-sS",
              "-H",
              "Transfer-Encoding: chunked",
              "--data-binary",
              "@" + file,
              url);
      assertThat(expectContinue).isEqualTo(expected);
      assertThat(chunked).isEqualTo(expected);
      HttpExchange first = upstream.seen.take();
      assertThat(first.getRequestHeaders().getFirst("Content-Length"))
          .isEqualTo(String.valueOf(body.length));
      assertThat(first.getRequestHeaders()).doesNotContainKey("Expect");
      awaitNothingHeld(f.proxy.httpServer());
    }
  }

  @Test
  void curlHeadGetsTheHeadAlone() throws Exception {
    Path curl = ExternalPrograms.require("curl", "curl");
    try (ProxyFixture f = ProxyFixture.simulator()) {
      String head = run(curl.toString(), "-sS", "-I", f.uri("/api/tags").toString());
      assertThat(head).startsWith("HTTP/1.1 200").endsWith("\r\n\r\n");
      awaitNothingHeld(f.proxy.httpServer());
    }
  }

  @Test
  void pipelinedRequestsGoUpstreamAndBackInOrder() throws Exception {
    try (CannedUpstream upstream = new CannedUpstream(Canned::digest);
        ProxyFixture f = ProxyFixture.upstream(upstream.uri());
        RawHttp client = new RawHttp(f.proxy.uri())) {
      String request = "POST /api/blobs/sha256:abc HTTP/1.1\r\nHost: proxy\r\nContent-Length: ";
      client.socket.setSoTimeout(10_000);
      OutputStream out = client.socket.getOutputStream();
      out.write(
          (request
                  + "5\r\n\r\nfirst"
                  + request
                  + "6\r\n\r\nsecond"
                  + request
                  + "5\r\nConnection: close\r\n\r\nthird")
              .getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      String all = client.readAll();
      assertThat(all)
          .containsSubsequence(
              "HTTP/1.1 200",
              "\r\n\r\n" + Canned.digestAnswer(bytes("first")),
              "HTTP/1.1 200",
              "\r\n\r\n" + Canned.digestAnswer(bytes("second")),
              "HTTP/1.1 200")
          .endsWith("\r\n\r\n" + Canned.digestAnswer(bytes("third")));
      assertThat(upstream.arrivals()).isEqualTo(3);
      awaitNothingHeld(f.proxy.httpServer());
    }
  }

  @Test
  void twoHundredMegabytesStreamThroughAsTheyCome() throws Exception {
    long size = 200L * 1024 * 1024;
    ByteTally received = new ByteTally();
    try (CannedUpstream upstream =
            new CannedUpstream(exchange -> Canned.digest(exchange, received::add));
        ProxyFixture f = ProxyFixture.upstream(upstream.uri());
        RawHttp client = new RawHttp(f.proxy.uri())) {
      client.socket.setSoTimeout(30_000);
      MessageDigest sent = MessageDigest.getInstance("SHA-256");
      OutputStream out = client.socket.getOutputStream();
      out.write(
          ("POST /api/blobs/sha256:abc HTTP/1.1\r\nHost: proxy\r\nContent-Length: "
                  + size
                  + "\r\nConnection: close\r\n\r\n")
              .getBytes(StandardCharsets.ISO_8859_1));
      byte[] block = new byte[64 * 1024];
      new Random(11).nextBytes(block);
      long blocks = size / block.length;
      for (long i = 0; i < blocks; i++) {
        block[0] = (byte) i; // no two neighbouring blocks alike: a reordering changes the digest
        block[1] = (byte) (i >> 8);
        if (i == blocks / 2) {
          // the first half reached Ollama before the second is sent: nothing holds the body whole
          awaitAtLeast(received, size / 2 - 4 * 1024 * 1024);
        }
        out.write(block);
        sent.update(block);
      }
      out.flush();
      String answer = client.readAll();
      assertThat(answer)
          .startsWith("HTTP/1.1 200")
          .endsWith("\r\n\r\n" + size + " " + HexFormat.of().formatHex(sent.digest()));
      awaitNothingHeld(f.proxy.httpServer());
    }
  }

  @Test
  void aClientGoneMidStreamCancelsUpstreamAndFreesItsThreadAndPlace() throws Exception {
    try (ProxyFixture f = ProxyFixture.simulator(Canned.slowModel(4))) {
      try (RawHttp client = new RawHttp(f.proxy.uri())) {
        client
            .send("POST /api/generate HTTP/1.1\r\nHost: proxy", SLOW_REQUEST)
            .readUntil("\"done\":false}", 64 * 1024);
      }
      assertThat(f.sim.stats().awaitActiveRequestsAtMost(0, Duration.ofSeconds(10))).isTrue();
      awaitNothingHeld(f.proxy.httpServer());
      f.awaitSamples(
          "tinyllm_request_outcomes_total",
          "tinyllm_request_outcomes_total{model=\"slow:1b\",outcome=\"cancelled\"} 1.0\n");
    }
  }

  @Test
  void aClientResetMidBodyEndsTheUpstreamRequestAndHoldsNothing() throws Exception {
    ByteTally received = new ByteTally();
    try (CannedUpstream upstream =
            new CannedUpstream(exchange -> Canned.digest(exchange, received::add));
        ProxyFixture f = ProxyFixture.upstream(upstream.uri());
        RawHttp client = new RawHttp(f.proxy.uri())) {
      OutputStream out = client.socket.getOutputStream();
      out.write(
          ("POST /api/blobs/sha256:abc HTTP/1.1\r\nHost: proxy\r\nContent-Length: "
                  + 100_000_000
                  + "\r\n\r\n")
              .getBytes(StandardCharsets.ISO_8859_1));
      out.write(new byte[1024 * 1024]);
      out.flush();
      awaitAtLeast(received, 512 * 1024);
      client.socket.setSoLinger(true, 0);
      client.socket.close(); // a reset, as of a client that crashed
      HttpExchange seen = upstream.seen.poll(10, TimeUnit.SECONDS);
      assertThat(seen).as("the upstream request ended").isNotNull();
      awaitNothingHeld(f.proxy.httpServer());
      // the client's doing, not the backend's: no error, no failure, no 502 recorded
      assertThat(f.samples("tinyllm_proxy_client_disconnects_total"))
          .isEqualTo("tinyllm_proxy_client_disconnects_total{path=\"/api/blobs\"} 1.0\n");
      assertThat(f.samples("tinyllm_proxy_backend_errors_total")).isEmpty();
      assertThat(f.samples("tinyllm_proxy_upstream_failures_total")).isEmpty();
      assertThat(f.samples("tinyllm_proxy_requests_total")).isEmpty();
    }
  }

  @Test
  void anUpstreamThatRefusesEndsOnlyTheExchange() throws Exception {
    int closedPort;
    try (ServerSocket gone = new ServerSocket()) {
      gone.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      closedPort = gone.getLocalPort();
    }
    try (ProxyFixture f = ProxyFixture.upstream(URI.create("http://127.0.0.1:" + closedPort))) {
      for (int i = 0; i < 3; i++) {
        try (RawHttp client = new RawHttp(f.proxy.uri())) {
          client.socket.setSoTimeout(10_000);
          String answer =
              client
                  .send(
                      "POST /api/generate HTTP/1.1\r\nHost: proxy\r\nConnection: close",
                      "{\"model\":\"qwen2.5:0.5b\",\"prompt\":\"x\"}")
                  .readAll();
          assertThat(answer).startsWith("HTTP/1.1 502").contains("cannot reach Ollama at ");
        }
      }
      awaitNothingHeld(f.proxy.httpServer());
    }
  }

  @Test
  void aBusyProxyAnswersCurl503NamingTheSetting() throws Exception {
    Path curl = ExternalPrograms.require("curl", "curl");
    try (ProxyFixture f =
            ProxyFixture.simulator(Canned.slowModel(4), Map.of(ProxyConfig.MAX_CONCURRENT, "1"));
        RawHttp busy = new RawHttp(f.proxy.uri())) {
      busy.send("POST /api/generate HTTP/1.1\r\nHost: proxy", SLOW_REQUEST)
          .readUntil("\"done\":false}", 64 * 1024);
      String answer = run(curl.toString(), "-sS", "-i", f.uri("/api/tags").toString());
      assertThat(answer)
          .startsWith("HTTP/1.1 503")
          .endsWith(
              "{\"error\":\"the proxy serves 1 connections at once and all are in an exchange;"
                  + " try again, or raise its limit (setting 'proxy.max-concurrent',"
                  + " --max-concurrent)\"}");
      assertThat(f.proxy.httpServer().awaitRefusalsEnded(Duration.ofSeconds(10))).isTrue();
      assertThat(f.samples("tinyllm_proxy_connections_refused_total"))
          .isEqualTo("tinyllm_proxy_connections_refused_total{answer=\"503\"} 1.0\n");
    }
  }

  @Test
  void closingWithStreamsInFlightReturnsPromptlyEndsEveryThreadAndFreesThePort() throws Exception {
    try (ProxyFixture f = ProxyFixture.simulator(Canned.slowModel(4))) {
      ProxyHttpServer server = f.proxy.httpServer();
      int port = f.proxy.port();
      List<RawHttp> clients = new ArrayList<>();
      try {
        for (int i = 0; i < 2; i++) {
          RawHttp streaming = new RawHttp(f.proxy.uri());
          clients.add(streaming);
          streaming
              .send("POST /api/generate HTTP/1.1\r\nHost: proxy", SLOW_REQUEST)
              .readUntil("\"done\":false}", 64 * 1024);
        }
        // one more, held by Ollama before its first token: its thread waits on Ollama, not on
        // its client
        Gate gate = f.sim.faults().holdBeforeFirstToken(1);
        RawHttp waiting = new RawHttp(f.proxy.uri());
        clients.add(waiting);
        waiting.send("POST /api/generate HTTP/1.1\r\nHost: proxy", SLOW_REQUEST);
        assertThat(gate.awaitHeld(1, Duration.ofSeconds(10))).isTrue();
        assertThat(server.connectionsServed()).isEqualTo(3);

        assertTimeoutPreemptively(Duration.ofSeconds(5), f.proxy::close);
        awaitNothingHeld(server);
        for (RawHttp client : clients) {
          assertThat(closedByProxy(client)).isTrue();
        }
        gate.open();
        assertThat(f.sim.stats().awaitActiveRequestsAtMost(0, Duration.ofSeconds(10))).isTrue();
      } finally {
        clients.forEach(RawHttp::close);
      }
      // nothing listens on the port any more (binding it again would race any process's outgoing
      // connection that took the free port as its local one)
      assertThatThrownBy(() -> new Socket(InetAddress.getLoopbackAddress(), port).close())
          .isInstanceOf(ConnectException.class);
    }
  }

  @Test
  void headerNamesKeepTheirCaseAndOrderAndRepeatedHeadersAllPassBothWays() throws Exception {
    String answerHead =
        "HTTP/1.1 200 OK\r\n"
            + "Content-Type: application/json\r\n"
            + "X-Answer-Case: one\r\n"
            + "Set-Cookie: a=1\r\n"
            + "x-answer-case: two\r\n"
            + "Set-Cookie: b=2\r\n"
            + "Connection: X-Answer-Hop\r\n"
            + "X-Answer-Hop: 1\r\n"
            + "Keep-Alive: timeout=5\r\n"
            + "Content-Length: 2\r\n\r\n{}";
    try (RawUpstream upstream = new RawUpstream(answerHead);
        ProxyFixture f = ProxyFixture.upstream(upstream.uri());
        RawHttp client = new RawHttp(f.proxy.uri())) {
      client.socket.setSoTimeout(10_000);
      String answer =
          client
              .send(
                  "POST /api/show HTTP/1.1\r\nHost: proxy\r\n"
                      + "X-Request-Case: a\r\n"
                      + "x-tinyllm-graph: qa\r\n"
                      + "X-REQUEST-CASE: b\r\n"
                      + "Connection: close, X-Request-Hop\r\n"
                      + "X-Request-Hop: 1\r\n"
                      + "Keep-Alive: timeout=5\r\n"
                      + "Content-Type: application/json",
                  "{\"model\":\"qwen2.5:0.5b\"}")
              .readAll();

      String forwarded = upstream.heads.poll(10, TimeUnit.SECONDS);
      assertThat(forwarded)
          .startsWith("POST /api/show HTTP/1.1\r\n")
          .containsSubsequence(
              "\r\nX-Request-Case: a",
              "\r\nx-tinyllm-graph: qa",
              "\r\nX-REQUEST-CASE: b",
              "\r\nContent-Type: application/json")
          .contains("\r\nContent-Length: 24\r\n")
          .doesNotContain("X-Request-Hop", "Keep-Alive", "Connection: close");
      assertThat(answer)
          .startsWith("HTTP/1.1 200")
          .containsSubsequence(
              "\r\nX-Answer-Case: one",
              "\r\nSet-Cookie: a=1",
              "\r\nx-answer-case: two",
              "\r\nSet-Cookie: b=2")
          .contains("\r\nContent-Length: 2\r\n", "\r\nConnection: close\r\n")
          .doesNotContain("X-Answer-Hop", "timeout=5")
          .endsWith("\r\n\r\n{}");
      awaitNothingHeld(f.proxy.httpServer());
    }
  }

  /**
   * Waits up to 10 s for every connection thread to end, every place to be given back and every
   * refused connection to be closed.
   */
  static void awaitNothingHeld(ProxyHttpServer server) throws InterruptedException {
    assertThat(server.awaitConnectionsEnded(Duration.ofSeconds(10)))
        .as("every connection ended")
        .isTrue();
    assertThat(server.connectionsServed()).as("connections served").isZero();
    assertThat(server.placesTaken()).as("places taken").isZero();
    assertThat(server.awaitRefusalsEnded(Duration.ofSeconds(10)))
        .as("every refused connection closed or served")
        .isTrue();
    assertThat(server.refusalsWaiting()).as("refusals waiting").isZero();
  }

  /** Whether the proxy closed {@code client}'s connection (its stream ends, or is reset). */
  private static boolean closedByProxy(RawHttp client) throws IOException {
    client.socket.setSoTimeout(10_000);
    InputStream in = client.socket.getInputStream();
    byte[] rest = new byte[64 * 1024];
    try {
      for (int i = 0; i < 1024; i++) { // what was on its way, at most 64 MiB
        if (in.read(rest) < 0) {
          return true;
        }
      }
      return false;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (SocketException e) {
      return true; // reset
    }
  }

  private static void awaitAtLeast(ByteTally value, long atLeast) throws InterruptedException {
    assertThat(value.awaitAtLeast(atLeast, Duration.ofSeconds(30)))
        .as("bytes Ollama received: %d, at least %d expected", value.get(), atLeast)
        .isTrue();
  }

  /** Runs {@code command}, bounded at 30 s, and returns its output; fails on a non-zero exit. */
  private String run(String... command) throws Exception {
    Path output = dir.resolve("out-" + System.nanoTime());
    Path errors = dir.resolve("err-" + System.nanoTime());
    Process process =
        new ProcessBuilder(command)
            .redirectOutput(output.toFile())
            .redirectError(errors.toFile())
            .start();
    try {
      assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("%s ended", command[0]).isTrue();
    } finally {
      ExternalPrograms.stop(process);
    }
    assertThat(process.exitValue())
        .as("exit of %s: %s", List.of(command), Files.readString(errors))
        .isZero();
    return Files.readString(output, StandardCharsets.ISO_8859_1);
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
