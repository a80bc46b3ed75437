package io.shulian.core.policy;

import io.shulian.core.party.PartyId;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One request to decide: who (the authenticated consumer), what (resource, action, fields), why
 * (purpose) and with which grant. Immutable; equal requests are one decision-cache entry.
 */
public final class PolicyRequest {
  private final PartyId subject;
  private final String resource;
  private final Action action;
  private final String purpose;
  private final List<String> fields;
  private final @Nullable VerifiedGrant grant;
  private final int hash;

  private PolicyRequest(Builder b) {
    this.subject = Objects.requireNonNull(b.subject, "subject");
    this.resource = Objects.requireNonNull(b.resource, "resource");
    this.action = b.action;
    this.purpose = Objects.requireNonNull(b.purpose, "purpose");
    this.fields = List.copyOf(b.fields);
    this.grant = b.grant;
    this.hash = Objects.hash(subject, resource, action, purpose, fields, grant);
  }

  public static Builder builder() {
    return new Builder();
  }

  public PartyId subject() {
    return subject;
  }

  public String resource() {
    return resource;
  }

  public Action action() {
    return action;
  }

  public String purpose() {
    return purpose;
  }

  /** Returns the requested fields; empty means every field the decision allows. */
  public List<String> fields() {
    return fields;
  }

  public @Nullable VerifiedGrant grant() {
    return grant;
  }

  /** Returns this request with {@code grant} instead of its own grant. */
  public PolicyRequest withGrant(@Nullable VerifiedGrant grant) {
    return builder().subject(subject).resource(resource).action(action).purpose(purpose).fields(fields).grant(grant).build();
  }

  @Override
  public boolean equals(@Nullable Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof PolicyRequest)) {
      return false;
    }
    PolicyRequest r = (PolicyRequest) o;
    return hash == r.hash && subject.equals(r.subject) && resource.equals(r.resource) && action == r.action
        && purpose.equals(r.purpose) && fields.equals(r.fields) && Objects.equals(grant, r.grant);
  }

  @Override
  public int hashCode() {
    return hash;
  }

  @Override
  public String toString() {
    return "PolicyRequest[" + subject + " " + action.wireName() + " " + resource + " " + fields + " for " + purpose
        + (grant == null ? "" : " with grant " + grant.grant().id()) + "]";
  }

  /** Builds a {@link PolicyRequest}; subject, resource and purpose are required, action defaults to query. */
  public static final class Builder {
    private @Nullable PartyId subject;
    private @Nullable String resource;
    private Action action = Action.QUERY;
    private @Nullable String purpose;
    private final List<String> fields = new ArrayList<>();
    private @Nullable VerifiedGrant grant;

    private Builder() {}

    public Builder subject(PartyId subject) {
      this.subject = subject;
      return this;
    }

    public Builder resource(String resource) {
      this.resource = resource;
      return this;
    }

    public Builder action(Action action) {
      this.action = Objects.requireNonNull(action);
      return this;
    }

    public Builder purpose(String purpose) {
      this.purpose = purpose;
      return this;
    }

    public Builder fields(List<String> names) {
      fields.addAll(names);
      return this;
    }

    public Builder grant(@Nullable VerifiedGrant grant) {
      this.grant = grant;
      return this;
    }

    public PolicyRequest build() {
      return new PolicyRequest(this);
    }
  }
}
