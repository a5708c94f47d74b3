package io.edgeway.dataplane.control;

import static java.util.Objects.requireNonNull;

import java.util.regex.Pattern;

/**
 * A join token as the admin is shown it: {@code ewj1.<id>.<secret>.<ca pin>}. The id finds the stored
 * hash, the secret proves possession, and the pin (SHA-256 of the CA's public key) lets a new proxy verify
 * the control plane on its very first connection, before it trusts anything else.
 */
public record JoinToken(String id, String secret, String caPin) {
    public static final String PREFIX = "ewj1";
    private static final Pattern ID = Pattern.compile("[0-9a-f]{12}");
    private static final Pattern B64URL = Pattern.compile("[A-Za-z0-9_-]{43}");

    public JoinToken {
        requireNonNull(id, "id");
        requireNonNull(secret, "secret");
        requireNonNull(caPin, "caPin");
    }

    /** Parses a token; the message never repeats the secret. */
    public static JoinToken parse(String text) {
        String[] parts = text == null ? new String[0] : text.trim().split("\\.", -1);
        if (parts.length != 4 || !PREFIX.equals(parts[0]) || !ID.matcher(parts[1]).matches()
                || !B64URL.matcher(parts[2]).matches() || !B64URL.matcher(parts[3]).matches()) {
            throw new IllegalArgumentException("join token: malformed (expected: " + PREFIX
                    + ".<12 hex>.<43 base64url>.<43 base64url>, as `edgeway ctl join-token create` prints it)");
        }
        return new JoinToken(parts[1], parts[2], parts[3]);
    }

    public String text() {
        return PREFIX + "." + id + "." + secret + "." + caPin;
    }

    @Override
    public String toString() {
        return "JoinToken[id=" + id + ", secret=***, caPin=" + caPin + "]";
    }
}
