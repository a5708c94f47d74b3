package io.edgeway.controlplane.model;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A TLS certificate chain (PEM, leaf first) and the SNIs it serves, without its private key: the key is
 * only ever held encrypted by the store and never leaves the control plane through the API.
 * {@code expiresAt} and {@code fingerprintSha256} describe the leaf (see {@link Pem#certificate}).
 *
 * <p>A managed certificate ({@code acme} set) is declared by its SNIs alone: the control plane's ACME client
 * obtains and renews it, so {@code cert}, {@code expiresAt} and {@code fingerprintSha256} are null until the
 * first issuance (and are never part of what an operator writes).
 */
public record Certificate(String name, List<String> tags, String cert, List<String> snis, Instant expiresAt,
                          String fingerprintSha256, AcmeSpec acme) {
    /** A certificate with its chain and key given by the operator. */
    public Certificate(String name, List<String> tags, String cert, List<String> snis, Instant expiresAt,
                       String fingerprintSha256) {
        this(name, tags, cert, snis, expiresAt, fingerprintSha256, null);
    }

    /** A managed certificate as declared: no chain yet. */
    public static Certificate managed(String name, List<String> tags, List<String> snis, AcmeSpec acme) {
        return new Certificate(name, tags, null, snis, null, null, requireNonNull(acme, "acme"));
    }

    public boolean managed() {
        return acme != null;
    }

    private static final Pattern HOSTNAME = Pattern.compile(
            "(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+");

    public Certificate {
        tags = tags == null ? List.of() : List.copyOf(tags);
        snis = snis == null ? List.of() : snis.stream().map(s -> s == null ? null : s.toLowerCase(Locale.ROOT)).toList();
        var v = new ValidationException.Collector();
        Names.checkName(v, name);
        Names.checkTags(v, tags);
        v.check(cert != null || acme != null, "cert", "cert: missing (expected: a PEM certificate chain, leaf first, or acme)");
        checkSnis(v, "snis", snis);
        if (acme != null) {
            // HTTP-01 and TLS-ALPN-01 cannot prove a wildcard (RFC 8555 7.1.3); DNS-01 is not offered.
            v.check(!snis.isEmpty(), "snis", "snis: empty (expected: the host names to obtain the certificate for)");
            v.check(snis.size() <= 100, "snis", "snis: " + snis.size() + " names (expected: at most 100, the CAs' limit)");
            for (int i = 0; i < snis.size(); i++) {
                String s = snis.get(i);
                v.check(s == null || !s.startsWith("*."), "snis[" + i + "]", "snis[" + i + "]: " + s
                        + " (expected: no wildcard in a managed certificate: HTTP-01 and TLS-ALPN-01 cannot validate one)");
            }
        }
        v.throwIfAny();
        if (cert != null) {
            requireNonNull(expiresAt, "expiresAt");
            requireNonNull(fingerprintSha256, "fingerprintSha256");
        }
    }

    /** Host names like shop.example.com or wildcards like *.example.com, each at most once. */
    static void checkSnis(ValidationException.Collector v, String field, List<String> snis) {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < snis.size(); i++) {
            String s = snis.get(i);
            String host = s != null && s.startsWith("*.") ? s.substring(2) : s;
            boolean ok = host != null && HOSTNAME.matcher(host).matches();
            v.check(ok, field + "[" + i + "]", field + "[" + i + "]: " + s
                    + " (expected: a host name like shop.example.com or a wildcard like *.example.com)");
            v.check(!ok || seen.add(s), field + "[" + i + "]", field + "[" + i + "]: " + s + " (expected: each SNI once)");
        }
    }
}
