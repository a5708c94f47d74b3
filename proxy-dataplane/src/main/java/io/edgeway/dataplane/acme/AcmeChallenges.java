package io.edgeway.dataplane.acme;

import io.edgeway.dataplane.config.ConfigError;
import io.edgeway.dataplane.tls.AcmeTlsAlpn;
import io.edgeway.proto.v1.AcmeHttpChallenge;
import io.edgeway.proto.v1.AcmeTlsAlpnChallenge;
import io.netty.handler.ssl.SslContext;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The HTTP-01 challenges (RFC 8555 8.3) the control plane's ACME client has open, by token: any proxy of the
 * fleet answers {@code GET /.well-known/acme-challenge/<token>} on its plain port with the key authorization,
 * whichever node the CA's validation reaches; and the TLS-ALPN-01 challenges (RFC 8737) by domain, whose
 * contexts {@link io.edgeway.dataplane.tls.SniSelector} serves to a handshake offering only "acme-tls/1".
 * Immutable; part of the runtime config, swapped with it.
 */
public final class AcmeChallenges {
    public static final AcmeChallenges NONE = new AcmeChallenges(Map.of(), Map.of());
    public static final String PATH_PREFIX = "/.well-known/acme-challenge/";
    // RFC 8555 8.1/8.3: a token is base64url (at least 128 bits); the key authorization is token "." thumbprint
    private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9_-]{16,256}");
    private static final Pattern DOMAIN = Pattern.compile("[a-z0-9]([a-z0-9-]{0,62})?(\\.[a-z0-9]([a-z0-9-]{0,62})?)+");
    private static final Pattern KEY_AUTHORIZATION = Pattern.compile("[A-Za-z0-9_-]{16,256}\\.[A-Za-z0-9_-]{43}");

    private final Map<String, String> keyAuthorizationByToken;
    private final Map<String, SslContext> tlsAlpnByDomain;

    private AcmeChallenges(Map<String, String> keyAuthorizationByToken, Map<String, SslContext> tlsAlpnByDomain) {
        this.keyAuthorizationByToken = Map.copyOf(keyAuthorizationByToken);
        this.tlsAlpnByDomain = Map.copyOf(tlsAlpnByDomain);
    }

    /** The TLS-ALPN-01 challenge context for {@code domain} (lower case); null when none is open. */
    public SslContext tlsAlpn(String domain) {
        return tlsAlpnByDomain.get(domain);
    }

    /** Checks every challenge; a bad one is a config error naming its token (the snapshot is then refused). */
    public static AcmeChallenges from(List<AcmeHttpChallenge> challenges, List<AcmeTlsAlpnChallenge> tlsAlpn,
                                      List<ConfigError> errors) {
        if (challenges.isEmpty() && tlsAlpn.isEmpty()) {
            return NONE;
        }
        Map<String, SslContext> contexts = new HashMap<>();
        for (int i = 0; i < tlsAlpn.size(); i++) {
            AcmeTlsAlpnChallenge c = tlsAlpn.get(i);
            String domain = c.getDomain().toLowerCase(java.util.Locale.ROOT);
            if (!DOMAIN.matcher(domain).matches()) {
                errors.add(new ConfigError("acme_tls_alpn_challenge", "#" + i, "domain", "not a host name"));
                continue;
            }
            try {
                contexts.put(domain, AcmeTlsAlpn.context(c.getCertPem(), c.getPrivateKeyPem()));
            } catch (javax.net.ssl.SSLException | RuntimeException e) {
                // the message names what failed to parse, never the key's bytes
                errors.add(new ConfigError("acme_tls_alpn_challenge", domain, "cert_pem", "not a usable certificate and key"));
            }
        }
        Map<String, String> out = new HashMap<>();
        for (int i = 0; i < challenges.size(); i++) {
            AcmeHttpChallenge c = challenges.get(i);
            String name = TOKEN.matcher(c.getToken()).matches() ? c.getToken() : "#" + i;
            if (!TOKEN.matcher(c.getToken()).matches()) {
                errors.add(new ConfigError("acme_http_challenge", name, "token", "not base64url of 16-256 characters"));
            } else if (!KEY_AUTHORIZATION.matcher(c.getKeyAuthorization()).matches()
                    || !c.getKeyAuthorization().startsWith(c.getToken() + ".")) {
                errors.add(new ConfigError("acme_http_challenge", name, "key_authorization",
                        "expected: the token, \".\", and a base64url SHA-256 thumbprint"));
            } else {
                out.put(c.getToken(), c.getKeyAuthorization());
            }
        }
        return new AcmeChallenges(out, contexts);
    }

    /** Whether {@code uri} (origin-form) is under the challenge path: such a request never reaches a route. */
    public static boolean isChallenge(String uri) {
        return uri != null && uri.startsWith(PATH_PREFIX);
    }

    /** The key authorization {@code uri} asks for; null when it names no open challenge. */
    public String answer(String uri) {
        String token = uri.substring(PATH_PREFIX.length());
        int query = token.indexOf('?');
        if (query >= 0) {
            token = token.substring(0, query);
        }
        return TOKEN.matcher(token).matches() ? keyAuthorizationByToken.get(token) : null;
    }

    public int size() {
        return keyAuthorizationByToken.size();
    }
}
