package io.edgeway.dataplane.l4;

import java.util.List;
import java.util.Map;

/**
 * The stream routes of one port, immutable: a listener reads it once per new connection. On a port where some
 * route has snis, the ClientHello's server name picks the route, exact name first, then the {@code *.} wildcard
 * one label up (as for certificates), then the route without snis, if any.
 */
record PortRoutes(ListenKey listen, List<StreamRule> rules, StreamRule fallback, Map<String, StreamRule> exact,
                  Map<String, StreamRule> wildcard) {
    PortRoutes {
        rules = List.copyOf(rules);
        exact = Map.copyOf(exact);
        wildcard = Map.copyOf(wildcard);
    }

    /** Whether a connection must show its ClientHello before it can be routed. */
    boolean bySni() {
        return !exact.isEmpty() || !wildcard.isEmpty();
    }

    /** {@code sni}: lower case, or null when the hello named none; null when no route takes it. */
    StreamRule select(String sni) {
        if (sni != null) {
            StreamRule r = exact.get(sni);
            if (r != null) {
                return r;
            }
            int dot = sni.indexOf('.');
            if (dot > 0) {
                r = wildcard.get(sni.substring(dot + 1));
                if (r != null) {
                    return r;
                }
            }
        }
        return fallback;
    }
}
