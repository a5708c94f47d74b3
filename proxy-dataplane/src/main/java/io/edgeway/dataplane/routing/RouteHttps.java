package io.edgeway.dataplane.routing;

import io.netty.util.AsciiString;

/**
 * A route's HTTPS policy: redirect plain HTTP to https://, and the Strict-Transport-Security value for
 * responses over TLS (null: none), built once per snapshot so a response only copies a reference.
 */
public record RouteHttps(boolean redirect, AsciiString hsts) {
    public static final RouteHttps NONE = new RouteHttps(false, null);

    public static RouteHttps of(boolean redirect, long hstsMaxAgeSeconds, boolean includeSubdomains) {
        if (!redirect && hstsMaxAgeSeconds == 0) {
            return NONE;
        }
        AsciiString hsts = hstsMaxAgeSeconds == 0 ? null
                : AsciiString.cached("max-age=" + hstsMaxAgeSeconds + (includeSubdomains ? "; includeSubDomains" : ""));
        return new RouteHttps(redirect, hsts);
    }
}
