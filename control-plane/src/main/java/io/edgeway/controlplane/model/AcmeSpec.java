package io.edgeway.controlplane.model;

import java.net.URI;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * How a managed certificate is obtained: the CA (a known issuer name or an ACME directory URL), the account's
 * contact email, and External Account Binding for CAs that need it (ZeroSSL). The EAB HMAC key is a secret:
 * the store seals it, and no view shows it (null here when read back for a view or the revision log).
 */
public record AcmeSpec(String issuer, String email, String eabKid, String eabHmac, String challenge) {
    public static final String HTTP_01 = "http-01";
    public static final String TLS_ALPN_01 = "tls-alpn-01";

    /** With the default challenge, HTTP-01. */
    public AcmeSpec(String issuer, String email, String eabKid, String eabHmac) {
        this(issuer, email, eabKid, eabHmac, null);
    }

    /** The issuers known by name; any other issuer must be an https directory URL
     * (a private CA's root is trusted through EDGEWAY_ACME_CA_FILE). */
    public static final Map<String, String> KNOWN_ISSUERS = Map.of(
            "letsencrypt", "https://acme-v02.api.letsencrypt.org/directory",
            "letsencrypt-staging", "https://acme-staging-v02.api.letsencrypt.org/directory",
            "zerossl", "https://acme.zerossl.com/v2/DV90");
    private static final Pattern EMAIL = Pattern.compile("[^@\\s]{1,64}@[A-Za-z0-9.-]{1,253}");
    private static final Pattern BASE64URL = Pattern.compile("[A-Za-z0-9_-]{16,512}={0,2}");

    public AcmeSpec {
        challenge = challenge == null ? HTTP_01 : challenge;
        var v = new ValidationException.Collector();
        v.check(challenge.equals(HTTP_01) || challenge.equals(TLS_ALPN_01), "acme.challenge", "acme.challenge: "
                + challenge + " (expected: http-01, answered on port 80, or tls-alpn-01, answered on port 443)");
        v.check(issuer != null && (KNOWN_ISSUERS.containsKey(issuer) || isDirectoryUrl(issuer)), "acme.issuer",
                "acme.issuer: " + issuer + " (expected: letsencrypt, letsencrypt-staging, zerossl or an https:// ACME directory URL)");
        v.check(email == null || EMAIL.matcher(email).matches(), "acme.email",
                "acme.email: " + email + " (expected: an email address like ops@example.com)");
        v.check(eabKid == null || (!eabKid.isBlank() && eabKid.length() <= 256), "acme.eab.kid",
                "acme.eab.kid: " + eabKid + " (expected: the key id the CA gave, 1-256 characters)");
        // The HMAC is never echoed: it is a secret.
        v.check(eabHmac == null || BASE64URL.matcher(eabHmac).matches(), "acme.eab.hmac",
                "acme.eab.hmac: not base64url (expected: the HMAC key the CA gave, base64url)");
        v.check(eabHmac == null || eabKid != null, "acme.eab.kid", "acme.eab.kid: missing (expected: with eab.hmac)");
        v.throwIfAny();
    }

    /** The ACME directory this spec's issuer names. */
    public URI directory() {
        return URI.create(KNOWN_ISSUERS.getOrDefault(issuer, issuer));
    }

    /** The same spec without its secret, for views and the revision log. */
    public AcmeSpec withoutSecret() {
        return new AcmeSpec(issuer, email, eabKid, null, challenge);
    }

    private static boolean isDirectoryUrl(String s) {
        try {
            URI u = new URI(s);
            String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
            return scheme.equals("https") && u.getHost() != null && u.getUserInfo() == null
                    && s.length() <= 2048;
        } catch (Exception e) {
            return false;
        }
    }

    @Override
    public String toString() {
        return "AcmeSpec[issuer=" + issuer + ", email=" + email + ", eabKid=" + eabKid + ", challenge=" + challenge + "]";
    }
}
