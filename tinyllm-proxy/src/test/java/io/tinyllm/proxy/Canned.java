package io.tinyllm.proxy;

import com.sun.net.httpserver.HttpExchange;
import io.tinyllm.ollama.sim.SimulatedModel;
import io.tinyllm.ollama.sim.SimulatorConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.LongUnaryOperator;

/** Answers as Ollama sends them, cut into the pieces a test upstream writes one by one. */
final class Canned {
  /** A native chat stream; the second piece ends inside "é" (two bytes in UTF-8). */
  static final List<byte[]> CHAT_STREAM =
      pieces(
          "{\"model\":\"qwen2.5:0.5b\",\"created_at\":\"2026-01-01T00:00:00Z\","
              + "\"message\":{\"role\":\"assistant\",\"content\":\"Caf\"},\"done\":false}\n",
          "{\"model\":\"qwen2.5:0.5b\",\"created_at\":\"2026-01-01T00:00:00Z\","
              + "\"message\":{\"role\":\"assistant\",\"content\":\"é \\u00e9 ✓\"},\"done\":false}\n"
              + "{\"model\":\"qwen2.5:0.5b\",\"created_at\":\"2026-01-01T00:00:00Z\","
              + "\"message\":{\"role\":\"assistant\",\"content\":\"!\"},\"done\":false}\n",
          "{\"model\":\"qwen2.5:0.5b\",\"created_at\":\"2026-01-01T00:00:00Z\","
              + "\"message\":{\"role\":\"assistant\",\"content\":\"\"},\"done_reason\":\"stop\","
              + "\"done\":true,\"total_duration\":500000000,\"load_duration\":200000000,"
              + "\"prompt_eval_count\":11,\"prompt_eval_duration\":50000000,"
              + "\"eval_count\":3,\"eval_duration\":150000000}\n");

  /** A native whole generate answer. */
  static final String GENERATE_WHOLE =
      "{\"model\":\"qwen2.5:0.5b\",\"created_at\":\"2026-01-01T00:00:00Z\",\"response\":\"Hi"
          + " there\",\"done\":true,\"done_reason\":\"stop\",\"context\":[1,2,3],"
          + "\"total_duration\":400000000,\"load_duration\":1000,\"prompt_eval_count\":7,"
          + "\"prompt_eval_duration\":20000000,\"eval_count\":2,\"eval_duration\":100000000}";

  /** An OpenAI chat stream with usage (the client asked stream_options.include_usage). */
  static final List<byte[]> OPENAI_STREAM_WITH_USAGE =
      pieces(
          "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,"
              + "\"model\":\"qwen2.5:0.5b\",\"choices\":[{\"index\":0,\"delta\":{\"role\":"
              + "\"assistant\",\"content\":\"Hel\"},\"finish_reason\":null}]}\n\n",
          "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,"
              + "\"model\":\"qwen2.5:0.5b\",\"choices\":[{\"index\":0,\"delta\":{\"role\":"
              + "\"assistant\",\"content\":\"lo\"},\"finish_reason\":null}]}\n\ndata: {\"id\":",
          "\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,"
              + "\"model\":\"qwen2.5:0.5b\",\"choices\":[{\"index\":0,\"delta\":{\"role\":"
              + "\"assistant\",\"content\":\"\"},\"finish_reason\":\"stop\"}]}\n\n",
          "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,"
              + "\"model\":\"qwen2.5:0.5b\",\"choices\":[],\"usage\":{\"prompt_tokens\":9,"
              + "\"completion_tokens\":2,\"total_tokens\":11}}\n\n",
          "data: [DONE]\n\n");

  /** The same stream when the client did not ask for usage. */
  static final List<byte[]> OPENAI_STREAM_WITHOUT_USAGE =
      List.of(
          OPENAI_STREAM_WITH_USAGE.get(0),
          OPENAI_STREAM_WITH_USAGE.get(1),
          OPENAI_STREAM_WITH_USAGE.get(2),
          OPENAI_STREAM_WITH_USAGE.get(4));

  /** An OpenAI whole chat answer. */
  static final String OPENAI_WHOLE =
      "{\"id\":\"chatcmpl-2\",\"object\":\"chat.completion\",\"created\":1,\"model\":"
          + "\"qwen2.5:0.5b\",\"system_fingerprint\":\"fp_ollama\",\"choices\":[{\"index\":0,"
          + "\"message\":{\"role\":\"assistant\",\"content\":\"Hello\"},\"finish_reason\":"
          + "\"stop\"}],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":1,"
          + "\"total_tokens\":6}}\n";

  private Canned() {}

  static byte[] joined(List<byte[]> pieces) {
    int length = pieces.stream().mapToInt(p -> p.length).sum();
    byte[] all = new byte[length];
    int at = 0;
    for (byte[] piece : pieces) {
      System.arraycopy(piece, 0, all, at, piece.length);
      at += piece.length;
    }
    return all;
  }

  /** Sends {@code pieces} as a chunked answer, one flush per piece. */
  static void stream(HttpExchange exchange, String contentType, List<byte[]> pieces)
      throws IOException {
    exchange.getRequestBody().readAllBytes();
    exchange.getResponseHeaders().set("Content-Type", contentType);
    exchange.sendResponseHeaders(200, 0);
    try (OutputStream out = exchange.getResponseBody()) {
      for (byte[] piece : pieces) {
        out.write(piece);
        out.flush();
      }
    }
  }

  /** A model of the simulator that streams 5 tokens a second, for tests that need a long answer. */
  static final String SLOW_MODEL = "slow:1b";

  /**
   * A simulator whose {@link #SLOW_MODEL} answers "ping" with 100 tokens at 5 a second: a stream
   * left alone runs 20 s; {@code numParallel} requests at once.
   */
  static SimulatorConfig slowModel(int numParallel) {
    return SimulatorConfig.builder()
        .port(0)
        .numParallel(numParallel)
        .model(
            SimulatedModel.completion(SLOW_MODEL)
                .loadTime(Duration.ofMillis(1))
                .timeToFirstToken(Duration.ofMillis(1))
                .tokensPerSecond(5)
                .build())
        .cannedAnswer("ping", "word ".repeat(100).strip())
        .build();
  }

  /** Answers with the length and SHA-256 of the request body. */
  static void digest(HttpExchange exchange) throws IOException {
    digest(exchange, n -> 0);
  }

  /** The same, telling {@code arrived} of each piece of the body as it comes. */
  static void digest(HttpExchange exchange, LongUnaryOperator arrived) throws IOException {
    MessageDigest sha = sha256();
    long length = 0;
    try (InputStream in = exchange.getRequestBody()) {
      byte[] buffer = new byte[64 * 1024];
      for (int n; (n = in.read(buffer)) > 0; ) {
        sha.update(buffer, 0, n);
        length += n;
        arrived.applyAsLong(n);
      }
    }
    byte[] answer =
        (length + " " + HexFormat.of().formatHex(sha.digest())).getBytes(StandardCharsets.UTF_8);
    exchange.sendResponseHeaders(200, answer.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(answer);
    }
  }

  /** What {@link #digest} answers for {@code bytes}. */
  static String digestAnswer(byte[] bytes) {
    return bytes.length + " " + HexFormat.of().formatHex(sha256().digest(bytes));
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Sends {@code body} whole, with its length. */
  static void whole(HttpExchange exchange, int status, String body) throws IOException {
    exchange.getRequestBody().readAllBytes();
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  /** The UTF-8 of {@code texts}, the second cut one byte into its first multi-byte character. */
  private static List<byte[]> pieces(String... texts) {
    byte[] all = joined(java.util.Arrays.stream(texts).map(Canned::utf8).toList());
    List<byte[]> pieces = new java.util.ArrayList<>();
    int at = 0;
    for (int i = 0; i < texts.length; i++) {
      int length = utf8(texts[i]).length;
      if (i == 1) {
        int cut = indexOfMultiByte(all, at) + 1;
        if (cut > at && cut < at + length) {
          pieces.add(java.util.Arrays.copyOfRange(all, at, cut));
          pieces.add(java.util.Arrays.copyOfRange(all, cut, at + length));
          at += length;
          continue;
        }
      }
      pieces.add(java.util.Arrays.copyOfRange(all, at, at + length));
      at += length;
    }
    return List.copyOf(pieces);
  }

  private static int indexOfMultiByte(byte[] bytes, int from) {
    for (int i = from; i < bytes.length; i++) {
      if (bytes[i] < 0) {
        return i;
      }
    }
    return -1;
  }

  /**
   * An upstream handler's wait for the test, at most 10 s; false when the time ran out or the
   * thread was interrupted (the interrupt is kept), so the handler goes on and the test's own
   * assertion names what did not happen.
   */
  static boolean await(CountDownLatch latch) {
    try {
      return latch.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
