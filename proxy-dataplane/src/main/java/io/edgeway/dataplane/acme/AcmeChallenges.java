package io.edgeway.dataplane.acme;

import io.edgeway.dataplane.config.ConfigError;
import io.edgeway.proto.v1.AcmeHttpChallenge;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The HTTP-01 challenges (RFC 8555 8.3) the control plane's ACME client has open, by token: any proxy of the
 * fleet answers {@code GET /.well-known/acme-challenge/<token>} on its plain port with the key authorization,
 * whichever node the CA's validation reaches. Immutable; part of the runtime config, swapped with it.
 */
public final class AcmeChallenges {
    public static final AcmeChallenges NONE = new AcmeChallenges(Map.of());
    public static final String PATH_PREFIX = "/.well-known/acme-challenge/";
    // RFC 8555 8.1/8.3: a token is base64url (at least 128 bits); the key authorization is token "." thumbprint
    private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9_-]{16,256}");
    private static final Pattern KEY_AUTHORIZATION = Pattern.compile("[A-Za-z0-9_-]{16,256}\\.[A-Za-z0-9_-]{43}");

    private final Map<String, String> keyAuthorizationByToken;

    private AcmeChallenges(Map<String, String> keyAuthorizationByToken) {
        this.keyAuthorizationByToken = Map.copyOf(keyAuthorizationByToken);
    }

    /** Checks every challenge; a bad one is a config error naming its token (the snapshot is then refused). */
    public static AcmeChallenges from(List<AcmeHttpChallenge> challenges, List<ConfigError> errors) {
        if (challenges.isEmpty()) {
            return NONE;
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
        return new AcmeChallenges(out);
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
