package io.tinyllm.executor;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The text of a graph file, checked before YAML sees it: at most {@value #MAX_BYTES} bytes (a
 * larger file is refused before it is read whole), UTF-8 (the first byte that is not is named with
 * its line, column and offset), no control characters but tab and line breaks, and a leading
 * byte-order mark dropped so it never reaches a key or a prompt.
 */
final class GraphText {
  /** 1 MiB: the largest graph we ship is under 4 KiB; this leaves room without inviting abuse. */
  static final int MAX_BYTES = 1 << 20;

  private static final char BOM = '\uFEFF';

  private GraphText() {}

  /** Reads {@code file}, refusing it with a {@link GraphValidationException} as described above. */
  static String read(Path file, String name) throws IOException {
    byte[] bytes;
    try (InputStream in = Files.newInputStream(file)) {
      bytes = in.readNBytes(MAX_BYTES + 1);
    }
    if (bytes.length > MAX_BYTES) {
      // a device or pipe (/dev/zero) reports no size, or a wrong one
      String size = "more than " + MAX_BYTES + " bytes";
      try {
        if (Files.size(file) > MAX_BYTES) {
          size = Files.size(file) + " bytes";
        }
      } catch (IOException e) {
        // keep "more than"
      }
      throw problem(
          name,
          0,
          "the file is " + size + "; a graph file may be at most " + MAX_BYTES + " bytes (1 MiB)");
    }
    return check(name, decode(name, bytes));
  }

  /** Checks text that is already decoded (a bundled graph, a string given to the loader). */
  static String check(String name, String text) {
    if (text.length() > MAX_BYTES) {
      throw problem(
          name,
          0,
          "the text is "
              + text.length()
              + " characters; a graph may be at most "
              + MAX_BYTES
              + " (1 MiB)");
    }
    if (!text.isEmpty() && text.charAt(0) == BOM) {
      text = text.substring(1);
    }
    int line = 1;
    int column = 1;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\n') {
        line++;
        column = 1;
        continue;
      }
      boolean control = Character.isISOControl(c) && c != '\t' && c != '\r';
      if (control || c == '\uFFFE' || c == '\uFFFF') {
        throw problem(
            name,
            line,
            String.format(
                Locale.ROOT,
                "%s U+%04X at line %d, column %d; a graph file is UTF-8 text, not binary data",
                control ? "control character" : "non-character",
                (int) c,
                line,
                column));
      }
      column++;
    }
    return text;
  }

  private static String decode(String name, byte[] bytes) {
    CharsetDecoder decoder =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(bytes);
    CharBuffer out = CharBuffer.allocate(bytes.length);
    CoderResult result = decoder.decode(in, out, true);
    if (result.isError()) {
      int offset = in.position();
      out.flip();
      int line = 1;
      int column = 1;
      for (int i = 0; i < out.length(); i++) {
        if (out.charAt(i) == '\n') {
          line++;
          column = 1;
        } else {
          column++;
        }
      }
      throw problem(
          name,
          line,
          String.format(
              Locale.ROOT,
              "byte 0x%02X at line %d, column %d (byte offset %d) is not UTF-8; save the graph"
                  + " file as UTF-8 (a Latin-1 or binary file is not read)",
              bytes[offset] & 0xFF,
              line,
              column,
              offset));
    }
    decoder.flush(out);
    return out.flip().toString();
  }

  private static GraphValidationException problem(String name, int line, String message) {
    return new GraphValidationException(
        name,
        List.of(new ValidationError(new SourceLocation(name, line), null, "(file)", message)));
  }
}
