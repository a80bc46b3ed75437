package io.shulian.gateway.inbound;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

class ConnectionLimiterTest {
  @Test
  void connectionsBeyondMaximum_areClosedAndCounted() {
    ConnectionLimiter limiter = new ConnectionLimiter(2);
    EmbeddedChannel a = new EmbeddedChannel(limiter);
    EmbeddedChannel b = new EmbeddedChannel(limiter);
    EmbeddedChannel c = new EmbeddedChannel(limiter);

    assertThat(a.isOpen()).isTrue();
    assertThat(b.isOpen()).isTrue();
    assertThat(c.isOpen()).isFalse();
    assertThat(limiter.openConnections()).isEqualTo(2);
    assertThat(limiter.refusedConnections()).isEqualTo(1);

    a.close();
    EmbeddedChannel d = new EmbeddedChannel(limiter);
    assertThat(d.isOpen()).isTrue();
    b.close();
    d.close();
    assertThat(limiter.openConnections()).isZero();
  }
}
