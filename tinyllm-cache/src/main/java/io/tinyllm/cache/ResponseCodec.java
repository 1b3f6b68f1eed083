package io.tinyllm.cache;

import io.tinyllm.api.llm.LlmResponse;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The bytes of an {@link LlmResponse} in a shared store: a format version, then each field (texts
 * as length-prefixed UTF-8, so answers longer than 64 KiB fit; durations as nanoseconds). Binary
 * rather than JSON so the cache needs no JSON library; the version byte lets a later format refuse
 * old bytes instead of misreading them.
 */
final class ResponseCodec {
  static final byte VERSION = 1;

  private ResponseCodec() {}

  static byte[] encode(LlmResponse response) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + response.text().length() * 2);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(VERSION);
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
      if (version != VERSION) {
        throw new IllegalArgumentException("unknown cache entry format " + version);
      }
      LlmResponse response =
          new LlmResponse(
              readRequired(in, "model"),
              readRequired(in, "text"),
              readString(in),
              readString(in),
              in.readLong(),
              in.readLong(),
              Duration.ofNanos(in.readLong()),
              Duration.ofNanos(in.readLong()),
              Duration.ofNanos(in.readLong()),
              Duration.ofNanos(in.readLong()));
      if (in.available() != 0) {
        throw new IllegalArgumentException("cache entry has trailing bytes");
      }
      return response;
    } catch (IOException e) {
      throw new IllegalArgumentException("corrupt cache entry: " + e.getMessage(), e);
    }
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
