package io.shulian.gateway.cli;

import io.shulian.core.keys.KeyMaterialException;
import io.shulian.core.keys.PartyCertificate;
import io.shulian.core.trust.CityTrust;
import io.shulian.core.trust.TrustException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

/** Reading trust material for the CA, CSR, bundle and open commands; the CA password. */
final class TrustFiles {
  static final String CA_PASSWORD_ENV = "SHULIAN_CA_PASSWORD";

  private TrustFiles() {}

  /** Certificates (CA and party) and CRLs read from PEM files. */
  static final class Material {
    final List<X509Certificate> cas = new ArrayList<>();
    final List<PartyCertificate> parties = new ArrayList<>();
    final List<X509CRL> crls = new ArrayList<>();
  }

  /** Returns the CA password: --ca-password, else $SHULIAN_CA_PASSWORD, else the development default. */
  static char[] caPassword(String option, PrintWriter err) {
    if (option != null) {
      return option.toCharArray();
    }
    String env = System.getenv(CA_PASSWORD_ENV);
    if (env != null && !env.isEmpty()) {
      return env.toCharArray();
    }
    err.println("warning: no --ca-password and no " + CA_PASSWORD_ENV + "; using the development password '"
        + CliSupport.DEV_PASSWORD + "'. Do not use it for a real CA.");
    err.flush();
    return CliSupport.DEV_PASSWORD.toCharArray();
  }

  /** Reads a PEM file with {@link CliSupport#readPem}: bounded, and refused unless it is PEM text. */
  static String readPemText(Path file) throws IOException {
    return CliSupport.readPem(file);
  }

  /** Reads a PEM file, or every *.pem file of a directory, into CA certificates, party certificates and CRLs. */
  static Material read(Path fileOrDir, Material into) throws IOException, TrustException, KeyMaterialException {
    if (Files.isDirectory(fileOrDir)) {
      try (DirectoryStream<Path> ds = Files.newDirectoryStream(fileOrDir, "*.pem")) {
        for (Path p : ds) {
          read(p, into);
        }
      }
      return into;
    }
    String text = readPemText(fileOrDir);
    boolean any = false;
    if (text.contains("-----BEGIN X509 CRL-----")) {
      into.crls.addAll(withFile(fileOrDir, () -> CityTrust.readCrls(text)));
      any = true;
    }
    if (text.contains("-----BEGIN CERTIFICATE-----")) {
      for (X509Certificate c : withFile(fileOrDir, () -> CityTrust.readCertificates(text))) {
        if (CityTrust.isCaCertificate(c)) {
          into.cas.add(c);
        } else {
          try {
            into.parties.add(PartyCertificate.of(c));
          } catch (KeyMaterialException e) {
            throw new KeyMaterialException(fileOrDir + ": " + e.getMessage(), e);
          }
        }
      }
      any = true;
    }
    if (!any) {
      throw new TrustException(TrustException.Reason.BAD_TRUST_MATERIAL, fileOrDir + " holds no PEM certificate or CRL");
    }
    return into;
  }

  interface PemRead<T> {
    T read() throws TrustException;
  }

  private static <T> T withFile(Path f, PemRead<T> r) throws TrustException {
    try {
      return r.read();
    } catch (TrustException e) {
      throw new TrustException(e.reason(), f + ": " + e.getMessage(), e);
    }
  }
}
