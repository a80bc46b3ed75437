package io.shulian.benchmarks;

import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * The baseline a user would write instead of Shulian: a JWS nested in a JWE with Nimbus JOSE
 * ({@code impl = nimbus}), for the INTL algorithm sets only, because Nimbus has no SM2/SM4. A
 * separate class rather than a skipped combination in {@link EnvelopeBenchmark}, so that no
 * meaningless GM × nimbus number appears; the pattern {@code Envelope} runs both in one run.
 */
@State(Scope.Thread)
public class EnvelopeNimbusBaselineBenchmark extends AbstractEnvelopeBenchmark {
  @Param({"INTL", "INTL_P256"})
  public String suite = "INTL";

  @Param({"1024", "65536", "1048576"})
  public int size = 1024;

  @Param({"nimbus"})
  public String impl = "nimbus";

  @Override
  Exchange create() throws Exception {
    if (!"nimbus".equals(impl)) {
      throw new IllegalArgumentException("unknown impl " + impl);
    }
    return new NimbusExchange(BenchSuite.valueOf(suite), BenchSuite.payload(size));
  }
}
