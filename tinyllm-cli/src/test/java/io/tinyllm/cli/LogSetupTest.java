package io.tinyllm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Locale;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The log level given on the command line reaches Logback as a level name it knows, whatever the
 * JVM's default locale: under a Turkish one {@code "info".toUpperCase()} is {@code İNFO}.
 */
class LogSetupTest {
  private Locale savedLocale;
  private String savedLevel;

  @BeforeEach
  void save() {
    savedLocale = Locale.getDefault();
    savedLevel = System.getProperty(LogSetup.LEVEL_PROPERTY);
  }

  @AfterEach
  void restore() {
    Locale.setDefault(savedLocale);
    if (savedLevel == null) {
      System.clearProperty(LogSetup.LEVEL_PROPERTY);
    } else {
      System.setProperty(LogSetup.LEVEL_PROPERTY, savedLevel);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"de-DE", "tr-TR"})
  void levelNamesAreUpperCasedTheSameUnderEveryLocale(String tag) {
    Locale.setDefault(Locale.forLanguageTag(tag));

    LogSetup.apply(new String[] {"run", "--log-level=info", "q"});
    assertThat(System.getProperty(LogSetup.LEVEL_PROPERTY)).isEqualTo("INFO");

    LogSetup.apply(new String[] {"run", "--log-level", "debug", "q"});
    assertThat(System.getProperty(LogSetup.LEVEL_PROPERTY)).isEqualTo("DEBUG");
  }

  @Test
  void theTurkishLocaleReallyFoldsTheDottedI() {
    // without this the test above could not catch the bug
    assertThat("info".toUpperCase(Locale.forLanguageTag("tr-TR"))).isEqualTo("İNFO");
  }
}
