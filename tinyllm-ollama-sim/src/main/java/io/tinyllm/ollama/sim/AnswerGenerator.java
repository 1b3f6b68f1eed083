package io.tinyllm.ollama.sim;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The simulated "model": deterministic answer text derived from the model, the prompt and the seed.
 * A canned answer registered for a prompt wins; otherwise two to four sentences are picked from a
 * fixed pool by a hash, so the same request always gets the same answer and different prompts
 * usually get different ones. JSON mode and JSON schemas produce valid JSON.
 */
final class AnswerGenerator {
  private static final List<String> SENTENCES =
      List.of(
          "Small language models can answer simple questions quickly on ordinary hardware.",
          "The sky looks blue because air scatters short wavelengths of sunlight more strongly.",
          "A good test checks one behaviour and fails loudly when that behaviour changes.",
          "Caching repeated prompts saves both time and energy.",
          "Streaming lets a client show the first words before the whole answer is ready.",
          "Timeouts, retries and circuit breakers keep a slow dependency from stalling a service.",
          "Water boils at a lower temperature on a mountain because the air pressure is lower.",
          "Every measurement deserves a unit and an honest error bar.",
          "Java records make small immutable data carriers short and clear.",
          "Backpressure tells a fast producer to slow down before a queue overflows.",
          "The quick brown fox jumps over the lazy dog.",
          "Prometheus scrapes metrics over HTTP and stores them as time series.",
          "A deterministic simulator makes flaky integration tests reproducible.",
          "Photosynthesis turns light, water and carbon dioxide into sugar and oxygen.",
          "Load balancing spreads requests so that no single server is overwhelmed.",
          "Honey never spoils when it is kept sealed and dry.",
          "An embedding maps text to a vector so that similar texts lie close together.",
          "The answer depends on the question, and this one is simulated.",
          "Idempotent operations can be retried safely after a network failure.",
          "Logs explain what happened, metrics show how often, traces show where.");

  private static final List<String> THOUGHTS =
      List.of(
          "First I restate the question in my own words.",
          "Then I recall what I know that is relevant.",
          "I should keep the answer short and accurate.",
          "Let me check whether anything in the question is ambiguous.",
          "A concrete example would make the answer clearer.",
          "I will answer directly and then add one detail.");

  private final ObjectMapper mapper;
  private final Map<String, String> canned;

  AnswerGenerator(ObjectMapper mapper, Map<String, String> canned) {
    this.mapper = requireNonNull(mapper, "mapper is null");
    this.canned = new ConcurrentHashMap<>(requireNonNull(canned, "canned is null"));
  }

  /** Registers (or replaces) a canned answer for {@code prompt}. */
  void putCanned(String prompt, String answer) {
    canned.put(prompt, answer);
  }

  /** Removes the canned answer for {@code prompt}. */
  void removeCanned(String prompt) {
    canned.remove(prompt);
  }

  /**
   * The answer text for {@code prompt}; {@code context} (system text, earlier messages, seed) only
   * influences the hash. {@code format} is null (free text), {@code "json"} or a JSON schema.
   */
  String answer(SimulatedModel model, String prompt, String context, JsonNode format) {
    String fixed = canned.get(prompt);
    if (fixed != null) {
      return fixed;
    }
    SplittableRandom random = new SplittableRandom(Hashing.fnv64(model.name(), context, prompt));
    if (format != null && format.isObject()) {
      return json(new SchemaValues(random).valueFor(format));
    }
    String prose = prose(random);
    if (format != null) {
      return json(mapper.createObjectNode().put("answer", prose));
    }
    return prose;
  }

  /** The thinking text of a thinking model for {@code prompt}. */
  String thinking(SimulatedModel model, String prompt, String context) {
    SplittableRandom random =
        new SplittableRandom(Hashing.fnv64("thinking", model.name(), context, prompt));
    String topic = prompt.strip();
    if (topic.length() > 60) {
      topic = topic.substring(0, 60);
    }
    StringBuilder text = new StringBuilder("Okay, the user asks: \"").append(topic).append("\".");
    int count = 2 + random.nextInt(2);
    for (int i = 0; i < count; i++) {
      text.append(' ').append(THOUGHTS.get(random.nextInt(THOUGHTS.size())));
    }
    return text.toString();
  }

  private static String prose(SplittableRandom random) {
    int count = 2 + random.nextInt(3);
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < count; i++) {
      if (i > 0) {
        text.append(' ');
      }
      text.append(SENTENCES.get(random.nextInt(SENTENCES.size())));
    }
    return text.toString();
  }

  private String json(JsonNode value) {
    try {
      return mapper.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      // a tree built from JSON nodes always serializes
      throw new IllegalStateException(e);
    }
  }
}
