package io.tinyllm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The launcher gives the common pool two threads on small machines, unless told otherwise. */
class CommonPoolTest {
  private String saved;

  @BeforeEach
  void save() {
    saved = System.getProperty(Main.COMMON_POOL_PARALLELISM);
    System.clearProperty(Main.COMMON_POOL_PARALLELISM);
  }

  @AfterEach
  void restore() {
    if (saved == null) {
      System.clearProperty(Main.COMMON_POOL_PARALLELISM);
    } else {
      System.setProperty(Main.COMMON_POOL_PARALLELISM, saved);
    }
  }

  @Test
  void oneOrTwoCpusGetTwoThreads() {
    Main.sizeCommonPool(2);
    assertThat(System.getProperty(Main.COMMON_POOL_PARALLELISM)).isEqualTo("2");
    System.clearProperty(Main.COMMON_POOL_PARALLELISM);
    Main.sizeCommonPool(1);
    assertThat(System.getProperty(Main.COMMON_POOL_PARALLELISM)).isEqualTo("2");
  }

  @Test
  void moreCpusAndAUsersValueAreLeftAlone() {
    Main.sizeCommonPool(4);
    assertThat(System.getProperty(Main.COMMON_POOL_PARALLELISM)).isNull();
    System.setProperty(Main.COMMON_POOL_PARALLELISM, "1");
    Main.sizeCommonPool(2);
    assertThat(System.getProperty(Main.COMMON_POOL_PARALLELISM)).isEqualTo("1");
  }
}
