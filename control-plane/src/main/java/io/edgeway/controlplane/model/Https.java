package io.edgeway.controlplane.model;

/**
 * A route's HTTPS policy. {@code redirect}: plain-HTTP requests get 308 to the same URL with https:// (the
 * proxies' external HTTPS port, EDGEWAY_HTTPS_EXTERNAL_PORT, default 443). {@code hstsMaxAgeSeconds} > 0:
 * responses sent over TLS carry Strict-Transport-Security with that max-age (and includeSubDomains when
 * asked); RFC 6797 forbids sending it over plain HTTP.
 */
public record Https(boolean redirect, long hstsMaxAgeSeconds, boolean hstsIncludeSubdomains) {
    public static final Https NONE = new Https(false, 0, false);
    /** Two years: the longest max-age browsers' preload lists ask for; more is a typo, not a policy. */
    public static final long MAX_HSTS_SECONDS = 63_072_000;

    void check(ValidationException.Collector v) {
        v.check(hstsMaxAgeSeconds >= 0 && hstsMaxAgeSeconds <= MAX_HSTS_SECONDS, "hsts.max_age",
                "hsts.max_age: " + hstsMaxAgeSeconds + " (expected: 0-" + MAX_HSTS_SECONDS + " seconds)");
        v.check(!hstsIncludeSubdomains || hstsMaxAgeSeconds > 0, "hsts.include_subdomains",
                "hsts.include_subdomains: true (expected: only with a max_age above 0)");
    }
}
