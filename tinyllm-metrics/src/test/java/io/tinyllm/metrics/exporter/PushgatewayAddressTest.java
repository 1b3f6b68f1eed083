package io.tinyllm.metrics.exporter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tinyllm.api.config.Settings;
import io.tinyllm.api.error.ConfigException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PushgatewayAddressTest {
  @Test
  void readsHostPortAndUrls() {
    assertThat(PushgatewayAddress.parse("127.0.0.1:9091"))
        .isEqualTo(new PushgatewayAddress("127.0.0.1:9091", false));
    assertThat(PushgatewayAddress.parse(" http://gw:9091/ "))
        .isEqualTo(new PushgatewayAddress("gw:9091", false));
    assertThat(PushgatewayAddress.parse("https://gw.example"))
        .isEqualTo(new PushgatewayAddress("gw.example", true));
    assertThat(PushgatewayAddress.parse("[::1]:9091"))
        .isEqualTo(new PushgatewayAddress("[::1]:9091", false));
  }

  @Test
  void refusesWhatIsNotAnAddress() {
    assertThatThrownBy(() -> PushgatewayAddress.parse("not a host"))
        .hasMessage("'not a host' is not a host:port");
    assertThatThrownBy(() -> PushgatewayAddress.parse(""))
        .hasMessage("an empty address: expected host:port");
    assertThatThrownBy(() -> PushgatewayAddress.parse("127.0.0.1:99999"))
        .hasMessage("'127.0.0.1:99999': port 99999 is not from 1 to 65535");
    assertThatThrownBy(() -> PushgatewayAddress.parse("127.0.0.1:0"))
        .hasMessage("'127.0.0.1:0': port 0 is not from 1 to 65535");
    assertThatThrownBy(() -> PushgatewayAddress.parse("gw:"))
        .hasMessage("'gw:': a port is a number from 1 to 65535");
    assertThatThrownBy(() -> PushgatewayAddress.parse("gw:port"))
        .hasMessage("'gw:port' is not a host:port");
    assertThatThrownBy(() -> PushgatewayAddress.parse("http://"))
        .hasMessage("'': expected host:port, without a path");
    assertThatThrownBy(() -> PushgatewayAddress.parse("http://gw:9091/metrics"))
        .hasMessage("'gw:9091/metrics': expected host:port, without a path");
    assertThatThrownBy(() -> PushgatewayAddress.parse("ftp://gw:21"))
        .hasMessage("'ftp://gw:21': unsupported scheme 'ftp' (http or https)");
  }

  @Test
  void refusesCredentialsWithoutRepeatingThePassword() {
    assertThatThrownBy(() -> PushgatewayAddress.parse("http://user:s3cret@gw:9091"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "'http://***@gw:9091': credentials in the address are not accepted; give basic auth"
                + " separately");
    assertThatThrownBy(() -> PushgatewayAddress.parse("user:s3cret@gw"))
        .hasMessageNotContaining("s3cret");
    assertThatThrownBy(() -> PushgatewayAddress.parse("https://a:p@ss:word@gw/"))
        .hasMessageNotContaining("ss:word")
        .hasMessageNotContaining("p@ss");
  }

  @Test
  void theSettingIsReadByTheSameParser() {
    assertThatThrownBy(
            () ->
                PushgatewayConfig.from(
                    Settings.of(Map.of(PushgatewayConfig.ADDRESS, "http://u:s3cret@gw:9091"))))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("Invalid setting 'metrics.pushgateway.address': 'http://***@gw")
        .hasMessageNotContaining("s3cret");
    assertThatThrownBy(
            () -> PushgatewayConfig.from(Settings.of(Map.of(PushgatewayConfig.ADDRESS, "gw:0"))))
        .isInstanceOf(ConfigException.class);
  }

  @Test
  void aJobOrGroupingValueWithASpaceIsRefusedBecauseItWouldArriveWithAPlus() {
    assertThatThrownBy(() -> PushgatewayConfig.checkJobName("x y"))
        .hasMessage(
            "'x y': a job name must not contain spaces or control characters (the push would"
                + " store a space as '+')");
    assertThatThrownBy(() -> PushgatewayConfig.checkJobName(" "))
        .hasMessage("a job name must not be empty");
    assertThatThrownBy(
            () -> PushgatewayConfig.from(Settings.of(Map.of(PushgatewayConfig.JOB, "nightly run"))))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("Invalid setting 'metrics.pushgateway.job': 'nightly run'");
    assertThatThrownBy(
            () ->
                PushgatewayConfig.from(
                    Settings.of(Map.of(PushgatewayConfig.GROUPING_KEY, "env=prod eu"))))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("Invalid setting 'metrics.pushgateway.grouping-key': 'prod eu'");
    PushgatewayConfig.checkJobName("x+y/z");
  }
}
