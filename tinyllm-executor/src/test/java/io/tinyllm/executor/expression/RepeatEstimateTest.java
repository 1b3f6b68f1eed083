package io.tinyllm.executor.expression;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RepeatEstimateTest {
  @Test
  void countedRepeatsMultiplyAndAlternativesAdd() {
    assertThat(RepeatEstimate.of("abc")).isEqualTo(3);
    assertThat(RepeatEstimate.of("(ab){3}")).isEqualTo(6);
    assertThat(RepeatEstimate.of("((a{10}){10}){10}")).isEqualTo(1000);
    assertThat(RepeatEstimate.of("a|b{100}")).isEqualTo(101);
    assertThat(RepeatEstimate.of("x{2,}")).isEqualTo(3);
    assertThat(RepeatEstimate.of("x{2,50}y*")).isEqualTo(51);
  }

  @Test
  void classesEscapesAndLiteralBracesCountOne() {
    assertThat(RepeatEstimate.of("[]a{5}[:x:]]")).isEqualTo(1);
    assertThat(RepeatEstimate.of("[[:alpha:]{]{4}")).isEqualTo(4);
    assertThat(RepeatEstimate.of("\\p{Lu}{2}\\x{41}")).isEqualTo(3);
    assertThat(RepeatEstimate.of("\\Q{9}\\E")).isEqualTo(3);
    assertThat(RepeatEstimate.of("a{x}")).isEqualTo(4);
  }

  @Test
  void saturatesAndToleratesUnbalancedInput() {
    assertThat(RepeatEstimate.of("(((((a{999999999}){999999999}){999999999}){999999999}))"))
        .isEqualTo(1L << 40);
    assertThat(RepeatEstimate.of("((a{3}")).isEqualTo(3);
    assertThat(RepeatEstimate.of("a)){4}")).isEqualTo(4);
  }
}
