package io.tinyllm.executor;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class GraphExportTest {
  private final GraphDefinition qa = new GraphLoader().loadExample("qa.yaml");

  @Test
  void mermaid() {
    assertThat(GraphExport.mermaid(qa))
        .isEqualTo(
            """
            flowchart TD
              n_entry(["Question (entry)"])
              n_answer["Answer (model)"]
              n_exit(["Answer out (exit)"])
              n_entry --> n_answer
              n_answer --> n_exit
            """);
  }

  @Test
  void dot() {
    assertThat(GraphExport.dot(qa))
        .isEqualTo(
            """
            digraph "qa" {
              rankdir=TB;
              "entry" [label="Question\\nentry", shape=ellipse];
              "answer" [label="Answer\\nmodel", shape=box];
              "exit" [label="Answer out\\nexit", shape=ellipse];
              "entry" -> "answer";
              "answer" -> "exit";
            }
            """);
  }

  @Test
  void conditionsLabelEdges() {
    assertThat(GraphExport.mermaid(new GraphLoader().loadExample("routed.yaml")))
        .contains("n_classify -->|\"route == 'math'\"| n_math");
  }
}
