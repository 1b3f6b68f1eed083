package io.tinyllm.cache;

import io.tinyllm.api.llm.LlmResponse;
import io.tinyllm.api.llm.Logprob;
import io.tinyllm.api.llm.ToolCall;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The bytes of an {@link LlmResponse} in a shared store: a format version, then each field (texts
 * as length-prefixed UTF-8, so answers longer than 64 KiB fit; durations as nanoseconds). Binary
 * rather than JSON so the cache needs no JSON library; the version byte lets a later format refuse
 * old bytes instead of misreading them.
 *
 * <p>Version 2 appends the tool calls and log probabilities. An answer with neither is still
 * written as version 1, so instances of an older release sharing the store keep reading most
 * entries; both versions are read.
 */
final class ResponseCodec {
  static final byte VERSION = 1;
  static final byte VERSION_WITH_TOOLS = 2;

  private ResponseCodec() {}

  static byte[] encode(LlmResponse response) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + response.text().length() * 2);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      boolean extended = !response.toolCalls().isEmpty() || !response.logprobs().isEmpty();
      out.writeByte(extended ? VERSION_WITH_TOOLS : VERSION);
      writeString(out, response.model());
      writeString(out, response.text());
      writeString(out, response.thinking());
      writeString(out, response.doneReason());
      out.writeLong(response.promptTokens());
      out.writeLong(response.outputTokens());
      out.writeLong(response.totalDuration().toNanos());
      out.writeLong(response.loadDuration().toNanos());
      out.writeLong(response.promptEvalDuration().toNanos());
      out.writeLong(response.evalDuration().toNanos());
      if (extended) {
        out.writeInt(response.toolCalls().size());
        for (ToolCall call : response.toolCalls()) {
          writeString(out, call.id());
          writeString(out, call.name());
          writeString(out, call.argumentsJson());
        }
        writeLogprobs(out, response.logprobs());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /**
   * The response in {@code bytes}.
   *
   * @throws IllegalArgumentException if the bytes are not a response of this format
   */
  static LlmResponse decode(byte[] bytes) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
      byte version = in.readByte();
      if (version != VERSION && version != VERSION_WITH_TOOLS) {
        throw new IllegalArgumentException("unknown cache entry format " + version);
      }
      String model = readRequired(in, "model");
      String text = readRequired(in, "text");
      String thinking = readString(in);
      String doneReason = readString(in);
      long promptTokens = in.readLong();
      long outputTokens = in.readLong();
      Duration total = Duration.ofNanos(in.readLong());
      Duration load = Duration.ofNanos(in.readLong());
      Duration promptEval = Duration.ofNanos(in.readLong());
      Duration eval = Duration.ofNanos(in.readLong());
      List<ToolCall> toolCalls = new ArrayList<>();
      List<Logprob> logprobs = List.of();
      if (version == VERSION_WITH_TOOLS) {
        int calls = readCount(in, 12);
        for (int i = 0; i < calls; i++) {
          String id = readString(in);
          toolCalls.add(
              new ToolCall(id, readRequired(in, "tool name"), readRequired(in, "tool arguments")));
        }
        logprobs = readLogprobs(in);
      }
      LlmResponse response =
          new LlmResponse(
              model,
              text,
              thinking,
              doneReason,
              promptTokens,
              outputTokens,
              total,
              load,
              promptEval,
              eval,
              toolCalls,
              logprobs);
      if (in.available() != 0) {
        throw new IllegalArgumentException("cache entry has trailing bytes");
      }
      return response;
    } catch (IOException e) {
      throw new IllegalArgumentException("corrupt cache entry: " + e.getMessage(), e);
    }
  }

  /** Each entry: token, log probability, then its alternatives the same way (one level deep). */
  private static void writeLogprobs(DataOutputStream out, List<Logprob> logprobs)
      throws IOException {
    out.writeInt(logprobs.size());
    for (Logprob logprob : logprobs) {
      writeString(out, logprob.token());
      out.writeDouble(logprob.logprob());
      out.writeInt(logprob.topLogprobs().size());
      for (Logprob alternative : logprob.topLogprobs()) {
        writeString(out, alternative.token());
        out.writeDouble(alternative.logprob());
      }
    }
  }

  private static List<Logprob> readLogprobs(DataInputStream in) throws IOException {
    int count = readCount(in, 16);
    List<Logprob> logprobs = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      String token = readRequired(in, "token");
      double logprob = in.readDouble();
      int alternatives = readCount(in, 12);
      List<Logprob> top = new ArrayList<>(alternatives);
      for (int j = 0; j < alternatives; j++) {
        top.add(new Logprob(readRequired(in, "token"), in.readDouble()));
      }
      logprobs.add(new Logprob(token, logprob, top));
    }
    return logprobs;
  }

  /** A count of entries of at least {@code minBytes} each, checked against the bytes left. */
  private static int readCount(DataInputStream in, int minBytes) throws IOException {
    int count = in.readInt();
    if (count < 0 || (long) count * minBytes > in.available()) {
      throw new IOException("count " + count + " does not fit the bytes left");
    }
    return count;
  }

  private static void writeString(DataOutputStream out, String value) throws IOException {
    if (value == null) {
      out.writeInt(-1);
      return;
    }
    byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
    out.writeInt(utf8.length);
    out.write(utf8);
  }

  private static String readRequired(DataInputStream in, String field) throws IOException {
    String value = readString(in);
    if (value == null) {
      throw new IOException(field + " is missing");
    }
    return value;
  }

  private static String readString(DataInputStream in) throws IOException {
    int length = in.readInt();
    if (length < 0) {
      return null;
    }
    if (length > in.available()) {
      throw new IOException("string of " + length + " bytes past the end");
    }
    byte[] utf8 = new byte[length];
    in.readFully(utf8);
    return new String(utf8, StandardCharsets.UTF_8);
  }
}
