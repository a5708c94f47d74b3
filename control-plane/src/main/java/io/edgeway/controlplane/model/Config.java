package io.edgeway.controlplane.model;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The whole declarative config: every upstream, route, certificate and stream route by name. Checks what
 * no single entity can: names are unique per kind, every route and stream route names an upstream of this
 * same document, an SNI belongs to one certificate per key type, and a listen port with its protocol to one stream route.
 * Errors carry document paths such as {@code routes[2].upstream}. Certificates carry no private key: the
 * document's keys travel apart (see the store), so this record can be logged and compared freely.
 */
public record Config(List<Upstream> upstreams, List<Route> routes, List<Certificate> certificates,
                     List<StreamRoute> streamRoutes) {
    public static final Config EMPTY = new Config(List.of(), List.of(), List.of(), List.of());

    public Config {
        upstreams = upstreams == null ? List.of() : List.copyOf(upstreams);
        routes = routes == null ? List.of() : List.copyOf(routes);
        certificates = certificates == null ? List.of() : List.copyOf(certificates);
        streamRoutes = streamRoutes == null ? List.of() : List.copyOf(streamRoutes);
        var v = new ValidationException.Collector();
        Map<String, Integer> upstreamAt = unique(v, "upstreams", upstreams, Upstream::name);
        unique(v, "routes", routes, Route::name);
        for (int i = 0; i < routes.size(); i++) {
            if (routes.get(i).upstream() != null) { // a site or redirect route has none; a site is checked by the store
                checkUpstream(v, "routes[" + i + "]", routes.get(i).upstream(), upstreamAt);
            }
        }
        unique(v, "certificates", certificates, Certificate::name);
        Map<String, String> sniAt = new HashMap<>();
        for (int i = 0; i < certificates.size(); i++) {
            List<String> snis = certificates.get(i).snis();
            // an ECDSA and an RSA one may share an SNI; a managed one gets an EC key
            String keyType = certificates.get(i).managed() ? "EC" : Pem.keyType(certificates.get(i).cert());
            for (int j = 0; j < snis.size(); j++) {
                String at = "certificates[" + i + "].snis[" + j + "]";
                // the same SNI twice in one certificate is that certificate's own error
                String first = sniAt.putIfAbsent(snis.get(j) + "/" + keyType, "certificates[" + i + "]");
                v.check(first == null || first.equals("certificates[" + i + "]"), at, "snis[" + j + "]: " + snis.get(j)
                        + " (expected: an SNI no other certificate with a " + keyType + " key serves; " + first + " does)");
            }
        }
        unique(v, "stream_routes", streamRoutes, StreamRoute::name);
        Map<String, List<Integer>> onPort = new HashMap<>();
        for (int i = 0; i < streamRoutes.size(); i++) {
            StreamRoute r = streamRoutes.get(i);
            String at = "stream_routes[" + i + "]";
            checkUpstream(v, at, r.upstream(), upstreamAt);
            List<Integer> others = onPort.computeIfAbsent(r.listenPort() + "/" + r.protocol(), k -> new ArrayList<>());
            for (int o : others) {
                List<String> theirs = streamRoutes.get(o).snis();
                boolean shared = r.protocol().equals("tcp") && (!r.snis().isEmpty() || !theirs.isEmpty())
                        && r.snis().stream().noneMatch(theirs::contains);
                v.check(shared, at + ".listen_port", "listen_port: " + r.listenPort() + "/" + r.protocol()
                        + " (expected: a port no other stream route listens on with " + r.protocol()
                        + ", or tcp routes whose snis differ; stream_routes[" + o + "] is there)");
            }
            others.add(i);
        }
        v.throwIfAny();
    }

    /** Names are unique within {@code kind}; answers where each name first appears. */
    private static <T> Map<String, Integer> unique(ValidationException.Collector v, String kind, List<T> items,
                                                   Function<T, String> name) {
        Map<String, Integer> at = new HashMap<>();
        for (int i = 0; i < items.size(); i++) {
            String n = name.apply(items.get(i));
            Integer first = at.putIfAbsent(n, i);
            v.check(first == null, kind + "[" + i + "].name", "name: " + n
                    + " (expected: unique; " + kind + "[" + first + "] has it too)");
        }
        return at;
    }

    private static void checkUpstream(ValidationException.Collector v, String at, String upstream,
                                      Map<String, Integer> upstreamAt) {
        v.check(upstreamAt.containsKey(upstream), at + ".upstream",
                "upstream: " + upstream + " (expected: the name of an upstream in this document)");
    }
}
