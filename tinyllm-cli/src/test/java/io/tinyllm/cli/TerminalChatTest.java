package io.tinyllm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TerminalChatTest {
  @Test
  void historyIsStateOfTheUser() {
    assertThat(TerminalChat.defaultHistoryFile(Map.of("XDG_STATE_HOME", "/var/state"), "/home/ann"))
        .isEqualTo(Path.of("/var/state/tinyllm/chat_history"));
    assertThat(TerminalChat.defaultHistoryFile(Map.of(), "/home/ann"))
        .isEqualTo(Path.of("/home/ann/.local/state/tinyllm/chat_history"));
    // the XDG spec: a relative path is invalid and ignored
    assertThat(TerminalChat.defaultHistoryFile(Map.of("XDG_STATE_HOME", "state"), "/home/ann"))
        .isEqualTo(Path.of("/home/ann/.local/state/tinyllm/chat_history"));
  }
}
