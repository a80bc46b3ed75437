package io.shulian.examples.grant;

import io.shulian.core.catalog.Catalog;
import io.shulian.core.keys.PartyIdentity;
import io.shulian.core.keys.Suite;
import io.shulian.core.party.CreditCode;
import io.shulian.core.party.PartyId;
import io.shulian.core.policy.Action;
import io.shulian.core.policy.Decision;
import io.shulian.core.policy.Grant;
import io.shulian.core.policy.GrantIssuer;
import io.shulian.core.policy.GrantVerifier;
import io.shulian.core.policy.PolicyEngine;
import io.shulian.core.policy.PolicyRequest;
import io.shulian.core.policy.PolicySet;
import io.shulian.core.policy.VerifiedGrant;
import io.shulian.core.trust.PinnedSenderTrust;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Provider: the housing bureau approves the civil affairs bureau's application for a conditional
 * resource by issuing a grant (a JWS signed with its signing key); the grant is verified and a
 * request is decided with it by the catalog policy engine, whose obligations mask the record.
 * The CLI does the same with {@code shulian grant issue|verify} and {@code shulian policy check}.
 *
 * <p>Run: {@code java -cp sdk-examples/target/shulian-demo.jar io.shulian.examples.grant.Main}
 */
public final class Main {
  static final PartyId HOUSING = PartyId.of("440600", CreditCode.withCheckCharacter("11440600MB2C1001H"), "housing");
  static final PartyId CIVIL = PartyId.of("440600", CreditCode.withCheckCharacter("11440600MB2C2002C"), "relief");
  static final String RESOURCE = "housing.provident-fund.balance";

  static final String CATALOG = """
      version: "recipe-1"
      purposes:
        - {code: social-assistance-review, name: 社会救助审核}
      resources:
        - code: housing.provident-fund.balance
          name: 住房公积金缴存余额
          provider: %s
          updateCycle: monthly
          open: not-open
          sharing: {type: conditional, conditions: Approved application naming the applicant.}
          purposes: [social-assistance-review]
          fields:
            - {name: applicant.name, type: string, classification: important, personalInfo: name}
            - {name: applicant.idNumber, type: string, classification: important, personalInfo: id-number}
            - {name: balance, type: number, classification: important}
            - {name: bankCard, type: string, classification: core, personalInfo: bank-card}
      """.formatted(HOUSING);

  private Main() {}

  public static void main(String[] args) throws Exception {
    System.exit(run(System.out) ? 0 : 1);
  }

  public static boolean run(PrintStream out) throws Exception {
    PartyIdentity housing = PartyIdentity.generateSelfSigned(Suite.INTL, HOUSING, Duration.ofDays(1));

    // 1. the provider issues the grant: who, what, which fields, why, how long, how often
    Instant now = Instant.now();
    String token = GrantIssuer.of(housing).issue(Grant.builder()
        .id("HZ-2026-0042")
        .issuer(HOUSING)
        .consumer(CIVIL)
        .resource(RESOURCE)
        .fields(List.of("applicant.name", "applicant.idNumber", "balance"))
        .purpose("social-assistance-review")
        .validity(now, now.plus(Duration.ofDays(30)))
        .maxUses(10)
        .build());
    out.println("grant (" + token.length() + " characters): " + token.substring(0, 40) + "...");

    // 2. anyone holding the provider's certificate verifies it (a gateway uses the city bundle)
    GrantVerifier verifier = GrantVerifier.of(PinnedSenderTrust.of(housing.certificates()));
    VerifiedGrant vg = verifier.verify(token);
    out.println("verified: " + vg.grant().consumer() + " may read " + vg.grant().fields() + " of " + vg.grant().resource()
        + " for " + vg.grant().purpose() + " until " + vg.grant().expiresAt());

    // 3. the provider's policy engine decides a request with and without it
    Catalog catalog = Catalog.parse("catalog.yaml", CATALOG.getBytes(StandardCharsets.UTF_8));
    PolicyEngine engine = PolicyEngine.builder(PolicySet.derivedOnly(catalog)).grantVerifier(verifier).build();
    PolicyRequest request = PolicyRequest.builder().subject(CIVIL).resource(RESOURCE).action(Action.QUERY)
        .purpose("social-assistance-review").build();
    Decision without = engine.decide(request);
    Decision with = engine.decide(request, token);
    out.println("without the grant: " + without.effect() + " " + without.reasons().get(0).code());
    out.println("with the grant:    " + with.effect() + " by " + with.ruleIds());

    // 4. the decision's obligations mask the record before it leaves the provider
    byte[] record = """
        {"applicant":{"name":"陈子轩","idNumber":"44060419900101123X"},"balance":52310.5,"bankCard":"6222020200112233445"}"""
        .getBytes(StandardCharsets.UTF_8);
    byte[] masked = with.masker().build().mask(record); // a DENY would throw here: it releases nothing
    out.println("released record:   " + new String(masked, StandardCharsets.UTF_8));
    return !without.isPermit() && with.isPermit() && !new String(masked, StandardCharsets.UTF_8).contains("6222");
  }
}
