package io.tinyllm.ollama;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.async.ByteArrayFeeder;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import io.tinyllm.api.error.MalformedResponseException;
import io.tinyllm.api.error.ResponseTooLargeException;
import io.tinyllm.api.llm.Logprob;
import io.tinyllm.api.llm.ToolCall;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * <b>Internal, not part of the API</b>: the one reader of LLM answers, shared by the client (its
 * streamed and whole generate and chat answers) and the proxy (which reads what passes through on
 * the side). It takes the answer's bytes as they arrive, in pieces of any size (a JSON object may
 * span pieces, a piece may hold many objects: NDJSON needs no line splitting), and hands out each
 * finished top-level object as a {@link Chunk}, picking only the fields the callers use from
 * Jackson's non-blocking token stream: no tree is built per chunk, and nothing outside the current
 * token and the picked fields is held.
 *
 * <pre>{@code
 * ChunkReader reader = ChunkReader.keepingContent(64 << 20);
 * reader.feed(bytes, 0, n);
 * for (Chunk chunk; (chunk = reader.next()) != null; ) {
 *   listener.onToken(chunk.text());
 * }
 * }</pre>
 *
 * <p>Tool calls, log probabilities and error objects are rare and small: their subtree is copied as
 * JSON text while it streams by and read from that text once complete.
 *
 * <p>Not thread-safe: one reader per answer, used by one thread at a time.
 */
public final class ChunkReader {
  private static final JsonFactory JSON = new JsonFactory();

  /** Deeper than anything picked: {@code choices[i].delta.content} is at depth 4. */
  private static final int MAX_TRACKED_DEPTH = 8;

  private enum Capture {
    TOOL_CALLS,
    LOGPROBS,
    ERROR,
    DONE,
    NUMBER
  }

  private final boolean keepContent;
  private final long maxObjectBytes;
  private final String what;
  private final JsonParser parser;
  private final ByteArrayFeeder feeder;
  private final Chunk chunk = new Chunk();
  private final String[] names = new String[MAX_TRACKED_DEPTH + 1];
  private int depth;
  private long fed;
  private long objectEnd; // where the last whole top-level object ended
  private boolean ended;
  private byte[] scratch; // for buffers without an array
  private byte[] lastBytes; // the last piece fed, for messages
  private int lastOffset;
  private int lastLength;
  // the subtree being copied as JSON text, if any
  private Capture capturing;
  private String captureField;
  private int captureDepth;
  private ByteArrayBuilder captureBytes;
  private JsonGenerator captureJson;

  private ChunkReader(boolean keepContent, long maxObjectBytes, String what) {
    this.keepContent = keepContent;
    this.maxObjectBytes = maxObjectBytes;
    this.what = what;
    try {
      parser = JSON.createNonBlockingByteArrayParser();
    } catch (IOException e) {
      throw new UncheckedIOException(e); // no I/O happens making a parser
    }
    feeder = (ByteArrayFeeder) parser.getNonBlockingInputFeeder();
  }

  /**
   * A reader that keeps texts, tool calls and log probabilities (the client's), failing an object
   * longer than {@code maxObjectBytes} with {@link ResponseTooLargeException}.
   */
  public static ChunkReader keepingContent(int maxObjectBytes) {
    return new ChunkReader(true, maxObjectBytes, "stream chunk");
  }

  /** A reader for metrics: whether there was output, counts, durations, errors (the proxy's). */
  public static ChunkReader forMetrics() {
    return new ChunkReader(false, Long.MAX_VALUE, "answer");
  }

  /**
   * The single object of a whole answer {@code json}, read with its content.
   *
   * @throws MalformedResponseException if it is not one JSON object
   */
  static Chunk whole(String json, int maxBytes) {
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    ChunkReader reader = new ChunkReader(true, maxBytes, "response");
    reader.feed(bytes, 0, bytes.length);
    reader.end();
    Chunk only = reader.next();
    if (only == null) {
      throw new MalformedResponseException("Ollama sent an empty response");
    }
    return only;
  }

  /**
   * The next {@code length} bytes of the answer. {@code bytes} must stay unchanged until {@link
   * #next()} returned {@code null}, which means all of them were read.
   */
  public void feed(byte[] bytes, int offset, int length) {
    if (length == 0) {
      return;
    }
    lastBytes = bytes;
    lastOffset = offset;
    lastLength = length;
    fed += length;
    try {
      feeder.feedInput(bytes, offset, offset + length);
    } catch (IOException e) {
      throw malformed(e);
    }
  }

  /** The bytes left in {@code buffer}, which is used up; see {@link #feed(byte[], int, int)}. */
  public void feed(ByteBuffer buffer) {
    int length = buffer.remaining();
    if (buffer.hasArray()) {
      feed(buffer.array(), buffer.arrayOffset() + buffer.position(), length);
    } else {
      if (scratch == null || scratch.length < length) {
        scratch = new byte[Math.max(length, 16 * 1024)];
      }
      buffer.get(buffer.position(), scratch, 0, length);
      feed(scratch, 0, length);
    }
    buffer.position(buffer.limit());
  }

  /**
   * The answer ended: {@link #next()} hands out what is left, and fails with {@link
   * MalformedResponseException} if the answer stopped inside an object.
   */
  public void end() {
    ended = true;
    feeder.endOfInput();
  }

  /**
   * The next whole top-level object, or {@code null} until more bytes are fed (or, after {@link
   * #end()}, when there is none left). The returned chunk is reused by the next call.
   *
   * @throws MalformedResponseException if the answer is not JSON, or a value is not what Ollama
   *     sends (a top-level value that is not an object, a tool call without a function name)
   * @throws ResponseTooLargeException if one object is longer than the reader accepts
   */
  public Chunk next() {
    try {
      JsonToken token;
      while ((token = parser.nextToken()) != null && token != JsonToken.NOT_AVAILABLE) {
        if (capturing != null) {
          captureJson.copyCurrentEvent(parser);
          if (token.isStructStart()) {
            depth++;
          } else if (token.isStructEnd() && --depth == captureDepth) {
            captured();
          }
          continue;
        }
        if (depth == 0) {
          if (token != JsonToken.START_OBJECT) {
            throw new MalformedResponseException(
                "Ollama sent a JSON value that is not an object where an answer belongs ("
                    + token.asString()
                    + ")");
          }
          chunk.clear();
          depth = 1;
          names[1] = null;
          continue;
        }
        switch (token) {
          case START_OBJECT, START_ARRAY -> container(token);
          case END_OBJECT, END_ARRAY -> {
            depth--;
            if (depth == 0) {
              objectEnd = parser.currentLocation().getByteOffset();
              return chunk;
            }
          }
          case FIELD_NAME -> {
            if (depth <= MAX_TRACKED_DEPTH) {
              names[depth] = parser.currentName();
            }
          }
          default -> {
            if (depth <= MAX_TRACKED_DEPTH) {
              scalar(token);
            }
          }
        }
      }
    } catch (IOException e) {
      throw malformed(e);
    }
    if (!ended && fed - objectEnd > maxObjectBytes) {
      throw new ResponseTooLargeException(
          "A chunk of the streamed answer is longer than the "
              + maxObjectBytes
              + " bytes the client accepts (setting '"
              + OllamaConfig.MAX_RESPONSE_BYTES
              + "')");
    }
    return null;
  }

  /** Names the line of the last bytes fed where the JSON broke, as the server sent it. */
  private MalformedResponseException malformed(IOException e) {
    String line = "";
    if (lastBytes != null) {
      long offset = parser.currentLocation().getByteOffset() - (fed - lastLength);
      int at = (int) Math.max(0, Math.min(lastLength, offset)) + lastOffset;
      int end = lastOffset + lastLength;
      int from = at;
      while (from > lastOffset && lastBytes[from - 1] != '\n') {
        from--;
      }
      int to = Math.min(at, end);
      while (to < end && lastBytes[to] != '\n') {
        to++;
      }
      line = new String(lastBytes, from, to - from, StandardCharsets.UTF_8);
    }
    return new MalformedResponseException(
        "Ollama sent a " + what + " that is not valid JSON: " + OllamaJson.abbreviate(line), e);
  }

  /** An object or array starts as the value of the current field. */
  private void container(JsonToken token) throws IOException {
    String name = depth <= MAX_TRACKED_DEPTH ? names[depth] : null;
    if (name != null) {
      if (depth == 1) {
        switch (name) {
          case "error" -> {
            chunk.error = true; // native errors are strings; OpenAI's are objects
            if (keepContent) {
              startCapture(Capture.ERROR, name);
              return;
            }
          }
          case "tool_calls" -> {
            if (keepContent) {
              startCapture(Capture.TOOL_CALLS, name); // generate answers carry them at the top
              return;
            }
            chunk.output = true;
          }
          case "logprobs" -> {
            if (keepContent && token == JsonToken.START_ARRAY) {
              startCapture(Capture.LOGPROBS, name);
              return;
            }
          }
          case "done" -> {
            startCapture(Capture.DONE, name);
            return;
          }
          default -> {
            if (isReportedNumber(name)) {
              startCapture(Capture.NUMBER, name);
              return;
            }
          }
        }
      } else if ("tool_calls".equals(name) && inMessage()) {
        if (keepContent && depth == 2) {
          startCapture(Capture.TOOL_CALLS, name);
          return;
        }
        chunk.output = true;
      }
    }
    depth++;
    if (depth <= MAX_TRACKED_DEPTH) {
      names[depth] = null;
    }
  }

  private void startCapture(Capture what, String field) throws IOException {
    if (captureBytes == null) {
      captureBytes = new ByteArrayBuilder(256);
    } else {
      captureBytes.reset();
    }
    captureJson = JSON.createGenerator(captureBytes);
    captureJson.copyCurrentEvent(parser);
    capturing = what;
    captureField = field;
    captureDepth = depth;
    depth++;
  }

  /** The subtree being copied is complete. */
  private void captured() throws IOException {
    captureJson.close();
    byte[] json = captureBytes.toByteArray();
    Capture what = capturing;
    capturing = null;
    captureJson = null;
    switch (what) {
      case TOOL_CALLS -> {
        List<ToolCall> calls = toolCalls(json);
        if (!calls.isEmpty()) {
          chunk.output = true;
          // chat's message.tool_calls comes first in Ollama's answers; generate's only alone
          if (chunk.toolCalls.isEmpty()) {
            chunk.toolCalls = calls;
          }
        }
      }
      case LOGPROBS -> chunk.logprobs = logprobs(json);
      case ERROR -> chunk.errorText = new String(json, StandardCharsets.UTF_8);
      case DONE -> chunk.doneText = new String(json, StandardCharsets.UTF_8);
      case NUMBER -> invalid(captureField, new String(json, StandardCharsets.UTF_8));
    }
  }

  /** Whether the current depth is a message: native {@code message}, OpenAI {@code delta}. */
  private boolean inMessage() {
    return (depth == 2 && "message".equals(names[1]))
        || (depth == 4
            && "choices".equals(names[1])
            && ("delta".equals(names[3]) || "message".equals(names[3])));
  }

  private void scalar(JsonToken token) throws IOException {
    String name = names[depth];
    if (name == null) {
      return;
    }
    if (depth == 1) {
      root(name, token);
    } else if (depth == 2 && "message".equals(names[1])) {
      if (token == JsonToken.VALUE_STRING) {
        if ("content".equals(name)) {
          chunk.content = text();
        } else if ("thinking".equals(name)) {
          chunk.messageThinking = text();
        }
        output(name);
      }
    } else if (depth == 2 && "usage".equals(names[1]) && token == JsonToken.VALUE_NUMBER_INT) {
      if ("prompt_tokens".equals(name)) {
        chunk.usagePromptTokens = parser.getLongValue();
      } else if ("completion_tokens".equals(name)) {
        chunk.usageCompletionTokens = parser.getLongValue();
      }
    } else if (depth == 3 && "choices".equals(names[1])) {
      if ("finish_reason".equals(name) && token == JsonToken.VALUE_STRING) {
        chunk.finished = true;
      } else if ("text".equals(name) && token == JsonToken.VALUE_STRING) {
        output(name);
      }
    } else if (depth == 4 && inMessage() && token == JsonToken.VALUE_STRING) {
      output(name);
    }
  }

  private void root(String name, JsonToken token) throws IOException {
    switch (name) {
      case "response" -> {
        if (token == JsonToken.VALUE_STRING) {
          chunk.response = text();
          output(name);
        }
      }
      case "thinking" -> {
        if (token == JsonToken.VALUE_STRING) {
          chunk.thinking = text();
          output(name);
        }
      }
      case "done" -> {
        chunk.done = token == JsonToken.VALUE_TRUE;
        chunk.doneText = token == JsonToken.VALUE_STRING ? quoted() : parser.getText();
      }
      case "done_reason" -> chunk.doneReason = token == JsonToken.VALUE_NULL ? null : text();
      case "model" -> chunk.model = token == JsonToken.VALUE_NULL ? null : text();
      case "error" -> {
        if (token != JsonToken.VALUE_NULL) {
          chunk.error = true;
          chunk.errorText = keepContent ? parser.getText() : null;
        }
      }
      case "prompt_eval_count" -> chunk.promptEvalCount = number(name, token);
      case "eval_count" -> chunk.evalCount = number(name, token);
      case "total_duration" -> chunk.totalDuration = number(name, token);
      case "load_duration" -> chunk.loadDuration = number(name, token);
      case "prompt_eval_duration" -> chunk.promptEvalDuration = number(name, token);
      case "eval_duration" -> chunk.evalDuration = number(name, token);
      default -> {}
    }
  }

  /** Generated text (answer, thinking, reasoning, completion text) counts when not empty. */
  private void output(String name) throws IOException {
    switch (name) {
      case "response", "thinking", "content", "reasoning", "reasoning_content", "text" -> {
        if (parser.getTextLength() > 0) {
          chunk.output = true;
        }
      }
      default -> {}
    }
  }

  private String text() throws IOException {
    return keepContent ? parser.getText() : null;
  }

  private String quoted() throws IOException {
    return '"' + parser.getText() + '"';
  }

  private static boolean isReportedNumber(String name) {
    return switch (name) {
      case "prompt_eval_count",
          "eval_count",
          "total_duration",
          "load_duration",
          "prompt_eval_duration",
          "eval_duration" ->
          true;
      default -> false;
    };
  }

  /** A count or duration: a whole number from 0 up, or -1 (absent or not one, then noted). */
  private long number(String name, JsonToken token) throws IOException {
    if (token == JsonToken.VALUE_NULL) {
      return -1;
    }
    if (token == JsonToken.VALUE_NUMBER_INT
        && parser.getNumberType() != JsonParser.NumberType.BIG_INTEGER) {
      long value = parser.getLongValue();
      if (value >= 0) {
        return value;
      }
    }
    invalid(name, token == JsonToken.VALUE_STRING ? quoted() : parser.getText());
    return -1;
  }

  private void invalid(String name, String text) {
    if (chunk.invalidField == null) {
      chunk.invalidField = name;
      chunk.invalidText = text;
    }
  }

  /** The tool calls of a {@code tool_calls} value (copied as JSON), in order. */
  private static List<ToolCall> toolCalls(byte[] json) throws IOException {
    try (JsonParser p = JSON.createParser(json)) {
      if (p.nextToken() != JsonToken.START_ARRAY) {
        return List.of();
      }
      List<ToolCall> calls = new ArrayList<>();
      for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
        int start = (int) p.currentTokenLocation().getByteOffset();
        String id = null;
        String name = null;
        String arguments = "{}";
        if (t == JsonToken.START_OBJECT) {
          while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken value = p.nextToken();
            if ("id".equals(field) && value.isScalarValue() && value != JsonToken.VALUE_NULL) {
              id = p.getText();
            } else if ("function".equals(field) && value == JsonToken.START_OBJECT) {
              while (p.nextToken() == JsonToken.FIELD_NAME) {
                String part = p.currentName();
                JsonToken partValue = p.nextToken();
                if ("name".equals(part) && partValue == JsonToken.VALUE_STRING) {
                  name = p.getText();
                } else if ("arguments".equals(part) && partValue != JsonToken.VALUE_NULL) {
                  arguments = rawValue(p, json);
                } else {
                  p.skipChildren();
                }
              }
            } else {
              p.skipChildren();
            }
          }
        } else {
          p.skipChildren();
          p.getText(); // reads the whole token, so that the location is after it
        }
        if (name == null) {
          int end = (int) p.currentLocation().getByteOffset();
          throw new MalformedResponseException(
              "Ollama sent a tool call without a function name: "
                  + OllamaJson.abbreviate(
                      new String(json, start, end - start, StandardCharsets.UTF_8)));
        }
        calls.add(new ToolCall(id, name, arguments));
      }
      return List.copyOf(calls);
    }
  }

  /**
   * The JSON text of the value at {@code p}'s current token (compact: {@code json} was written).
   */
  private static String rawValue(JsonParser p, byte[] json) throws IOException {
    int start = (int) p.currentTokenLocation().getByteOffset();
    if (p.currentToken().isStructStart()) {
      p.skipChildren();
    } else {
      p.getText(); // reads the whole token
    }
    int end = (int) p.currentLocation().getByteOffset();
    return new String(json, start, end - start, StandardCharsets.UTF_8);
  }

  /** The log probabilities of a {@code logprobs} array (copied as JSON), in order. */
  private static List<Logprob> logprobs(byte[] json) throws IOException {
    try (JsonParser p = JSON.createParser(json)) {
      p.nextToken(); // the array
      List<Logprob> result = new ArrayList<>();
      while (p.nextToken() == JsonToken.START_OBJECT) {
        result.add(logprob(p, true));
      }
      return result.isEmpty() ? List.of() : List.copyOf(result);
    }
  }

  /** One {@code {"token", "logprob", "top_logprobs"}} entry, the parser at its start. */
  private static Logprob logprob(JsonParser p, boolean withAlternatives) throws IOException {
    String token = "";
    double logprob = 0;
    List<Logprob> top = new ArrayList<>();
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      JsonToken value = p.nextToken();
      if ("token".equals(field) && value.isScalarValue() && value != JsonToken.VALUE_NULL) {
        token = p.getText();
      } else if ("logprob".equals(field) && value.isNumeric()) {
        logprob = p.getDoubleValue();
      } else if (withAlternatives
          && "top_logprobs".equals(field)
          && value == JsonToken.START_ARRAY) {
        while (p.nextToken() == JsonToken.START_OBJECT) {
          top.add(logprob(p, false));
        }
      } else {
        p.skipChildren();
      }
    }
    return new Logprob(token, logprob, top);
  }
}
