/**
 * Shulian SDK core: sealing and opening envelopes, party keys and trust, the data catalog, policy
 * decisions and the audit log. Only the API packages are exported; the {@code internal} packages
 * (wire formats, crypto adapters, the access bridge between API packages) are not, so no code
 * outside this module reaches key material or third-party types through them.
 */
module io.shulian.core {
  exports io.shulian.core;
  exports io.shulian.core.audit;
  exports io.shulian.core.catalog;
  exports io.shulian.core.envelope;
  exports io.shulian.core.io;
  exports io.shulian.core.keys;
  exports io.shulian.core.party;
  exports io.shulian.core.policy;
  exports io.shulian.core.policy.mask;
  exports io.shulian.core.trust;

  requires static transitive org.jspecify;
  requires org.bouncycastle.provider;
  requires org.bouncycastle.pkix;
  requires org.bouncycastle.util;
  requires com.nimbusds.jose.jwt;
  requires com.github.benmanes.caffeine;
  requires com.fasterxml.jackson.core;
  requires com.fasterxml.jackson.databind;
  requires com.fasterxml.jackson.dataformat.yaml;
  requires org.yaml.snakeyaml;
  requires org.slf4j;
}
