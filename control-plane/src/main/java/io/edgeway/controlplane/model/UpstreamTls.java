package io.edgeway.controlplane.model;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * TLS from the proxies to an upstream's targets. {@code verify} false skips chain and host name checks
 * (insecure: anyone on the path can read the traffic). {@code sni} null means the target's host when it is a
 * name; it is also the name the certificate must match. {@code ca} null means the proxy's default trust
 * store; otherwise a PEM bundle of trust anchors, refused here when it does not parse, so a bad bundle is a
 * 422 and never reaches a proxy as a Nack.
 */
public record UpstreamTls(boolean verify, String sni, String ca) {
    /** Bounds a field that every snapshot carries to every proxy. */
    public static final int MAX_CA_CHARS = 256 * 1024;
    private static final Pattern HOSTNAME = Pattern.compile(
            "(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*");

    public UpstreamTls {
        sni = sni == null || sni.isEmpty() ? null : sni.toLowerCase(Locale.ROOT);
        ca = ca == null || ca.isBlank() ? null : ca;
        var v = new ValidationException.Collector();
        if (sni != null) {
            // SNI carries names only (RFC 6066), never an IP literal.
            boolean name = HOSTNAME.matcher(sni).matches() && !sni.matches("[0-9.]+");
            v.check(name, "tls.sni", "tls.sni: " + sni + " (expected: a DNS host name, not an IP address)");
        }
        if (ca != null) {
            v.check(ca.length() <= MAX_CA_CHARS, "tls.ca", "tls.ca: " + ca.length() + " characters (expected: at most "
                    + MAX_CA_CHARS + ")");
            if (ca.length() <= MAX_CA_CHARS) {
                String problem = caProblem(ca);
                v.check(problem == null, "tls.ca", "tls.ca: " + problem + " (expected: PEM certificates)");
            }
        }
        v.throwIfAny();
    }

    /** Null when {@code pem} holds one or more X.509 certificates and nothing else, else what is wrong. */
    private static String caProblem(String pem) {
        if (!pem.contains("-----BEGIN CERTIFICATE-----")) {
            return "no -----BEGIN CERTIFICATE----- block";
        }
        try {
            var certs = CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
            return certs.isEmpty() ? "no certificate" : null;
        } catch (CertificateException | RuntimeException e) {
            return "does not parse";
        }
    }
}
