package io.shulian.gateway.cli;

import io.shulian.core.keys.KeyMaterialException;
import io.shulian.core.keys.PartyIdentity;
import java.io.PrintWriter;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The key store options shared by the commands that use a party's own keys: {@code --key} and {@code --password}. */
final class KeyOptions {
  @Option(names = "--key", required = true, description = "our key.p12 (PKCS#12, from 'shulian keygen' or 'shulian ca issue')")
  Path key;

  @Option(names = "--password", description = "PKCS#12 password (else $SHULIAN_KEY_PASSWORD, else 'changeit')")
  String password;

  /** Returns the key password: --password, else $SHULIAN_KEY_PASSWORD, else the development default with a warning. */
  char[] password(PrintWriter err) {
    return CliSupport.password(password, err);
  }

  /** Loads the identity from --key. */
  PartyIdentity load(PrintWriter err) throws KeyMaterialException {
    return PartyIdentity.load(key, password(err));
  }
}
