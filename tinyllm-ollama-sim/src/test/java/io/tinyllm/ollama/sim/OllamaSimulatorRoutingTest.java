package io.tinyllm.ollama.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What happens before a handler runs, as Ollama v0.13.5's Gin router and middlewares do it:
 * trailing-slash redirects, CORS with Ollama's default origins, the Host check on a loopback
 * listener, and 405 with {@code Allow}.
 */
class OllamaSimulatorRoutingTest {
  private static OllamaSimulator sim;
  private static HttpClient http;

  @BeforeAll
  static void start() throws Exception {
    sim = OllamaSimulator.start(SimulatorConfig.builder().timeScale(0.01).build());
    http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  }

  @AfterAll
  static void stop() {
    sim.close();
  }

  @Test
  void aTrailingSlashRedirectsWith301ForGetAnd307Otherwise() throws Exception {
    HttpResponse<String> get = send("GET", "/api/tags/?x=1", null);
    assertThat(get.statusCode()).isEqualTo(301);
    assertThat(get.headers().firstValue("Location")).hasValue("/api/tags?x=1");
    assertThat(get.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
    assertThat(get.body()).isEqualTo("<a href=\"/api/tags?x=1\">Moved Permanently</a>.\n\n");

    HttpResponse<String> post = send("POST", "/api/chat/", "{}");
    assertThat(post.statusCode()).isEqualTo(307);
    assertThat(post.headers().firstValue("Location")).hasValue("/api/chat");
    assertThat(post.body()).isEmpty();

    // only when the other form is routed for the same method
    assertThat(send("GET", "/api/chat/", null).statusCode()).isEqualTo(404);
    assertThat(send("GET", "/", null).statusCode()).isEqualTo(200);
    assertThat(send("DELETE", "/api/delete/", "{}").statusCode()).isEqualTo(307);
  }

  @Test
  void aPreflightFromAnAllowedOriginIsAnswered204WithOllamasCorsHeaders() throws Exception {
    for (String origin :
        List.of(
            "http://localhost:3000",
            "https://127.0.0.1",
            "http://0.0.0.0:8080",
            "app://obsidian.md",
            "file://",
            "tauri://localhost",
            "vscode-webview://abc")) {
      HttpResponse<String> preflight =
          send(
              "OPTIONS",
              "/api/chat",
              null,
              "Origin",
              origin,
              "Access-Control-Request-Method",
              "POST");
      assertThat(preflight.statusCode()).as(origin).isEqualTo(204);
      assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin")).hasValue(origin);
      assertThat(preflight.headers().firstValue("Access-Control-Allow-Methods"))
          .hasValue("GET,POST,PUT,PATCH,DELETE,HEAD,OPTIONS");
      assertThat(preflight.headers().firstValue("Access-Control-Allow-Headers").orElseThrow())
          .startsWith("Authorization,Content-Type,User-Agent,Accept,X-Requested-With,Openai-Beta,")
          .endsWith(",X-Stainless-Timeout");
      assertThat(preflight.headers().firstValue("Access-Control-Max-Age")).hasValue("43200");
      assertThat(preflight.headers().allValues("Vary"))
          .containsExactly(
              "Origin", "Access-Control-Request-Method", "Access-Control-Request-Headers");
      assertThat(preflight.body()).isEmpty();
    }
  }

  @Test
  void aRequestFromAnAllowedOriginCarriesAllowOrigin() throws Exception {
    HttpResponse<String> reply =
        send("GET", "/api/version", null, "Origin", "http://localhost:5173");
    assertThat(reply.statusCode()).isEqualTo(200);
    assertThat(reply.headers().firstValue("Access-Control-Allow-Origin"))
        .hasValue("http://localhost:5173");
    assertThat(reply.headers().allValues("Vary")).containsExactly("Origin");

    HttpResponse<String> plain = send("GET", "/api/version", null);
    assertThat(plain.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
  }

  @Test
  void anOriginOutsideTheDefaultsIsRefused403() throws Exception {
    for (String origin :
        List.of("https://evil.example", "chrome-extension://abc", "http://localhost.evil")) {
      HttpResponse<String> reply = send("POST", "/api/chat", "{}", "Origin", origin);
      assertThat(reply.statusCode()).as(origin).isEqualTo(403);
      assertThat(reply.body()).isEmpty();
      HttpResponse<String> preflight = send("OPTIONS", "/api/chat", null, "Origin", origin);
      assertThat(preflight.statusCode()).isEqualTo(403);
    }
  }

  @Test
  void anOptionsRequestWithoutOriginToAnIpHostIs405() throws Exception {
    HttpResponse<String> reply = send("OPTIONS", "/api/chat", null);
    assertThat(reply.statusCode()).isEqualTo(405);
    assertThat(reply.headers().firstValue("Allow")).hasValue("POST");
    assertThat(send("POST", "/api/tags", "{}").headers().firstValue("Allow")).hasValue("HEAD, GET");
  }

  @Test
  void aForeignHostNameIsRefusedOnALoopbackListener() throws Exception {
    assertThat(rawStatusLine("GET /api/version HTTP/1.1", "Host: attacker.example"))
        .isEqualTo("HTTP/1.1 403 Forbidden");
    assertThat(rawStatusLine("GET /api/version HTTP/1.1", "Host: localhost:11434"))
        .isEqualTo("HTTP/1.1 200 OK");
    assertThat(rawStatusLine("GET /api/version HTTP/1.1", "Host: ollama.internal"))
        .isEqualTo("HTTP/1.1 200 OK");
    assertThat(rawStatusLine("GET /api/version HTTP/1.1", "Host: 192.168.1.20:11434"))
        .isEqualTo("HTTP/1.1 200 OK");
    // an allowed name answers OPTIONS itself
    assertThat(rawStatusLine("OPTIONS /api/chat HTTP/1.1", "Host: localhost"))
        .isEqualTo("HTTP/1.1 204 No Content");
  }

  private static HttpResponse<String> send(
      String method, String path, String body, String... headers)
      throws IOException, InterruptedException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(sim.baseUri().resolve(path))
            .timeout(Duration.ofSeconds(10))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    for (int i = 0; i < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** The status line of a request written by hand, for headers HttpClient will not set. */
  private static String rawStatusLine(String requestLine, String hostHeader) throws IOException {
    try (Socket socket = new Socket(sim.baseUri().getHost(), sim.port())) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(
          (requestLine + "\r\n" + hostHeader + "\r\nConnection: close\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      StringBuilder line = new StringBuilder();
      for (int c = in.read(); c != -1 && c != '\r' && line.length() < 200; c = in.read()) {
        line.append((char) c);
      }
      return line.toString();
    }
  }
}
