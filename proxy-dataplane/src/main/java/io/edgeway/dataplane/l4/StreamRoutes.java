package io.edgeway.dataplane.l4;

import io.edgeway.dataplane.balancing.TargetGroup;
import io.edgeway.dataplane.config.ConfigError;
import io.edgeway.dataplane.config.InvalidConfigException;
import io.edgeway.proto.v1.Snapshot;
import io.edgeway.proto.v1.StreamProtocol;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** Parses a snapshot's stream routes at the edge, all errors at once, into the routes of each port. */
final class StreamRoutes {
    static final String KIND = "stream_route";
    private static final Pattern SNI = Pattern.compile("(\\*\\.)?[a-z0-9]([a-z0-9-]{0,62})?(\\.[a-z0-9]([a-z0-9-]{0,62})?)*");

    private StreamRoutes() {}

    static Map<ListenKey, PortRoutes> parse(Snapshot snapshot, Map<String, TargetGroup> upstreams, StreamMeters meters)
            throws InvalidConfigException {
        List<ConfigError> errors = new ArrayList<>();
        Map<ListenKey, PortRoutes> ports = parse(snapshot, upstreams, meters, errors);
        if (!errors.isEmpty()) {
            throw new InvalidConfigException(errors);
        }
        return ports;
    }

    /**
     * The ports of the usable routes; each route left out is named in {@code errors} (issue 22's quarantine),
     * including every route of a port whose routes conflict: which one a client would reach is ambiguous.
     */
    static Map<ListenKey, PortRoutes> parse(Snapshot snapshot, Map<String, TargetGroup> upstreams, StreamMeters meters,
            List<ConfigError> errors) {
        Set<String> names = new HashSet<>();
        Map<ListenKey, List<StreamRule>> byPort = new LinkedHashMap<>();
        for (int i = 0; i < snapshot.getStreamRoutesCount(); i++) {
            io.edgeway.proto.v1.StreamRoute r = snapshot.getStreamRoutes(i);
            String name = r.getName().isEmpty() ? "#" + i : r.getName();
            int before = errors.size();
            if (r.getName().isEmpty()) {
                errors.add(new ConfigError(KIND, name, "name", "must not be empty"));
            } else if (!names.add(r.getName())) {
                errors.add(new ConfigError(KIND, name, "name", "duplicate stream route name"));
            }
            if (r.getListenPort() < 1 || r.getListenPort() > 65535) {
                errors.add(new ConfigError(KIND, name, "listen_port",
                        Integer.toUnsignedString(r.getListenPort()) + " (expected: 1-65535)"));
            }
            if (r.getProtocol() == StreamProtocol.UNRECOGNIZED) {
                errors.add(new ConfigError(KIND, name, "protocol", r.getProtocolValue() + " (expected: TCP or UDP)"));
            }
            boolean udp = r.getProtocol() == StreamProtocol.UDP;
            List<String> snis = new ArrayList<>();
            for (int s = 0; s < r.getSnisCount(); s++) {
                String sni = r.getSnis(s).toLowerCase(Locale.ROOT);
                if (!SNI.matcher(sni).matches() || sni.length() > 253) {
                    errors.add(new ConfigError(KIND, name, "snis[" + s + "]", "'" + r.getSnis(s)
                            + "' (expected: a host name or *.suffix)"));
                }
                snis.add(sni);
            }
            if (udp && !snis.isEmpty()) {
                errors.add(new ConfigError(KIND, name, "snis", "set (expected: none for udp)"));
            }
            TargetGroup upstream = upstreams.get(r.getUpstream());
            if (upstream == null && snapshot.getUpstreamsList().stream().anyMatch(u -> u.getName().equals(r.getUpstream()))) {
                errors.add(new ConfigError(KIND, name, "upstream", "'" + r.getUpstream() + "' is quarantined on this proxy"));
            } else if (upstream == null) {
                errors.add(new ConfigError(KIND, name, "upstream",
                        "'" + r.getUpstream() + "' (expected: the name of an upstream in this snapshot)"));
            }
            if (errors.size() == before && upstream != null) {
                ListenKey key = new ListenKey(r.getListenPort(), udp);
                byPort.computeIfAbsent(key, k -> new ArrayList<>())
                        .add(new StreamRule(r.getName(), key, snis, upstream, meters.meter(r.getName())));
            }
        }
        Map<ListenKey, PortRoutes> ports = new LinkedHashMap<>();
        byPort.forEach((key, rules) -> {
            PortRoutes p = port(key, rules, errors);
            if (p != null) {
                ports.put(key, p);
            } else {
                Set<String> named = new HashSet<>();
                errors.forEach(e -> named.add(e.name()));
                rules.stream().filter(r -> !named.contains(r.name())).forEach(r -> errors.add(new ConfigError(KIND,
                        r.name(), "listen_port", key + " is not served: another stream route on it is quarantined")));
            }
        });
        return ports;
    }

    private static PortRoutes port(ListenKey key, List<StreamRule> rules, List<ConfigError> errors) {
        StreamRule fallback = null;
        Map<String, StreamRule> exact = new HashMap<>();
        Map<String, StreamRule> wildcard = new HashMap<>();
        int before = errors.size();
        for (StreamRule r : rules) {
            if (r.snis().isEmpty()) {
                if (fallback != null) { // two defaults, or two UDP routes: which one a client reaches is ambiguous
                    errors.add(new ConfigError(KIND, r.name(), "listen_port", key + " is also stream route '"
                            + fallback.name() + "' (expected: one route per port, or tcp routes told apart by snis)"));
                }
                fallback = r;
            }
            for (String sni : r.snis()) {
                Map<String, StreamRule> map = sni.startsWith("*.") ? wildcard : exact;
                StreamRule other = map.put(sni.startsWith("*.") ? sni.substring(2) : sni, r);
                if (other != null && other != r) {
                    errors.add(new ConfigError(KIND, r.name(), "snis", "'" + sni + "' on " + key
                            + " is also stream route '" + other.name() + "'s (expected: each sni on one route)"));
                }
            }
        }
        return errors.size() == before ? new PortRoutes(key, rules, fallback, exact, wildcard) : null;
    }
}
