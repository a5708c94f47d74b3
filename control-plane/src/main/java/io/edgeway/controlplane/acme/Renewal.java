package io.edgeway.controlplane.acme;

import io.edgeway.controlplane.model.Certificate;
import io.edgeway.controlplane.model.Pem;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * When a managed certificate needs an order: never issued, issued for other names than it now declares, asked
 * for (the renew endpoint), or two thirds into its lifetime (or inside the window the CA's ACME Renewal
 * Information suggests, when the CA offers it: {@code ariWindowStart}).
 */
final class Renewal {
    private Renewal() {}

    /** Null when nothing is due; else why an order is due now. */
    static String due(Certificate cert, boolean renewRequested, Instant ariWindowStart, Instant now) {
        if (cert.cert() == null) {
            return "not issued yet";
        }
        if (renewRequested) {
            return "renewal requested";
        }
        X509Certificate leaf = Pem.certificate(cert.cert()).leaf();
        if (!names(leaf).equals(new HashSet<>(cert.snis()))) {
            return "snis changed";
        }
        Instant renewAt = ariWindowStart != null ? ariWindowStart : renewAt(leaf);
        return now.isBefore(renewAt) ? null : "two thirds of its lifetime passed";
    }

    /** Two thirds into the leaf's validity. */
    static Instant renewAt(X509Certificate leaf) {
        Instant from = leaf.getNotBefore().toInstant();
        Instant to = leaf.getNotAfter().toInstant();
        return from.plus(Duration.between(from, to).multipliedBy(2).dividedBy(3));
    }

    private static Set<String> names(X509Certificate leaf) {
        Set<String> out = new HashSet<>();
        try {
            var sans = leaf.getSubjectAlternativeNames();
            if (sans != null) {
                for (List<?> san : sans) {
                    if (Integer.valueOf(2).equals(san.get(0))) { // dNSName
                        out.add(san.get(1).toString().toLowerCase(java.util.Locale.ROOT));
                    }
                }
            }
        } catch (CertificateParsingException e) {
            // no names: treated as changed, so it is ordered again
        }
        return out;
    }
}
