package io.edgeway.controlplane.api;

import static java.util.Objects.requireNonNull;

import io.edgeway.controlplane.model.Certificate;
import io.edgeway.controlplane.model.Stored;
import io.edgeway.controlplane.store.AcmeStatus;
import io.edgeway.controlplane.store.AcmeStore;
import io.edgeway.controlplane.store.CertificateStore;
import io.javalin.http.Context;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * GET /api/v1/certificate-expiry: every certificate's expiry, and a warning for one that is a problem before
 * it is an outage (expiring within {@link #WARN_BEFORE}, or managed and failing to renew). For Prometheus, the
 * same expiry is the gauge {@code edgeway_certificate_expiry_timestamp_seconds} on the admin port's /metrics.
 */
final class CertificateExpiry {
    static final Duration WARN_BEFORE = Duration.ofDays(14);

    private final CertificateStore certificates;
    private final AcmeStore acme;
    private final Clock clock;

    CertificateExpiry(CertificateStore certificates, AcmeStore acme, Clock clock) {
        this.certificates = requireNonNull(certificates, "certificates");
        this.acme = requireNonNull(acme, "acme");
        this.clock = requireNonNull(clock, "clock");
    }

    void handle(Context ctx) {
        List<Stored<Certificate>> all = certificates.list();
        Map<String, AcmeStatus> statuses = acme.statuses();
        Instant now = clock.instant();
        List<Map<String, Object>> data = new ArrayList<>();
        for (Stored<Certificate> s : all) {
            Certificate c = s.value();
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", c.name());
            m.put("expires_at", c.expiresAt() == null ? null : c.expiresAt().toString());
            m.put("managed", c.managed());
            AcmeStatus st = c.managed() ? statuses.getOrDefault(c.name(), AcmeStatus.PENDING) : null;
            if (st != null) {
                m.put("status", st.status());
            }
            m.put("warning", warning(c, st, now));
            data.add(m);
        }
        ctx.json(Map.of("data", data));
    }

    private static String warning(Certificate c, AcmeStatus st, Instant now) {
        if (c.expiresAt() != null && c.expiresAt().isBefore(now)) {
            return "expired at " + c.expiresAt();
        }
        if (c.expiresAt() != null && c.expiresAt().isBefore(now.plus(WARN_BEFORE))) {
            return "expires in " + Duration.between(now, c.expiresAt()).toHours() + " h"
                    + (st != null && st.lastError() != null ? "; renewal failing: " + st.lastError() : "");
        }
        if (st != null && "failed".equals(st.status())) {
            return (c.cert() == null ? "not issued: " : "renewal failing: ") + st.lastError();
        }
        return null;
    }
}
