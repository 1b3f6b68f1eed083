package io.tinyllm.ollama;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import mockwebserver3.MockResponse;
import okio.Buffer;

/**
 * One case of the corpus of recorded Ollama answers under {@code src/test/resources/wire} (its
 * layout in the README there): the request, and the status, content type and body bytes Ollama
 * answers it with.
 *
 * @param name the case, relative to {@code wire/} ({@code api/generate-stream})
 * @param requestBody the request's JSON, or {@code null} if it has none
 */
record RecordedAnswer(
    String name,
    String ollama,
    String source,
    String method,
    String path,
    String requestBody,
    int status,
    String contentType,
    byte[] body) {

  private static final String PROPERTIES = ".properties";

  private static final Set<String> KEYS =
      Set.of(
          "ollama",
          "source",
          "request.method",
          "request.path",
          "request.body",
          "status",
          "content-type",
          "body");

  /** Loads the case {@code name} ({@code api/generate-stream}). */
  static RecordedAnswer load(String name) {
    Map<String, String> meta = meta(name);
    for (String required :
        new String[] {"ollama", "source", "request.method", "request.path", "status"}) {
      if (!meta.containsKey(required)) {
        throw new IllegalStateException("wire/" + name + ".properties: no '" + required + "'");
      }
    }
    String bodyFile = meta.get("body");
    int slash = name.lastIndexOf('/');
    byte[] body = bodyFile == null ? new byte[0] : file(name.substring(0, slash + 1) + bodyFile);
    return new RecordedAnswer(
        name,
        meta.get("ollama"),
        meta.get("source"),
        meta.get("request.method"),
        meta.get("request.path"),
        meta.get("request.body"),
        Integer.parseInt(meta.get("status")),
        meta.get("content-type"),
        body);
  }

  /** The body as text (every recorded body is UTF-8). */
  String bodyText() {
    return new String(body, StandardCharsets.UTF_8);
  }

  /** Whether the body is a stream of NDJSON lines rather than one answer. */
  boolean isStream() {
    return "application/x-ndjson".equals(contentType);
  }

  /** The recorded answer for a MockWebServer, chunked when Ollama streams it. */
  MockResponse response() {
    MockResponse.Builder builder = new MockResponse.Builder().code(status);
    if (contentType != null) {
      builder.setHeader("Content-Type", contentType);
    }
    Buffer buffer = new Buffer().write(body);
    // Ollama flushes each streamed line (gin's c.Stream): chunked transfer, as Go sends it
    return (isStream() ? builder.chunkedBody(buffer, 64) : builder.body(buffer)).build();
  }

  private static Map<String, String> meta(String name) {
    String path = "/wire/" + name + PROPERTIES;
    Map<String, String> meta = new LinkedHashMap<>();
    try (InputStream in = open(path);
        BufferedReader reader =
            new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      int number = 0;
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        number++;
        if (line.isBlank() || line.startsWith("#")) {
          continue;
        }
        int equals = line.indexOf('=');
        String key = equals < 0 ? line : line.substring(0, equals);
        if (equals < 0 || !KEYS.contains(key)) {
          throw new IllegalStateException(
              path + " line " + number + ": expected one of " + KEYS + "=value, got: " + line);
        }
        meta.put(key, line.substring(equals + 1));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return meta;
  }

  /** Every case in the corpus, by name ({@code api/generate-stream}), sorted. */
  static Set<String> names() {
    try {
      Path root = Path.of(RecordedAnswer.class.getResource("/wire").toURI());
      // cases sit a folder or two below wire/; the bound keeps the walk finite
      try (Stream<Path> files = Files.walk(root, 4)) {
        return files
            .map(file -> root.relativize(file).toString().replace('\\', '/'))
            .filter(file -> file.endsWith(PROPERTIES))
            .map(file -> file.substring(0, file.length() - PROPERTIES.length()))
            .collect(Collectors.toCollection(TreeSet::new));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The bytes of a corpus file, relative to {@code wire/}: a body, or a request kept aside. */
  static byte[] file(String file) {
    try (InputStream in = open("/wire/" + file)) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException("wire/" + file, e);
    }
  }

  private static InputStream open(String path) {
    InputStream in = RecordedAnswer.class.getResourceAsStream(path);
    if (in == null) {
      throw new IllegalArgumentException("no test resource " + path);
    }
    return in;
  }
}
