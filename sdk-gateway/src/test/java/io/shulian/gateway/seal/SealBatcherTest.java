package io.shulian.gateway.seal;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.EventLoop;
import io.shulian.core.envelope.EnvelopeOpener;
import io.shulian.core.envelope.EnvelopeSealer;
import io.shulian.core.envelope.SealRequest;
import io.shulian.core.envelope.SealedEnvelope;
import io.shulian.core.party.CreditCode;
import io.shulian.core.party.PartyId;
import io.shulian.core.keys.PartyIdentity;
import io.shulian.core.keys.Suite;
import io.shulian.core.trust.PinnedSenderTrust;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@link SealBatcher}: the seals asked for in one loop round share one signature. */
class SealBatcherTest {
  private static PartyIdentity sender;
  private static PartyIdentity receiver;

  @BeforeAll
  static void parties() {
    sender = PartyIdentity.generateSelfSigned(Suite.INTL, PartyId.of("440600", CreditCode.withCheckCharacter("11440600MB2C5678C"), null), Duration.ofDays(1));
    receiver = PartyIdentity.generateSelfSigned(Suite.INTL, PartyId.of("440600", CreditCode.withCheckCharacter("11440600MB2C1234H"), "housing"),
        Duration.ofDays(1));
  }

  private static SealRequest request(PartyIdentity to) {
    return SealRequest.builder().recipient(to.encryptionCertificate()).resource("HOUSING-001")
        .purpose("social-assistance-review").build();
  }

  private static byte[] payload(int i) {
    return ("{\"n\":" + i + "}").getBytes(StandardCharsets.UTF_8);
  }

  private final List<Integer> batchSizes = new ArrayList<>();
  private final List<SealedEnvelope> sealed = new ArrayList<>();
  private final List<Exception> failures = new ArrayList<>();

  private SealBatcher.Then collect() {
    return (e, err) -> {
      if (err != null) {
        failures.add(err);
      } else {
        sealed.add(e);
      }
    };
  }

  @Test
  void seal_threeInOneRound_shareOneSignatureAndAllOpen() throws Exception {
    SealBatcher b = new SealBatcher(EnvelopeSealer.builder(sender).build(), true, batchSizes::add);
    EmbeddedChannel ch = new EmbeddedChannel();
    EventLoop loop = ch.eventLoop();
    for (int i = 0; i < 3; i++) {
      b.seal(loop, request(receiver), payload(i), collect());
    }
    assertThat(sealed).as("nothing is sealed before the round ends").isEmpty();
    ch.runPendingTasks();
    assertThat(batchSizes).containsExactly(3);
    assertThat(sealed).hasSize(3);
    EnvelopeOpener opener = EnvelopeOpener.builder(receiver, PinnedSenderTrust.of(sender.certificates())).build();
    for (int i = 0; i < 3; i++) {
      var o = opener.open(sealed.get(i).toByteArray());
      assertThat(o.payload()).isEqualTo(payload(i));
      assertThat(o.signatureBatchSize()).isEqualTo(3);
    }
    ch.finishAndReleaseAll();
  }

  @Test
  void seal_oneUnsealableInTheRound_failsAloneAndTheOthersAreSealed() {
    SealBatcher b = new SealBatcher(EnvelopeSealer.builder(sender).build(), true, batchSizes::add);
    EmbeddedChannel ch = new EmbeddedChannel();
    b.seal(ch.eventLoop(), request(receiver), payload(0), collect());
    // a signing certificate is not an encryption certificate: sealing to it is refused
    SealRequest bad = SealRequest.builder().recipient(receiver.signingCertificate()).resource("HOUSING-001")
        .purpose("social-assistance-review").build();
    b.seal(ch.eventLoop(), bad, payload(1), collect());
    b.seal(ch.eventLoop(), request(receiver), payload(2), collect());
    ch.runPendingTasks();
    assertThat(sealed).hasSize(2);
    assertThat(failures).singleElement().isInstanceOf(IllegalArgumentException.class);
    ch.finishAndReleaseAll();
  }

  @Test
  void seal_withoutBatching_sealsAtOnce() {
    SealBatcher b = new SealBatcher(EnvelopeSealer.builder(sender).build(), false, batchSizes::add);
    EmbeddedChannel ch = new EmbeddedChannel();
    b.seal(ch.eventLoop(), request(receiver), payload(0), collect());
    assertThat(sealed).hasSize(1);
    assertThat(batchSizes).isEmpty();
    ch.finishAndReleaseAll();
  }

  @Test
  void seal_onALoopThatIsShutDown_failsInsteadOfStranding() throws Exception {
    SealBatcher b = new SealBatcher(EnvelopeSealer.builder(sender).build(), true, batchSizes::add);
    io.netty.channel.DefaultEventLoop loop = new io.netty.channel.DefaultEventLoop();
    loop.shutdownGracefully(0, 0, java.util.concurrent.TimeUnit.SECONDS).sync();
    b.seal(loop, request(receiver), payload(0), collect());
    assertThat(sealed).isEmpty();
    assertThat(failures).singleElement().isInstanceOf(IllegalStateException.class);
  }

  @Test
  void seal_fromAnotherThread_isSealedOnTheLoop() throws Exception {
    SealBatcher b = new SealBatcher(EnvelopeSealer.builder(sender).build(), true, batchSizes::add);
    io.netty.channel.DefaultEventLoop loop = new io.netty.channel.DefaultEventLoop();
    try {
      java.util.concurrent.CompletableFuture<Boolean> onLoop = new java.util.concurrent.CompletableFuture<>();
      b.seal(loop, request(receiver), payload(0), (e, err) -> onLoop.complete(err == null && loop.inEventLoop()));
      assertThat(onLoop.get(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    } finally {
      loop.shutdownGracefully(0, 0, java.util.concurrent.TimeUnit.SECONDS);
    }
  }

  @Test
  void seal_continuationThrows_othersOfTheBatchStillContinue() {
    SealBatcher b = new SealBatcher(EnvelopeSealer.builder(sender).build(), true, batchSizes::add);
    EmbeddedChannel ch = new EmbeddedChannel();
    b.seal(ch.eventLoop(), request(receiver), payload(0), (e, err) -> {
      throw new IllegalStateException("a bug in one exchange");
    });
    b.seal(ch.eventLoop(), request(receiver), payload(1), collect());
    ch.runPendingTasks();
    assertThat(sealed).hasSize(1);
    ch.finishAndReleaseAll();
  }
}
