package io.tinyllm.proxy;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The start of an LLM call's request body, read before forwarding to learn its {@code model} and
 * {@code stream} fields, which label the call. At most {@value #LIMIT} bytes are held; the bytes
 * read go upstream unchanged, followed by the rest of the body as it arrives ({@link #body}). A
 * field past the limit is not seen: the model is then {@code unknown} and streaming the endpoint's
 * default.
 *
 * <p>It also names the conversation, for a fleet's prompt-cache affinity: a digest of the model,
 * the top-level {@code system} and the role and text of the first {@value #AFFINITY_MESSAGES}
 * {@code messages}, which every later turn of the same conversation repeats (Ollama's prompt cache
 * holds that start). A request with neither has no conversation.
 *
 * @param model the top-level {@code model}, or null
 * @param stream the top-level {@code stream}, or null when absent or not a boolean
 * @param conversation the digest naming the conversation, or null
 */
record RequestPeek(byte[] head, int length, String model, Boolean stream, String conversation) {
  /**
   * Enough for any text request short of a very long conversation; images (base64) may go past it,
   * and then only a {@code model} after them goes unseen.
   */
  static final int LIMIT = 64 * 1024;

  /** The messages that name a conversation: a system prompt and the first question, typically. */
  static final int AFFINITY_MESSAGES = 2;

  private static final JsonFactory JSON = new JsonFactory();

  /** Reads up to {@value #LIMIT} bytes of {@code body} and the fields among them. */
  static RequestPeek read(InputStream body) throws IOException {
    byte[] head = body.readNBytes(LIMIT);
    String model = null;
    Boolean stream = null;
    MessageDigest digest = sha256();
    boolean named = false;
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
          } else if ("system".equals(name) && value == JsonToken.VALUE_STRING) {
            update(digest, "system", parser.getText());
            named = true;
          } else if ("messages".equals(name) && value == JsonToken.START_ARRAY) {
            named |= firstMessages(parser, digest);
          } else {
            parser.skipChildren();
          }
        }
      }
    } catch (IOException e) {
      // not JSON, or cut at the limit: what was found before stays; Ollama judges the body itself
    }
    String conversation = null;
    if (named && model != null) {
      update(digest, "model", ModelNames.tagged(model));
      conversation = HexFormat.of().formatHex(digest.digest());
    }
    return new RequestPeek(head, head.length, model, stream, conversation);
  }

  /** Whether the body was read to its end, so it can be sent again (to another backend). */
  boolean whole() {
    return length < LIMIT;
  }

  /** Digests the role and content of the first messages; the parser ends after the array. */
  private static boolean firstMessages(JsonParser parser, MessageDigest digest) throws IOException {
    boolean named = false;
    int index = 0;
    JsonToken token;
    while ((token = parser.nextToken()) != JsonToken.END_ARRAY && token != null) {
      if (index++ >= AFFINITY_MESSAGES || token != JsonToken.START_OBJECT) {
        parser.skipChildren();
        continue;
      }
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String field = parser.currentName();
        JsonToken value = parser.nextToken();
        if (("role".equals(field) || "content".equals(field)) && value == JsonToken.VALUE_STRING) {
          update(digest, field, parser.getText());
          named = true;
        } else {
          parser.skipChildren();
        }
      }
      update(digest, "end", "");
    }
    return named;
  }

  private static void update(MessageDigest digest, String field, String text) {
    // length-prefixed, so no two different conversations run together into the same bytes
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    digest.update(field.getBytes(StandardCharsets.UTF_8));
    digest.update((byte) 0);
    digest.update(Integer.toString(bytes.length).getBytes(StandardCharsets.US_ASCII));
    digest.update((byte) 0);
    digest.update(bytes);
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  /** The whole body again: the bytes read, then the rest of {@code rest}. */
  InputStream body(InputStream rest) {
    return new SequenceInputStream(new ByteArrayInputStream(head, 0, length), rest);
  }
}
