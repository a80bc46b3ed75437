package io.shulian.gateway.evaluate;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One department's numbers for one month. Definitions: docs/assessment-and-evaluation.md.
 *
 * @param department the provider organisation's party id
 * @param name its name in the bundle, or empty
 * @param resources catalog resources it provides
 * @param fresh resources served successfully within their update cycle before the month's end
 * @param stale resources judged and not fresh
 * @param requests requests to its resources recorded in the month
 * @param served permitted and answered 2xx/3xx
 * @param refused denied by policy or checks
 * @param refusedByReason refusals per first reason code
 * @param failed requests answered 5xx (its system or gateway failed)
 * @param availability {@code (requests - failed) / requests}, or null without requests
 * @param p95Latency 95th percentile of the gateway's recorded latency, or null without requests
 * @param applicationsAnswered sharing applications answered in the month
 * @param applicationMeanAnswer mean time to answer them, or null if none
 * @param applicationMaxAnswer longest time to answer them, or null if none
 * @param objectionsAnswered data objections answered in the month
 * @param objectionMeanAnswer mean time to answer them, or null if none
 * @param objectionMaxAnswer longest time to answer them, or null if none
 * @param alerts alerts the hub raised in the month whose subject names the department (0 when the hub was not consulted)
 */
public record Scorecard(String department, String name, int resources, int fresh, int stale, long requests,
    long served, long refused, Map<String, Long> refusedByReason, long failed, @Nullable Double availability,
    @Nullable Duration p95Latency, long applicationsAnswered, @Nullable Duration applicationMeanAnswer,
    @Nullable Duration applicationMaxAnswer, long objectionsAnswered, @Nullable Duration objectionMeanAnswer,
    @Nullable Duration objectionMaxAnswer, long alerts) {
  /** A scorecard without alerts (the hub not consulted). */
  public Scorecard(String department, String name, int resources, int fresh, int stale, long requests, long served,
      long refused, Map<String, Long> refusedByReason, long failed, @Nullable Double availability,
      @Nullable Duration p95Latency, long applicationsAnswered, @Nullable Duration applicationMeanAnswer,
      @Nullable Duration applicationMaxAnswer, long objectionsAnswered, @Nullable Duration objectionMeanAnswer,
      @Nullable Duration objectionMaxAnswer) {
    this(department, name, resources, fresh, stale, requests, served, refused, refusedByReason, failed, availability,
        p95Latency, applicationsAnswered, applicationMeanAnswer, applicationMaxAnswer, objectionsAnswered,
        objectionMeanAnswer, objectionMaxAnswer, 0);
  }

  public Scorecard {
    Objects.requireNonNull(department, "department");
    Objects.requireNonNull(name, "name");
    refusedByReason = Map.copyOf(refusedByReason);
  }
}
