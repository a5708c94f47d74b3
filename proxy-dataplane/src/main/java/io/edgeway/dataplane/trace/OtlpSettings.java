package io.edgeway.dataplane.trace;

import java.net.URI;
import java.util.Map;

/**
 * OTLP span export, off by default: {@code EDGEWAY_OTLP_ENDPOINT} is the collector's OTLP/HTTP base URL
 * ({@code http://host:4318}; spans go to its {@code /v1/traces}), {@code EDGEWAY_OTLP_SAMPLE} the share of new
 * traces the proxy samples (0-1, default 1; a client's {@code traceparent} decides for its own trace: head
 * sampling), {@code EDGEWAY_OTLP_QUEUE} the spans waiting for export before new ones are dropped and counted
 * (default 8192). Needs trace context on: the span's ids are the ones the proxy sends to the target.
 */
public record OtlpSettings(URI endpoint, double sample, int queue) {
    public static final OtlpSettings OFF = new OtlpSettings(null, 1, 8192);

    public OtlpSettings {
        if (endpoint != null) {
            String scheme = endpoint.getScheme();
            if (!("http".equals(scheme) || "https".equals(scheme)) || endpoint.getHost() == null
                    || endpoint.getRawQuery() != null || endpoint.getRawFragment() != null) {
                throw new IllegalArgumentException("EDGEWAY_OTLP_ENDPOINT: '" + endpoint
                        + "' (expected: http(s)://host:port, e.g. http://collector:4318)");
            }
        }
        if (!(sample >= 0 && sample <= 1)) {
            throw new IllegalArgumentException("EDGEWAY_OTLP_SAMPLE: " + sample + " (expected: 0-1)");
        }
        if (queue < 1 || queue > 1 << 20) {
            throw new IllegalArgumentException("EDGEWAY_OTLP_QUEUE: " + queue + " (expected: 1-1048576)");
        }
    }

    public boolean on() {
        return endpoint != null;
    }

    /** The share of new traces sampled: 0 when export is off, so the proxy then never marks a trace sampled. */
    public double newTraceSample() {
        return on() ? sample : 0;
    }

    /** Where the exporter POSTs: the base URL's path with {@code /v1/traces} appended, as OTEL_EXPORTER_OTLP_ENDPOINT does. */
    public String tracesUrl() {
        String base = endpoint.toString();
        return (base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + "/v1/traces";
    }

    public static OtlpSettings from(Map<String, String> env) {
        String endpoint = env.getOrDefault("EDGEWAY_OTLP_ENDPOINT", "").trim();
        URI uri = null;
        if (!endpoint.isEmpty() && !endpoint.equals("off")) {
            try {
                uri = new URI(endpoint);
            } catch (java.net.URISyntaxException e) {
                throw new IllegalArgumentException("EDGEWAY_OTLP_ENDPOINT: '" + endpoint + "' (" + e.getReason() + ")");
            }
        }
        return new OtlpSettings(uri, number(env, "EDGEWAY_OTLP_SAMPLE", OFF.sample),
                (int) number(env, "EDGEWAY_OTLP_QUEUE", OFF.queue));
    }

    public OtlpSettings to(URI endpoint, double sample) {
        return new OtlpSettings(endpoint, sample, queue);
    }

    private static double number(Map<String, String> env, String name, double dflt) {
        String v = env.get(name);
        if (v == null) {
            return dflt;
        }
        try {
            return Double.parseDouble(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + ": '" + v + "' (expected: a number)");
        }
    }
}
