-- TLS passthrough (issue 18): TCP stream routes with different snis share one listen port, so the port and
-- protocol pair is no longer unique. StreamRouteStore and the declarative Config check the rule instead
-- (writes are serialised by the revision row's lock): one route per UDP port; on a TCP port, snis that do not
-- overlap and at most one route without snis (the port's default).
ALTER TABLE stream_routes DROP CONSTRAINT stream_routes_listen_port_protocol_key;
