package io.shulian.gateway.ops;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporterBuilder;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.shulian.gateway.ops.OtlpTracing.Handle;
import io.shulian.gateway.ops.OtlpTracing.Settings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The OpenTelemetry SDK behind {@link OtlpTracing#start}: the only class here that needs the SDK on the class path. */
final class OtlpSdk {
  private static final Logger LOG = LoggerFactory.getLogger(OtlpTracing.class);

  private OtlpSdk() {}

  static Handle start(Settings s, String partyId, String version) {
    OtlpHttpSpanExporterBuilder eb = OtlpHttpSpanExporter.builder()
        .setEndpoint(s.endpoint().toString())
        .setTimeout(s.timeout());
    s.headers().forEach(eb::addHeader);
    OtlpHttpSpanExporter exporter = eb.build();
    Resource resource = Resource.getDefault().merge(Resource.create(Attributes.of(
        AttributeKey.stringKey("service.name"), s.serviceName(),
        AttributeKey.stringKey("service.version"), version,
        AttributeKey.stringKey("shulian.party.id"), partyId)));
    SdkTracerProvider tracerProvider = SdkTracerProvider.builder()
        .setResource(resource)
        .setSampler(Sampler.parentBased(Sampler.traceIdRatioBased(s.samplingRatio())))
        .addSpanProcessor(BatchSpanProcessor.builder(exporter).setScheduleDelay(s.scheduleDelay()).build())
        .build();
    OpenTelemetrySdk sdk = OpenTelemetrySdk.builder().setTracerProvider(tracerProvider).build();
    LOG.atInfo().addKeyValue("event", "tracing_otlp").addKeyValue("endpoint", s.endpoint().toString())
        .addKeyValue("service_name", s.serviceName()).addKeyValue("header_names", String.join(",", s.headers().keySet()))
        .log("exporting spans over OTLP/HTTP");
    return new Handle() {
      @Override
      public OpenTelemetry openTelemetry() {
        return sdk;
      }

      @Override
      public void close() {
        // flushes the batch processor: the spans of the last exchanges are sent before the exit
        sdk.shutdown().join(s.timeout().toMillis() + 1000, java.util.concurrent.TimeUnit.MILLISECONDS);
      }

      @Override
      public String toString() {
        return "otlp tracing to " + s.endpoint();
      }
    };
  }
}
