package io.tinyllm.api.llm;

import static java.util.Objects.requireNonNull;

/**
 * Constrains the answer's shape (Ollama's {@code format}): free JSON, or JSON matching a schema.
 * The value is kept as raw JSON text because this module has no JSON library.
 *
 * <pre>{@code
 * ResponseFormat.json();                                   // "format": "json"
 * ResponseFormat.schema("{\"type\":\"object\",...}");     // "format": {...}
 * }</pre>
 */
public record ResponseFormat(String rawJson) {
  private static final ResponseFormat JSON = new ResponseFormat("\"json\"");

  public ResponseFormat {
    requireNonNull(rawJson, "rawJson is null");
  }

  public static ResponseFormat json() {
    return JSON;
  }

  /** A JSON schema, given as the text of a JSON object. */
  public static ResponseFormat schema(String jsonSchema) {
    requireNonNull(jsonSchema, "jsonSchema is null");
    if (!jsonSchema.strip().startsWith("{")) {
      throw new IllegalArgumentException("A JSON schema must be a JSON object: " + jsonSchema);
    }
    return new ResponseFormat(jsonSchema.strip());
  }
}
