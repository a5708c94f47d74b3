package io.edgeway.controlplane.metrics;

import io.edgeway.controlplane.discovery.Node;
import io.edgeway.controlplane.discovery.NodeLedger;
import io.edgeway.controlplane.discovery.SnapshotCache;
import io.edgeway.controlplane.store.ConfigListener;
import io.edgeway.controlplane.store.Database;

/** The control plane's state read at scrape time: revision, nodes by state, database pool and reachability. */
public final class FleetGauges {
    private FleetGauges() {}

    public static void register(ControlPlaneMetrics m, SnapshotCache cache, NodeLedger ledger, Database db,
            ConfigListener listener) {
        m.gauge("edgeway_cp_config_revision", "The newest config revision this replica serves.", cache::version);
        m.gauge("edgeway_cp_nodes", "Proxies this replica knows, by state (connected counts draining ones too).",
                "state", values -> {
                    double connected = 0;
                    double draining = 0;
                    double disconnected = 0;
                    double behind = 0;
                    long version = cache.version();
                    for (Node n : ledger.list()) {
                        if (!n.connected()) {
                            disconnected++;
                            continue;
                        }
                        connected++;
                        if (n.draining()) {
                            draining++;
                        }
                        if (n.appliedVersion() < version) {
                            behind++;
                        }
                    }
                    values.put("connected", connected);
                    values.put("draining", draining);
                    values.put("disconnected", disconnected);
                    values.put("behind", behind);
                });
        m.gauge("edgeway_cp_database_up", "1 while the database answers this replica (its revision listener read "
                + "within the last three poll intervals), 0 during an outage.", () -> listener.databaseReachable() ? 1 : 0);
        CertificateExpiry certs = new CertificateExpiry(db, listener, m::lastCommitted);
        m.gauge("edgeway_certificate_expiry_timestamp_seconds",
                "When each stored certificate's leaf expires (Unix seconds).", "certificate", certs::fill);
        m.gauge("edgeway_cp_db_pool_connections", "The database pool's connections by state.", "state", values -> {
            int[] p = db.poolState();
            values.put("active", (double) p[0]);
            values.put("idle", (double) p[1]);
            values.put("waiting_threads", (double) p[2]);
        });
    }
}
