package io.edgeway.controlplane.model;

import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * An L4 route: connections (tcp) or datagrams (udp) arriving on {@code listenPort} go to {@code upstream}.
 * {@code snis} narrows a tcp route to TLS client hellos naming one of them (empty: any). Stored and
 * versioned, pushed in the snapshot and served by every proxy (dataplane.l4).
 */
public record StreamRoute(String name, List<String> tags, int listenPort, String protocol, List<String> snis,
                          String upstream) {
    public static final Set<String> PROTOCOLS = Set.of("tcp", "udp");

    public StreamRoute {
        tags = tags == null ? List.of() : List.copyOf(tags);
        snis = snis == null ? List.of() : snis.stream().map(s -> s == null ? null : s.toLowerCase(Locale.ROOT)).toList();
        protocol = protocol == null ? "tcp" : protocol;
        var v = new ValidationException.Collector();
        Names.checkName(v, name);
        Names.checkTags(v, tags);
        v.check(listenPort >= 1 && listenPort <= 65535, "listen_port", "listen_port: " + listenPort + " (expected: 1-65535)");
        v.check(PROTOCOLS.contains(protocol), "protocol", "protocol: " + protocol + " (expected: tcp or udp)");
        Certificate.checkSnis(v, "snis", snis);
        v.check(snis.isEmpty() || !protocol.equals("udp"), "snis", "snis: set (expected: none for udp; SNI is a TLS-over-tcp field)");
        v.check(upstream != null, "upstream", "upstream: missing (expected: the name of an existing upstream)");
        v.throwIfAny();
    }
}
