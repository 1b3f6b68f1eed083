package io.tinyllm.ollama.sim;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpPrincipal;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * An exchange on one of the {@code /v1} endpoints that rewrites whatever the native handler answers
 * into OpenAI's shapes, as Ollama's {@code middleware/openai.go} response writers do (v0.13.5):
 * each native JSON object (a whole answer, or one NDJSON line of a stream) becomes the OpenAI
 * object, as server-sent events ({@code data: ...}, then {@code data: [DONE]}) when the client
 * asked to stream, and an error answer becomes {@code {"error": {"message", "type", ...}}} with the
 * native status. Everything else is passed to the real exchange.
 */
final class OpenAiExchange extends HttpExchange {
  static final String EVENT_STREAM = "text/event-stream";

  /** The content type of Ollama's middleware answers (it sets it without a charset). */
  private static final String JSON = "application/json";

  private static final byte[] DONE = "data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8);

  private final HttpExchange raw;
  private final Endpoint endpoint;
  private final ObjectMapper mapper;
  private OpenAiRequests.Options options = OpenAiRequests.Options.NONE;
  private int status = -1;
  private OutputStream body;
  private boolean toolCallSent;

  OpenAiExchange(HttpExchange raw, Endpoint endpoint, ObjectMapper mapper) {
    this.raw = requireNonNull(raw, "raw is null");
    this.endpoint = requireNonNull(endpoint, "endpoint is null");
    this.mapper = requireNonNull(mapper, "mapper is null");
  }

  /** What the answer's translation needs of the request (stream, usage, id, ...). */
  void answerWith(OpenAiRequests.Options options) {
    this.options = requireNonNull(options, "options is null");
  }

  /**
   * Sends the compatibility layer's own error, for a request it rejects before the native handler
   * runs: typed by status, as gin's {@code c.JSON} writes it.
   */
  void sendRequestError(int code, String message) throws IOException {
    status = code;
    HttpIo.send(
        raw, code, HttpIo.JSON, HttpIo.bytes(mapper, OpenAiResponses.error(mapper, code, message)));
  }

  @Override
  public void sendResponseHeaders(int code, long length) throws IOException {
    status = code;
    if (length < 0) {
      raw.sendResponseHeaders(code, length); // nothing written, nothing to translate
      body = OutputStream.nullOutputStream();
    } else if (code == 200 && length == 0) {
      // a native stream: translate line by line as it goes
      raw.getResponseHeaders().set("Content-Type", options.stream() ? EVENT_STREAM : JSON);
      raw.sendResponseHeaders(200, 0);
      body = new LineTranslator(raw.getResponseBody());
    } else {
      body = new WholeTranslator();
    }
  }

  @Override
  public OutputStream getResponseBody() {
    if (body == null) {
      throw new IllegalStateException("response headers not sent");
    }
    return body;
  }

  @Override
  public int getResponseCode() {
    return status;
  }

  @Override
  public void close() {
    try {
      if (body != null) {
        body.close();
      }
    } catch (IOException e) {
      // the client went away; the real exchange is closed below either way
    } finally {
      raw.close();
    }
  }

  /** The bytes that replace one native JSON object of a successful answer. */
  private byte[] translate(byte[] nativeBytes) {
    JsonNode node = parse(nativeBytes);
    if (node == null || !node.isObject()) {
      // only an injected malformed-line fault gets here: pass the broken bytes on as they are
      return options.stream() ? event(nativeBytes) : nativeBytes;
    }
    return switch (endpoint) {
      case OPENAI_CHAT ->
          options.stream()
              ? chatEvents(node)
              : json(OpenAiResponses.chatCompletion(mapper, options.id(), node));
      case OPENAI_COMPLETIONS ->
          options.stream()
              ? completionEvents(node)
              : json(OpenAiResponses.completion(mapper, options.id(), node));
      case OPENAI_EMBEDDINGS ->
          json(
              OpenAiResponses.embeddingList(
                  mapper, options.model(), node, options.encodingFormat()));
      case OPENAI_MODELS -> json(OpenAiResponses.modelList(mapper, node));
      case OPENAI_MODEL -> json(OpenAiResponses.retrieved(mapper, options.model(), node));
      default -> throw new IllegalStateException("not an OpenAI endpoint: " + endpoint);
    };
  }

  private byte[] chatEvents(JsonNode node) {
    ObjectNode chunk = OpenAiResponses.chatChunk(mapper, options.id(), node, toolCallSent);
    if (chunk.at("/choices/0/delta/tool_calls").size() > 0) {
      toolCallSent = true;
    }
    return events(chunk, node);
  }

  private byte[] completionEvents(JsonNode node) {
    ObjectNode chunk = OpenAiResponses.completionChunk(mapper, options.id(), node);
    if (options.includeUsage()) {
      // v0.13.5 puts a usage of zeros on every chunk, and the real one on its own chunk last
      chunk.set("usage", OpenAiResponses.zeroUsage(mapper));
    }
    return events(chunk, node);
  }

  /**
   * The event of {@code chunk}, the translation of the native line {@code node}; after the last
   * line, the usage (on a chunk without choices) if the client asked for it, and {@code [DONE]}.
   */
  private byte[] events(ObjectNode chunk, JsonNode node) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(event(HttpIo.bytes(mapper, chunk)));
    if (node.path("done").asBoolean()) {
      if (options.includeUsage()) {
        chunk.putArray("choices");
        chunk.set("usage", OpenAiResponses.usage(mapper, node));
        out.writeBytes(event(HttpIo.bytes(mapper, chunk)));
      }
      out.writeBytes(DONE);
    }
    return out.toByteArray();
  }

  /** An error answer of the native handler as OpenAI's error object. */
  private byte[] translateError(byte[] nativeBytes) {
    JsonNode node = parse(nativeBytes);
    if (node == null || !node.path("error").isTextual()) {
      return new byte[0]; // v0.13.5 writes nothing when the error is not JSON
    }
    // v0.13.5 types every error of the native handler as a 500 (api_error), whatever its status
    return json(OpenAiResponses.error(mapper, 500, node.get("error").asText()));
  }

  /** The native bytes as JSON, or {@code null} if they are not JSON. */
  private JsonNode parse(byte[] nativeBytes) {
    try {
      return mapper.readTree(nativeBytes);
    } catch (JsonProcessingException e) {
      return null;
    } catch (IOException e) {
      throw new UncheckedIOException(e); // not from bytes in memory
    }
  }

  private byte[] json(ObjectNode node) {
    // Go's json.Encoder ends the object with a line break
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(HttpIo.bytes(mapper, node));
    out.write('\n');
    return out.toByteArray();
  }

  private static byte[] event(byte[] data) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(data.length + 8);
    out.writeBytes("data: ".getBytes(StandardCharsets.UTF_8));
    out.writeBytes(data);
    out.writeBytes("\n\n".getBytes(StandardCharsets.UTF_8));
    return out.toByteArray();
  }

  /** Translates a streamed native answer line by line, passing each flush on. */
  private final class LineTranslator extends OutputStream {
    private final OutputStream out;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private boolean closed;

    LineTranslator(OutputStream out) {
      this.out = out;
    }

    @Override
    public void write(int b) throws IOException {
      if (b == '\n') {
        out.write(translate(line.toByteArray()));
        line.reset();
      } else {
        line.write(b);
      }
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
      int start = offset;
      for (int i = offset; i < offset + length; i++) {
        if (bytes[i] == '\n') {
          line.write(bytes, start, i - start);
          write('\n');
          start = i + 1;
        }
      }
      line.write(bytes, start, offset + length - start);
    }

    @Override
    public void flush() throws IOException {
      out.flush();
    }

    @Override
    public void close() throws IOException {
      if (!closed) {
        closed = true;
        out.close();
      }
    }
  }

  /** Gathers a whole native answer and sends its translation, with its length, when closed. */
  private final class WholeTranslator extends OutputStream {
    private final ByteArrayOutputStream gathered = new ByteArrayOutputStream();
    private boolean closed;

    @Override
    public void write(int b) {
      gathered.write(b);
    }

    @Override
    public void write(byte[] bytes, int offset, int length) {
      gathered.write(bytes, offset, length);
    }

    @Override
    public void close() throws IOException {
      if (closed) {
        return;
      }
      closed = true;
      byte[] translated =
          status == 200
              ? translate(gathered.toByteArray())
              : translateError(gathered.toByteArray());
      boolean events = status == 200 && options.stream();
      HttpIo.send(raw, status, events ? EVENT_STREAM : JSON, translated);
    }
  }

  // the rest is the real exchange's

  @Override
  public Headers getRequestHeaders() {
    return raw.getRequestHeaders();
  }

  @Override
  public Headers getResponseHeaders() {
    return raw.getResponseHeaders();
  }

  @Override
  public URI getRequestURI() {
    return raw.getRequestURI();
  }

  @Override
  public String getRequestMethod() {
    return raw.getRequestMethod();
  }

  @Override
  public HttpContext getHttpContext() {
    return raw.getHttpContext();
  }

  @Override
  public InputStream getRequestBody() {
    return raw.getRequestBody();
  }

  @Override
  public InetSocketAddress getRemoteAddress() {
    return raw.getRemoteAddress();
  }

  @Override
  public InetSocketAddress getLocalAddress() {
    return raw.getLocalAddress();
  }

  @Override
  public String getProtocol() {
    return raw.getProtocol();
  }

  @Override
  public Object getAttribute(String name) {
    return raw.getAttribute(name);
  }

  @Override
  public void setAttribute(String name, Object value) {
    raw.setAttribute(name, value);
  }

  @Override
  public void setStreams(InputStream in, OutputStream out) {
    raw.setStreams(in, out);
  }

  @Override
  public HttpPrincipal getPrincipal() {
    return raw.getPrincipal();
  }
}
