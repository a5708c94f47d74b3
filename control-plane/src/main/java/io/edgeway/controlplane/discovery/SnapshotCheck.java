package io.edgeway.controlplane.discovery;

import static java.util.Objects.requireNonNull;

import io.edgeway.controlplane.model.Config;
import io.edgeway.controlplane.model.FieldError;
import io.edgeway.controlplane.model.Route;
import io.edgeway.controlplane.model.Stored;
import io.edgeway.controlplane.model.Upstream;
import io.edgeway.controlplane.model.ValidationException;
import io.edgeway.controlplane.site.Deployment;
import io.edgeway.controlplane.store.CachePurgeStore;
import io.edgeway.controlplane.store.ConfigState;
import io.edgeway.dataplane.config.ConfigError;
import io.edgeway.dataplane.config.InvalidConfigException;
import io.edgeway.dataplane.config.RuntimeConfig;
import io.edgeway.dataplane.site.SiteBlobs;
import io.edgeway.dataplane.status.RouteMeters;
import io.edgeway.proto.v1.Snapshot;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

/**
 * Would a proxy accept this config? Builds the very Snapshot the fleet would receive (through
 * {@link SnapshotBuilder}, the push path's own code) and compiles it with the proxy's own compiler,
 * {@link RuntimeConfig#from}. Nothing is committed that every proxy would then reject with a Nack.
 */
public final class SnapshotCheck {
    private SnapshotCheck() {}

    /** The snapshot a proxy would receive for {@code config} at {@code version}, serving {@code sites}' deployments. */
    public static Snapshot snapshot(Config config, long version, List<Deployment> sites) {
        requireNonNull(config, "config");
        Instant t = Instant.EPOCH; // ids and times are not config; any values build the same snapshot
        List<Stored<Upstream>> us = config.upstreams().stream()
                .map(u -> new Stored<>(id("upstream", u.name()), u, t, t, version)).toList();
        List<Stored<Route>> rs = config.routes().stream()
                .map(r -> new Stored<>(id("route", r.name()), r, t, t, version)).toList();
        return SnapshotBuilder.snapshot(new ConfigState(version, us, rs, List.of(), List.of(), Map.of(), List.of(),
                sites, CachePurgeStore.Window.EMPTY, List.of()));
    }

    /**
     * Every reason a proxy would reject {@code config}, with document paths like {@code upstreams[1].targets};
     * {@code sites} are the active deployments of the sites its routes serve (a route naming a site without one
     * is refused: every proxy would reject it).
     */
    public static List<FieldError> problems(Config config, long version, List<Deployment> sites) {
        return compile(snapshot(config, version, sites)).stream().map(e -> new FieldError(
                documentPath(config, e) + "." + e.field(), e.field() + ": " + e.message())).toList();
    }

    /**
     * Refuses a state about to be committed by a single-entity write when a proxy would reject it. The
     * fields are the entity's own ({@code targets}), since that is what the request named.
     */
    public static void verify(ConfigState state) {
        List<ConfigError> errors = compile(SnapshotBuilder.snapshot(state));
        if (!errors.isEmpty()) {
            throw new ValidationException(errors.stream().map(e -> new FieldError(e.field(),
                    e.kind() + " '" + e.name() + "' " + e.field() + ": " + e.message()
                            + " (the proxies would reject this config)")).toList());
        }
    }

    /** The proxy's compiler; every blob counts as present (the control plane holds them, each proxy checks its own). */
    private static List<ConfigError> compile(Snapshot snapshot) {
        try {
            RuntimeConfig.from(snapshot, RuntimeConfig.NONE, RouteMeters.NONE, SiteBlobs.ASSUMED_PRESENT);
            return List.of();
        } catch (InvalidConfigException e) {
            return e.errors();
        }
    }

    private static String documentPath(Config config, ConfigError e) {
        return switch (e.kind()) {
            case "upstream" -> "upstreams[" + indexOf(config.upstreams(), Upstream::name, e.name()) + "]";
            case "route" -> "routes[" + indexOf(config.routes(), Route::name, e.name()) + "]";
            default -> e.kind();
        };
    }

    private static <T> int indexOf(List<T> items, Function<T, String> name, String wanted) {
        for (int i = 0; i < items.size(); i++) {
            if (name.apply(items.get(i)).equals(wanted)) return i;
        }
        return -1;
    }

    private static UUID id(String kind, String name) {
        return UUID.nameUUIDFromBytes((kind + "/" + name).getBytes(StandardCharsets.UTF_8));
    }
}
