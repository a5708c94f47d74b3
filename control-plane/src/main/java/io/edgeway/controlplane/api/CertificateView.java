package io.edgeway.controlplane.api;

import static java.util.Objects.requireNonNull;

import io.edgeway.controlplane.model.Certificate;
import io.edgeway.controlplane.model.EntityTag;
import io.edgeway.controlplane.model.Stored;
import io.edgeway.controlplane.store.AcmeStatus;
import io.edgeway.controlplane.store.AcmeStore;
import io.edgeway.controlplane.store.EntityJson;
import java.util.Map;

/**
 * A certificate as the API answers it: the stored entity, and for a managed one where the ACME client stands
 * ({@code status}, {@code last_error}, {@code next_attempt_at}). The status is read at answer time and is not
 * part of the revision log: it is the client's progress, not config. So a managed certificate's ETag is
 * {@link #etag}: the config version plus a digest of those fields, or a client revalidating with
 * If-None-Match would be told 304 while the status it holds is stale.
 */
final class CertificateView {
    private final AcmeStore acme;

    CertificateView(AcmeStore acme) {
        this.acme = requireNonNull(acme, "acme");
    }

    Map<String, Object> apply(Stored<Certificate> s) {
        Map<String, Object> m = EntityJson.certificate(s);
        if (s.value().managed()) {
            AcmeStatus st = acme.status(s.value().name());
            String status = st.status();
            if (s.value().cert() == null && !status.equals("failed")) {
                status = "pending";
            }
            m.put("status", status);
            m.put("last_error", st.lastError());
            m.put("next_attempt_at", st.nextAttemptAt() == null ? null : st.nextAttemptAt().toString());
        }
        return m;
    }

    /** The ETag of {@code shown} ({@link #apply}'s answer for {@code s}): see {@link EntityTag}. */
    String etag(Stored<Certificate> s, Map<String, Object> shown) {
        if (!s.value().managed()) {
            return s.etag();
        }
        return EntityTag.withLiveState(s.etag(), shown.get("status"), shown.get("last_error"), shown.get("next_attempt_at"));
    }
}
