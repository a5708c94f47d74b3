package io.edgeway.dataplane.l4;

import static java.util.Objects.requireNonNull;

import io.edgeway.dataplane.config.ApplyStep;
import io.edgeway.dataplane.config.ConfigError;
import io.edgeway.dataplane.config.InvalidConfigException;
import io.edgeway.dataplane.config.RuntimeConfig;
import io.edgeway.proto.v1.Snapshot;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The proxy's stream ports, following the snapshots: a port opens when its first route appears and closes,
 * draining, when its last one goes; in between its routes are swapped in place. Ports are bound before the
 * snapshot is swapped in ({@link #stagePartially}); a port that cannot be bound leaves its routes out of the
 * applied version (quarantined, named in the Ack: issue 22) while every other port is served.
 */
public final class StreamListeners implements ApplyStep, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(StreamListeners.class);

    private final StreamNet net;
    private final StreamSettings settings;
    private final StreamMeters meters;
    private final Map<ListenKey, Listener> open = new HashMap<>(); // guarded by this
    private boolean closed; // guarded by this

    public StreamListeners(StreamNet net, StreamSettings settings, PrometheusRegistry registry) {
        this.net = requireNonNull(net, "net");
        this.settings = requireNonNull(settings, "settings");
        this.meters = new StreamMeters(registry);
    }

    @Override
    public synchronized Runnable stage(Snapshot snapshot, RuntimeConfig config) throws InvalidConfigException {
        Staged staged = stagePartially(snapshot, config);
        if (!staged.quarantined().isEmpty()) {
            throw new InvalidConfigException(staged.quarantined());
        }
        return staged.commit();
    }

    /**
     * Issue 22: a route that is invalid, or whose port cannot be bound, is left out and named; the other ports
     * open (or keep serving) as usual. A port left out this way that was open before closes at the commit like
     * any port no route wants any more.
     */
    @Override
    public synchronized Staged stagePartially(Snapshot snapshot, RuntimeConfig config) {
        List<ConfigError> errors = new ArrayList<>();
        Map<ListenKey, PortRoutes> wanted = new java.util.LinkedHashMap<>(
                StreamRoutes.parse(snapshot, config.upstreams(), meters, errors));
        Map<ListenKey, Listener> bound = new HashMap<>();
        for (Map.Entry<ListenKey, PortRoutes> e : List.copyOf(wanted.entrySet())) {
            if (open.containsKey(e.getKey()) || closed) {
                continue;
            }
            try {
                bound.put(e.getKey(), bind(e.getValue()));
            } catch (Exception ex) { // a BindException, mostly: the port is taken or not ours to take
                if (ex instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
                for (StreamRule r : e.getValue().rules()) {
                    errors.add(new ConfigError(StreamRoutes.KIND, r.name(), "listen_port", "cannot listen on "
                            + net.address() + ":" + e.getKey() + ": " + ex.getMessage()));
                }
                wanted.remove(e.getKey());
            }
        }
        return new Staged(() -> commit(wanted, bound), errors);
    }

    private synchronized void commit(Map<ListenKey, PortRoutes> wanted, Map<ListenKey, Listener> bound) {
        Set<String> names = new HashSet<>();
        wanted.values().forEach(p -> p.rules().forEach(r -> names.add(r.name())));
        for (var it = open.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<ListenKey, Listener> e = it.next();
            PortRoutes routes = wanted.get(e.getKey());
            if (routes != null) {
                e.getValue().routes(routes);
            } else {
                log.info("stream port {} closed: no route listens on it any more (draining {} ms)", e.getKey(),
                        settings.drainTimeout().toMillis());
                e.getValue().close(settings.drainTimeout().toMillis());
                it.remove();
            }
        }
        bound.forEach((k, l) -> log.info("stream port {} open", k));
        open.putAll(bound);
        meters.retain(names);
    }

    private Listener bind(PortRoutes routes) throws InterruptedException {
        return routes.listen().udp() ? UdpListener.bind(net, routes, settings) : TcpListener.bind(net, routes, settings);
    }

    /**
     * Stops accepting on every stream port (SIGTERM's drain): open connections stay in the proxy's client
     * group, which the drain waits on and finally closes.
     */
    public synchronized void stopAccepting() {
        closed = true;
        open.values().forEach(l -> l.close(settings.drainTimeout().toMillis()));
        open.clear();
    }

    @Override
    public synchronized void close() {
        closed = true;
        open.values().forEach(l -> l.close(0));
        open.clear();
    }
}
