package io.shulian.core.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class EndpointTest {

  @ParameterizedTest
  @ValueSource(strings = {"/", "/a", "/{id}", "/records/{id}/history", "/a.b~c-d_e", "/{a}/{b}", "/.well-known", "/v1.2"})
  void template_wellFormed_accepted(String t) {
    assertThat(new Endpoint("GET", t).pathTemplate()).isEqualTo(t);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "a", "/a/", "//", "/a//b", "/./a", "/../a", "/a/..", "/{id}x", "/x{id}", "/{}", "/{1a}",
      "/a;b", "/a%2e", "/a b", "/a\\b", "/{id", "/id}", "/{a}{b}", "/a?b", "/a#b"})
  void template_malformedOrUnsafe_refused(String t) {
    assertThatThrownBy(() -> new Endpoint("GET", t)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void template_tooLong_refused() {
    assertThatThrownBy(() -> new Endpoint("GET", "/" + "a".repeat(Endpoint.MAX_TEMPLATE)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at most");
  }

  @ParameterizedTest
  @ValueSource(strings = {"TRACE", "PROPFIND", "CONNECT", "HEAD", "OPTIONS", "get", ""})
  void method_notDeclarable_refused(String m) {
    assertThatThrownBy(() -> new Endpoint(m, "/a")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("is not one of GET, POST, PUT, PATCH, DELETE");
  }

  @ParameterizedTest
  @CsvSource({"POST,query", "PUT,export", "DELETE,return-flow", "GET,write", "GET,delete", "PATCH,subscribe"})
  void action_notServableByMethod_refused(String method, String action) {
    assertThatThrownBy(() -> new Endpoint(method, "/a", action)).isInstanceOf(IllegalArgumentException.class);
  }

  /** requested action ("-" = none) -> decided action ("-" = refused). */
  @ParameterizedTest
  @CsvSource({
      "GET,-,-,query", "GET,-,query,query", "GET,-,export,export", "GET,-,return-flow,return-flow", "GET,-,write,-",
      "GET,-,bogus,bogus",
      "GET,export,-,export", "GET,export,export,export", "GET,export,query,-", "GET,export,write,-",
      "POST,-,-,write", "POST,-,write,write", "POST,-,query,-", "POST,write,-,write",
      "PUT,-,-,write", "PATCH,-,return-flow,-", "DELETE,-,-,write", "DELETE,-,query,-"})
  void actionFor_writesAlwaysWrite_readsNeverWrite(String method, String declared, String requested, String decided) {
    Endpoint e = new Endpoint(method, "/a", declared.equals("-") ? null : declared);
    assertThat(e.actionFor(requested.equals("-") ? null : requested)).isEqualTo(decided.equals("-") ? null : decided);
  }

  @Test
  void match_declaredPair_matches() {
    List<Endpoint> eps = List.of(new Endpoint("GET", "/records/{id}"), new Endpoint("POST", "/records"));
    EndpointMatch m = EndpointMatch.find(eps, "GET", RequestTarget.parse("/records/7?x=1"));
    assertThat(m.matched()).isTrue();
    assertThat(m.endpoint()).contains(eps.get(0));
  }

  @Test
  void match_pathDeclaredForOtherMethods_isMethodNotAllowedWithAllowInCanonicalOrder() {
    List<Endpoint> eps = List.of(new Endpoint("DELETE", "/r/{id}"), new Endpoint("GET", "/r/{id}"),
        new Endpoint("PUT", "/r/{x}/"+ "y"), new Endpoint("PATCH", "/r/{id}"));
    EndpointMatch m = EndpointMatch.find(eps, "POST", RequestTarget.parse("/r/7"));
    assertThat(m.result()).isEqualTo(EndpointMatch.Result.METHOD_NOT_ALLOWED);
    assertThat(m.allowedMethods()).containsExactly("GET", "PATCH", "DELETE");
    assertThat(m.endpoint()).isEmpty();
  }

  @Test
  void match_unknownMethodOrWrongCase_neverMatches() {
    List<Endpoint> eps = List.of(new Endpoint("GET", "/r/{id}"));
    assertThat(EndpointMatch.find(eps, "get", RequestTarget.parse("/r/7")).result())
        .isEqualTo(EndpointMatch.Result.METHOD_NOT_ALLOWED);
    assertThat(EndpointMatch.find(eps, "PROPFIND", RequestTarget.parse("/r/7")).allowedMethods()).containsExactly("GET");
  }

  @Test
  void match_undeclaredPath_isUnknownEndpoint() {
    List<Endpoint> eps = List.of(new Endpoint("GET", "/r/{id}"));
    for (String t : List.of("/r", "/r/7/x", "/s/7", "/", "/r/7/", "/R/7")) {
      EndpointMatch m = EndpointMatch.find(eps, "GET", RequestTarget.parse(t));
      assertThat(m.result()).as(t).isEqualTo(EndpointMatch.Result.UNKNOWN_ENDPOINT);
      assertThat(m.allowedMethods()).as(t).isEmpty();
    }
  }

  @Test
  void match_noEndpointsDeclared_matchesNothing() {
    assertThat(EndpointMatch.find(List.of(), "GET", RequestTarget.parse("/")).result())
        .isEqualTo(EndpointMatch.Result.UNKNOWN_ENDPOINT);
  }

  @Test
  void match_variableMatchesOneDecodedNonEmptySegment() {
    List<Endpoint> eps = List.of(new Endpoint("GET", "/r/{id}"));
    assertThat(EndpointMatch.find(eps, "GET", RequestTarget.parse("/r/a%20b")).matched()).isTrue();
    assertThat(EndpointMatch.find(eps, "GET", RequestTarget.parse("/r/a%3fb")).matched()).isTrue();
    assertThat(EndpointMatch.find(eps, "GET", RequestTarget.parse("/r/")).matched()).isFalse();
  }

  @Test
  void match_rootTemplate_matchesOnlyTheRoot() {
    List<Endpoint> eps = List.of(new Endpoint("POST", "/"));
    assertThat(EndpointMatch.find(eps, "POST", RequestTarget.parse("/")).matched()).isTrue();
    assertThat(EndpointMatch.find(eps, "POST", RequestTarget.parse("/?ticket=1")).matched()).isTrue();
    assertThat(EndpointMatch.find(eps, "POST", RequestTarget.parse("/x")).matched()).isFalse();
  }

  @Test
  void match_overlappingTemplates_literalBeatsVariableFromTheLeft() {
    Endpoint byId = new Endpoint("GET", "/{id}");
    Endpoint all = new Endpoint("GET", "/all", "export");
    Endpoint a = new Endpoint("GET", "/{x}/items");
    Endpoint b = new Endpoint("GET", "/r/{y}");
    for (List<Endpoint> eps : List.of(List.of(byId, all), List.of(all, byId))) {
      assertThat(EndpointMatch.find(eps, "GET", RequestTarget.parse("/all")).endpoint()).contains(all);
      assertThat(EndpointMatch.find(eps, "GET", RequestTarget.parse("/7")).endpoint()).contains(byId);
    }
    for (List<Endpoint> eps : List.of(List.of(a, b), List.of(b, a))) {
      assertThat(EndpointMatch.find(eps, "GET", RequestTarget.parse("/r/items")).endpoint()).contains(b);
    }
  }
}
