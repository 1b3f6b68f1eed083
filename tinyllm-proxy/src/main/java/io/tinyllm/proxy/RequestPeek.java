package io.tinyllm.proxy;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;

/**
 * The start of an LLM call's request body, read before forwarding to learn its {@code model} and
 * {@code stream} fields, which label the call. At most {@value #LIMIT} bytes are held; the bytes
 * read go upstream unchanged, followed by the rest of the body as it arrives ({@link #body}). A
 * field past the limit is not seen: the model is then {@code unknown} and streaming the endpoint's
 * default.
 *
 * @param model the top-level {@code model}, or null
 * @param stream the top-level {@code stream}, or null when absent or not a boolean
 */
record RequestPeek(byte[] head, int length, String model, Boolean stream) {
  /**
   * Enough for any text request short of a very long conversation; images (base64) may go past it,
   * and then only a {@code model} after them goes unseen.
   */
  static final int LIMIT = 64 * 1024;

  private static final JsonFactory JSON = new JsonFactory();

  /** Reads up to {@value #LIMIT} bytes of {@code body} and the fields among them. */
  static RequestPeek read(InputStream body) throws IOException {
    byte[] head = body.readNBytes(LIMIT);
    String model = null;
    Boolean stream = null;
    try (JsonParser parser = JSON.createParser(head, 0, head.length)) {
      if (parser.nextToken() == JsonToken.START_OBJECT) {
        JsonToken token;
        while ((token = parser.nextToken()) == JsonToken.FIELD_NAME) {
          String name = parser.currentName();
          JsonToken value = parser.nextToken();
          if ("model".equals(name) && value == JsonToken.VALUE_STRING) {
            model = parser.getText();
          } else if ("stream".equals(name) && value.isBoolean()) {
            stream = value == JsonToken.VALUE_TRUE;
          } else {
            parser.skipChildren();
          }
        }
      }
    } catch (IOException e) {
      // not JSON, or cut at the limit: what was found before stays; Ollama judges the body itself
    }
    return new RequestPeek(head, head.length, model, stream);
  }

  /** The whole body again: the bytes read, then the rest of {@code rest}. */
  InputStream body(InputStream rest) {
    return new SequenceInputStream(new ByteArrayInputStream(head, 0, length), rest);
  }
}
