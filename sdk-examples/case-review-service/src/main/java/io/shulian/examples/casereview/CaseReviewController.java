package io.shulian.examples.casereview;

import io.shulian.spring.boot.client.GatewayAccessDeniedException;
import io.shulian.spring.boot.client.GatewayException;
import io.shulian.spring.boot.client.GatewayRequestRejectedException;
import io.shulian.spring.boot.client.GatewayResponse;
import io.shulian.spring.boot.client.ShulianGatewayClient;
import java.util.regex.Pattern;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/**
 * {@code GET /cases/{caseId}/households/{householdId}}: the household record a caseworker reviews
 * for a social-assistance case, fetched from the housing bureau for the purpose {@value #PURPOSE}.
 * A refusal of the exchange is answered as a problem with the gateway's code, so the caseworker's
 * screen can say why (e.g. the purpose is not permitted for this resource).
 */
@RestController
class CaseReviewController {
  static final String RESOURCE = "HOUSING-001";
  static final String PURPOSE = "social-assistance-review";
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9-]{1,40}");

  private final ShulianGatewayClient gateway;

  CaseReviewController(ShulianGatewayClient gateway) {
    this.gateway = gateway;
  }

  @GetMapping(path = "/cases/{caseId}/households/{householdId}", produces = "application/json")
  String household(@PathVariable("caseId") String caseId, @PathVariable("householdId") String householdId) {
    if (!ID.matcher(caseId).matches() || !ID.matcher(householdId).matches()) {
      throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "case and household ids are letters, digits and -");
    }
    GatewayResponse<String> r = gateway.resource(RESOURCE).purpose(PURPOSE)
        .get("/households/" + householdId, String.class);
    return r.requireBody();
  }

  @ExceptionHandler(GatewayException.class)
  ProblemDetail refused(GatewayException e) {
    HttpStatus status = e instanceof GatewayAccessDeniedException ? HttpStatus.FORBIDDEN
        : e instanceof GatewayRequestRejectedException ? HttpStatus.NOT_FOUND : HttpStatus.BAD_GATEWAY;
    ProblemDetail p = ProblemDetail.forStatusAndDetail(status, "the housing bureau's data could not be obtained");
    p.setProperty("code", e.code());
    return p;
  }
}
