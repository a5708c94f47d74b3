package io.edgeway.controlplane.discovery;

import static java.util.Objects.requireNonNull;

import io.edgeway.controlplane.model.Config;
import io.edgeway.controlplane.model.FieldError;
import io.edgeway.controlplane.model.Route;
import io.edgeway.controlplane.model.Stored;
import io.edgeway.controlplane.model.Upstream;
import io.edgeway.controlplane.store.ConfigState;
import io.edgeway.proto.v1.Snapshot;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Would a proxy accept this config? Builds the very Snapshot the fleet would receive (through
 * {@link SnapshotBuilder}, the push path's own code) and checks it with the rules of the proxy's compiler,
 * {@code io.edgeway.dataplane.config.RuntimeConfig.from}. The control plane must not depend on the proxy
 * module, so those rules are restated here; SnapshotParityTest runs both over the same snapshots to keep
 * them in step. They matter where the proxy is stricter than the admin API's model: an upstream without
 * targets, or a method the proxy does not take, would otherwise be nacked by every node.
 */
public final class SnapshotCheck {
    // Copied from RuntimeConfig: hosts arrive lower-cased, methods upper-cased, so these are what the proxy sees.
    private static final Pattern HOST = Pattern.compile(
            "(\\*\\.)?[a-z0-9]([a-z0-9-]{0,62})?(\\.[a-z0-9]([a-z0-9-]{0,62})?)*|\\[[0-9a-f:.]+]");
    private static final Pattern TARGET_HOST = Pattern.compile(
            "[A-Za-z0-9]([A-Za-z0-9-]{0,62})?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,62})?)*|\\[?[0-9a-fA-F:.]+]?");
    private static final Pattern METHOD = Pattern.compile("[A-Z][A-Z0-9_-]{0,31}");

    private SnapshotCheck() {}

    /** The snapshot a proxy would receive for {@code config} at {@code version}. */
    public static Snapshot snapshot(Config config, long version) {
        requireNonNull(config, "config");
        Instant t = Instant.EPOCH; // ids and times are not config; any values build the same snapshot
        List<Stored<Upstream>> us = config.upstreams().stream()
                .map(u -> new Stored<>(id("upstream", u.name()), u, t, t)).toList();
        List<Stored<Route>> rs = config.routes().stream()
                .map(r -> new Stored<>(id("route", r.name()), r, t, t)).toList();
        return SnapshotBuilder.build(new ConfigState(version, us, rs)).snapshot();
    }

    /** Every reason a proxy would reject {@code config}, with document paths like {@code upstreams[1].targets}. */
    public static List<FieldError> problems(Config config, long version) {
        Snapshot s = snapshot(config, version);
        List<FieldError> out = new ArrayList<>();
        if (s.getVersion() <= 0) {
            out.add(new FieldError("version", "version: " + s.getVersion() + " (expected: >= 1)"));
        }
        Set<String> upstreams = new HashSet<>();
        for (int i = 0; i < s.getUpstreamsCount(); i++) {
            var u = s.getUpstreams(i);
            String at = "upstreams[" + i + "]";
            check(out, upstreams.add(u.getName()), at + ".name", "name: " + u.getName() + " (expected: unique)");
            check(out, u.getTargetsCount() > 0, at + ".targets",
                    "targets: empty (expected: at least one target; the proxy rejects an upstream without targets)");
            for (int j = 0; j < u.getTargetsCount(); j++) {
                var target = u.getTargets(j);
                String tat = at + ".targets[" + j + "]";
                check(out, TARGET_HOST.matcher(target.getHost()).matches(), tat + ".host",
                        "host: " + target.getHost() + " (expected: a host name or IP address)");
                check(out, target.getPort() >= 1 && target.getPort() <= 65535, tat + ".port",
                        "port: " + target.getPort() + " (expected: 1-65535)");
                check(out, target.getWeight() >= 0, tat + ".weight", "weight: " + target.getWeight() + " (expected: >= 0)");
            }
        }
        Set<String> routes = new HashSet<>();
        for (int i = 0; i < s.getRoutesCount(); i++) {
            var r = s.getRoutes(i);
            String at = "routes[" + i + "]";
            check(out, routes.add(r.getName()), at + ".name", "name: " + r.getName() + " (expected: unique)");
            for (int j = 0; j < r.getHostsCount(); j++) {
                check(out, HOST.matcher(r.getHosts(j).toLowerCase(Locale.ROOT)).matches(), at + ".hosts[" + j + "]",
                        "hosts[" + j + "]: " + r.getHosts(j) + " (expected: a host name or *.suffix)");
            }
            for (int j = 0; j < r.getPathsCount(); j++) {
                check(out, r.getPaths(j).startsWith("/"), at + ".paths[" + j + "]",
                        "paths[" + j + "]: " + r.getPaths(j) + " (expected: a prefix starting with /)");
            }
            for (int j = 0; j < r.getMethodsCount(); j++) {
                check(out, METHOD.matcher(r.getMethods(j)).matches(), at + ".methods[" + j + "]",
                        "methods[" + j + "]: " + r.getMethods(j) + " (expected: an upper-case method such as GET; the proxy takes no other)");
            }
            check(out, upstreams.contains(r.getUpstream()), at + ".upstream",
                    "upstream: " + r.getUpstream() + " (expected: the name of an upstream in this document)");
            var t = r.getTimeouts();
            check(out, t.getConnectMs() >= 0 && t.getFirstByteMs() >= 0 && t.getIdleMs() >= 0, at + ".timeouts",
                    "timeouts: negative (expected: >= 0)");
        }
        return out;
    }

    private static void check(List<FieldError> out, boolean ok, String field, String message) {
        if (!ok) {
            out.add(new FieldError(field, message));
        }
    }

    private static UUID id(String kind, String name) {
        return UUID.nameUUIDFromBytes((kind + "/" + name).getBytes(StandardCharsets.UTF_8));
    }
}
