package io.shulian.gateway.cli;

import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.shulian.core.catalog.Catalog;
import io.shulian.core.catalog.InvalidDocumentException;
import io.shulian.core.keys.KeyMaterialException;
import io.shulian.core.keys.KeyUse;
import io.shulian.core.keys.PartyCertificate;
import io.shulian.core.keys.PartyIdentity;
import io.shulian.core.party.PartyId;
import io.shulian.core.policy.PolicySet;
import io.shulian.core.trust.CityAuthority;
import io.shulian.core.trust.CityBundle;
import io.shulian.core.trust.CityTrust;
import io.shulian.core.trust.TrustException;
import io.shulian.gateway.config.BundlePolicies;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509CRL;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "sign",
    mixinStandardHelpOptions = true,
    description = {
      "Sign a city bundle described in YAML.",
      "Signed with the CA key; a fresh CRL is issued and included. Each party's certificates are "
          + "checked against the CA first (exit code 3 if one is not). YAML: version (integer above the "
          + "last), validFor (e.g. 24h) or validUntil, parties: [{party, name, endpoint, certificates: "
          + "[file or inline PEM]}], extensions (optional). Certificate files are relative to the YAML "
          + "file. The version may be at most the signing time in milliseconds since 1970, so that a "
          + "later bundle can always have a higher one. --grant-revocations adds the revoked grants of "
          + "lists written by 'grant revoke' (entries whose grant has expired are dropped). --catalog "
          + "and --policies include catalog.yaml and policies.yaml; they, and a catalog or policies given "
          + "inline under extensions, are checked with the gateway's own catalog validation and policy "
          + "compilation first, and any problem is reported with its file:line:column (exit code 3)."
    })
final class BundleSignCommand implements Callable<Integer> {
  static final long MAX_YAML_BYTES = 4 << 20;
  private static final Set<String> TOP = Set.of("version", "validFor", "validUntil", "parties", "extensions");
  private static final Set<String> PARTY = Set.of("party", "name", "endpoint", "certificates", "level");

  @Spec CommandSpec spec;

  @Mixin CaOptions caOptions;

  @Option(names = "--in", required = true, description = "bundle.yaml")
  Path in;

  @Option(names = "--out", required = true, description = "output bundle.jws")
  Path out;

  @Option(names = "--crl-next-update", description = "validity of the included CRL (default ${DEFAULT-VALUE})")
  String crlNextUpdate = "24h";

  @Option(names = "--catalog", description = "catalog.yaml to include as the 'catalog' extension, validated as the gateway does")
  Path catalog;

  @Option(names = "--policies", description = "policies.yaml to include as the 'policies' extension, compiled against --catalog")
  Path policies;

  @Option(names = "--grant-revocations", description = "revocation list written by 'grant revoke' (repeatable)")
  List<Path> grantRevocations = new ArrayList<>();

  @Override
  public Integer call() throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    Duration crlValidity = Cli.duration(spec, crlNextUpdate, "--crl-next-update");
    byte[] text = CliSupport.readFile(in, MAX_YAML_BYTES);
    JsonNode yaml;
    try {
      yaml = yamlMapper().readTree(text);
    } catch (IOException e) {
      throw new Cli.RejectedException(in + " is not valid YAML within the limits (duplicate keys, nesting, size)");
    }
    if (yaml == null || !yaml.isObject()) {
      throw new Cli.RejectedException(in + " must be a YAML mapping");
    }
    checkFields(yaml, TOP, "bundle");
    if (yaml.has("extensions") && !yaml.path("extensions").isObject()) {
      throw new Cli.RejectedException(in + ": extensions must be a mapping from name to value");
    }
    if (policies != null && catalog == null) {
      throw Cli.usage(spec, "--policies needs --catalog: the policies are compiled against the catalog");
    }
    for (String name : List.of(BundlePolicies.CATALOG, BundlePolicies.POLICIES)) {
      if (yaml.path("extensions").has(name) && (catalog != null || policies != null)) {
        throw Cli.usage(spec, in + " already has the extension '" + name + "'; give the catalog and policies either "
            + "inline under extensions or with --catalog/--policies, not both");
      }
    }
    extensions(yaml.path("extensions")); // the catalog and policies are checked before the CA key is opened
    CityAuthority ca = caOptions.open(err);
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    JsonNode v = yaml.path("version");
    if (!v.canConvertToLong() || !v.isIntegralNumber() || v.asLong() < 1) {
      throw new Cli.RejectedException(in + ": version must be a positive integer");
    }
    if (v.asLong() > now.toEpochMilli()) {
      throw new Cli.RejectedException(in + ": version " + v.asLong() + " is above the signing time in milliseconds"
          + " since 1970 (" + now.toEpochMilli() + "); no later bundle could replace it, so it is refused");
    }
    Instant until;
    if (yaml.has("validUntil")) {
      try {
        until = Instant.parse(yaml.path("validUntil").asText());
      } catch (DateTimeParseException e) {
        throw new Cli.RejectedException(in + ": validUntil must be an ISO-8601 instant such as 2026-12-01T00:00:00Z");
      }
    } else {
      until = now.plus(Cli.duration(spec, yaml.path("validFor").asText("24h"), "validFor"));
    }
    if (!until.isAfter(now)) {
      throw new Cli.RejectedException(in + ": validUntil " + until + " is not in the future");
    }
    X509CRL crl = ca.crl(crlValidity);
    CityTrust check = CityTrust.builder().roots(List.of(ca.root())).crls(List.of(crl)).build();
    CityBundle.Draft draft = CityBundle.draft().version(v.asLong()).validity(now, until).crl(crl);
    Path base = Objects.requireNonNull(in.toAbsolutePath().getParent());
    int nCerts = 0;
    for (JsonNode p : yaml.path("parties")) {
      checkFields(p, PARTY, "party");
      PartyId id;
      try {
        id = PartyId.parse(p.path("party").asText());
      } catch (IllegalArgumentException e) {
        throw new Cli.RejectedException(in + ": party '" + p.path("party").asText() + "': " + e.getMessage());
      }
      List<PartyCertificate> certs = new ArrayList<>();
      for (JsonNode c : p.path("certificates")) {
        certs.addAll(certificates(base, c.asText(), id));
      }
      for (PartyCertificate c : certs) {
        KeyUse use = c.allows(KeyUse.TLS) ? KeyUse.TLS : c.allows(KeyUse.SIGN) ? KeyUse.SIGN : KeyUse.ENCRYPT;
        try {
          check.validate(c, use, now);
        } catch (TrustException e) {
          throw new Cli.RejectedException("certificate of " + id + " is not valid under this CA (" + e.code() + "): " + e.getMessage());
        }
      }
      nCerts += certs.size();
      try {
        URI endpoint = p.hasNonNull("endpoint") ? new URI(p.path("endpoint").asText()) : null;
        draft.member(CityBundle.Member.of(id, p.path("name").asText(""), endpoint, certs));
      } catch (IllegalArgumentException | java.net.URISyntaxException e) {
        throw new Cli.RejectedException(in + ": " + e.getMessage());
      }
    }
    for (Map.Entry<String, String> e : extensions(yaml.path("extensions")).entrySet()) {
      try {
        draft.extension(e.getKey(), e.getValue());
      } catch (IllegalArgumentException ex) {
        throw new Cli.RejectedException(in + ": " + ex.getMessage());
      }
    }
    int revoked = 0;
    int dropped = 0;
    for (Path f : grantRevocations) {
      for (CityBundle.RevokedGrant g : GrantRevokeCommand.read(f)) {
        if (g.until().isPresent() && g.until().get().isBefore(now)) {
          dropped++; // the grant has expired: gateways refuse it anyway
          continue;
        }
        try {
          draft.revokeGrant(g);
        } catch (IllegalArgumentException e) {
          throw new Cli.RejectedException(f + ": " + e.getMessage());
        }
        revoked++;
      }
    }
    String jws = draft.sign(ca);
    if (jws.length() > CityBundle.MAX_BUNDLE_BYTES) {
      throw new Cli.RejectedException("the signed bundle would exceed " + CityBundle.MAX_BUNDLE_BYTES + " bytes");
    }
    PartyIdentity.writeAtomically(out, jws.getBytes(StandardCharsets.US_ASCII));
    err.println("signed city bundle v" + v.asLong() + " (" + ca.suite() + ") to " + out + ": "
        + yaml.path("parties").size() + " parties, " + nCerts + " certificates, valid until " + until
        + (grantRevocations.isEmpty() ? "" : ", " + revoked + " revoked grants from --grant-revocations"
            + (dropped > 0 ? " (" + dropped + " expired ones dropped)" : "")));
    err.flush();
    return ExitCodes.OK;
  }

  /**
   * Returns the extensions to sign as JSON text: those of the YAML, then --catalog and --policies.
   * A catalog and policies, inline or from files, are first checked by the code the gateway loads
   * them with; a file's problems name its lines.
   */
  private Map<String, String> extensions(JsonNode inline) throws Exception {
    ObjectMapper json = new ObjectMapper();
    Map<String, String> out = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = inline.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      out.put(e.getKey(), json.writeValueAsString(e.getValue()));
    }
    String where = in + " extensions";
    if (catalog != null) {
      byte[] text = CliSupport.readFile(catalog, CliSupport.MAX_DOCUMENT_BYTES);
      Catalog c = check(() -> Catalog.parse(catalog.toString(), text), catalog.toString());
      out.put(BundlePolicies.CATALOG, json.writeValueAsString(yamlMapper().readTree(text)));
      if (policies != null) {
        byte[] ptext = CliSupport.readFile(policies, CliSupport.MAX_DOCUMENT_BYTES);
        check(() -> PolicySet.parse(c, policies.toString(), ptext), policies.toString());
        out.put(BundlePolicies.POLICIES, json.writeValueAsString(yamlMapper().readTree(ptext)));
      }
      where = catalog + (policies == null ? "" : " and " + policies);
    }
    String cat = out.get(BundlePolicies.CATALOG);
    String pol = out.get(BundlePolicies.POLICIES);
    if (pol != null && cat == null) {
      throw new Cli.RejectedException(in + ": the extension 'policies' needs a 'catalog' extension to be compiled against");
    }
    if (cat != null) {
      // exactly what a gateway with provider.policy.fromBundle will load from the signed bundle
      check(() -> BundlePolicies.parse(cat, pol), where + " as the bundle carries them");
    }
    return out;
  }

  private interface DocumentCheck<T> {
    T run() throws InvalidDocumentException;
  }

  /** Runs a catalog or policy check; its problems become one refusal listing each. */
  private static <T> T check(DocumentCheck<T> c, String what) throws Cli.RejectedException {
    try {
      return c.run();
    } catch (InvalidDocumentException e) {
      throw Cli.invalid(what + " is not a valid catalog and policy set; nothing was signed", e);
    } catch (RuntimeException | StackOverflowError e) {
      throw new Cli.RejectedException(what + " could not be checked (" + e.getClass().getSimpleName() + "); nothing was signed");
    }
  }

  private void checkFields(JsonNode n, Set<String> allowed, String what) throws Cli.RejectedException {
    if (!n.isObject()) {
      throw new Cli.RejectedException(in + ": each " + what + " must be a mapping");
    }
    for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!allowed.contains(f)) {
        throw new Cli.RejectedException(in + ": unknown " + what + " field '" + f + "' (allowed: " + allowed + ")");
      }
    }
  }

  /** An inline PEM, or a file relative to the YAML's directory. */
  private List<PartyCertificate> certificates(Path base, String ref, PartyId id) throws Exception {
    String pem = ref.contains("-----BEGIN") ? ref : TrustFiles.readPemText(base.resolve(ref));
    try {
      return PartyCertificate.fromPem(pem);
    } catch (KeyMaterialException e) {
      throw new Cli.RejectedException("certificate '" + (ref.contains("-----BEGIN") ? "inline PEM" : ref) + "' of " + id + ": " + e.getMessage());
    }
  }

  static ObjectMapper yamlMapper() {
    YAMLFactory f = YAMLFactory.builder()
        .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(CityBundle.MAX_DEPTH).build())
        .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
        .build();
    return new ObjectMapper(f);
  }
}
