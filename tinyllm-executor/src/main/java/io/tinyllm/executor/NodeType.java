package io.tinyllm.executor;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/** The kinds of node a graph may hold; {@link #yamlName()} is how a graph file spells them. */
public enum NodeType {
  ENTRY,
  EXIT,
  MODEL,
  ROUTER,
  TRANSFORM,
  GATE,
  FANOUT,
  LOOP;

  public String yamlName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<NodeType> fromYaml(String name) {
    return Arrays.stream(values()).filter(t -> t.yamlName().equals(name)).findFirst();
  }

  static String names() {
    return Arrays.stream(values()).map(NodeType::yamlName).collect(Collectors.joining(", "));
  }
}
