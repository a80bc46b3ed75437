package io.shulian.benchmarks;

import io.shulian.core.envelope.EnvelopeEncoding;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * Shulian's envelope in its compact JOSE encoding ({@code shulian}) and in its framed encoding
 * ({@code framed}) against the bare cost of its cryptography ({@code primitives}), for every suite. Nimbus, which has no GM algorithms, is measured in the
 * same run by {@link EnvelopeNimbusBaselineBenchmark}: run both with the pattern {@code Envelope}.
 *
 * <pre>java -jar benchmarks/target/benchmarks.jar Envelope -rf json -rff envelope.json</pre>
 */
@State(Scope.Thread)
public class EnvelopeBenchmark extends AbstractEnvelopeBenchmark {
  @Param({"INTL", "INTL_P256", "GM"})
  public String suite = "INTL";

  @Param({"1024", "65536", "1048576"})
  public int size = 1024;

  @Param({"shulian", "framed", "primitives"})
  public String impl = "shulian";

  @Override
  Exchange create() throws Exception {
    BenchSuite s = BenchSuite.valueOf(suite);
    byte[] payload = BenchSuite.payload(size);
    switch (impl) {
      case "shulian":
        return new ShulianExchange(s, payload);
      case "framed":
        return new ShulianExchange(s, payload, EnvelopeEncoding.FRAMED);
      case "primitives":
        return PrimitiveExchange.create(s, payload);
      default:
        throw new IllegalArgumentException("unknown impl " + impl);
    }
  }
}
