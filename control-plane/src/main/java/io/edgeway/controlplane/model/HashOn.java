package io.edgeway.controlplane.model;

import java.util.regex.Pattern;

/**
 * What a consistent-hash upstream hashes: exactly one of a request header, a cookie, or the client IP.
 * In the admin API: {@code {"header":"X-User"}}, {@code {"cookie":"session"}} or {@code "client_ip"}.
 */
public record HashOn(String header, String cookie, boolean clientIp) {
    private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]{1,128}");

    public HashOn {
        int set = (header != null ? 1 : 0) + (cookie != null ? 1 : 0) + (clientIp ? 1 : 0);
        var v = new ValidationException.Collector();
        v.check(set == 1, "hash_on", "hash_on: " + set + " keys (expected: exactly one of header, cookie, client_ip)");
        if (header != null) {
            v.check(TOKEN.matcher(header).matches(), "hash_on.header",
                    "header: " + header + " (expected: a header name)");
        }
        if (cookie != null) {
            v.check(TOKEN.matcher(cookie).matches(), "hash_on.cookie",
                    "cookie: " + cookie + " (expected: a cookie name)");
        }
        v.throwIfAny();
    }

    public static HashOn ofHeader(String name) {
        return new HashOn(name, null, false);
    }

    public static HashOn ofCookie(String name) {
        return new HashOn(null, name, false);
    }

    public static HashOn ofClientIp() {
        return new HashOn(null, null, true);
    }
}
