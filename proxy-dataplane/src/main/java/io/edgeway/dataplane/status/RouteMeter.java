package io.edgeway.dataplane.status;

import io.netty.handler.codec.http.HttpMethod;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;

/**
 * One route's metric children, resolved when the config is compiled (see {@link RouteMeters}), so a request
 * costs array indexing, LongAdder increments and per-thread histogram counts: no label strings, no map lookup,
 * no allocation. The request counter's children per method and status class are filled on first use (a
 * benign race: the registry hands every caller the same child).
 */
public final class RouteMeter {
    static final String[] METHODS = {"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "OTHER"};
    /** Index 0 is a request that got no status at all (the client left first: logged as 499 like nginx). */
    static final String[] STATUS_CLASSES = {"other", "1xx", "2xx", "3xx", "4xx", "5xx"};
    /** Measures nothing: routes built without metrics (tests, metrics switched off). After the arrays it sizes by. */
    public static final RouteMeter NONE = new RouteMeter(null, "", "");

    private final Metrics metrics;
    final String route;
    final String upstream;
    private final CounterDataPoint[] requests = new CounterDataPoint[METHODS.length * STATUS_CLASSES.length];
    private final LoopHistogram duration;
    private final LoopHistogram connect;
    private final LoopHistogram firstByte;
    private final CounterDataPoint bytesIn;
    private final CounterDataPoint bytesOut;
    // Made on first use: most routes never refuse anything, and an untouched route adds no line to the page.
    private CounterDataPoint rateLimited;
    private CounterDataPoint bodyTooLarge;

    RouteMeter(Metrics metrics, String route, String upstream) {
        this.metrics = metrics;
        this.route = route;
        this.upstream = upstream;
        boolean on = metrics != null;
        duration = on ? metrics.duration.labelValue(route) : null;
        connect = on ? metrics.connect.labelValue(route) : null;
        firstByte = on ? metrics.firstByte.labelValue(route) : null;
        bytesIn = on ? metrics.bytesIn.labelValues(route) : null;
        bytesOut = on ? metrics.bytesOut.labelValues(route) : null;
    }

    public String route() {
        return route;
    }

    /** A request is over: its answer's status (0 if none was sent), total time, body bytes in and out. */
    public void request(HttpMethod method, int status, long nanos, long bodyIn, long bodyOut) {
        if (metrics == null) {
            return;
        }
        int i = methodIndex(method) * STATUS_CLASSES.length + statusClass(status);
        CounterDataPoint c = requests[i];
        if (c == null) {
            c = metrics.requests.labelValues(route, upstream, METHODS[i / STATUS_CLASSES.length],
                    STATUS_CLASSES[i % STATUS_CLASSES.length]);
            requests[i] = c;
        }
        c.inc();
        duration.observe(nanos);
        if (bodyIn > 0) {
            bytesIn.inc(bodyIn);
        }
        if (bodyOut > 0) {
            bytesOut.inc(bodyOut);
        }
    }

    /** The route's rate limit refused a request (429) or a gRPC call (RESOURCE_EXHAUSTED). */
    public void rateLimited() {
        if (metrics != null) {
            CounterDataPoint c = rateLimited;
            if (c == null) {
                c = metrics.rateLimited.labelValues(route); // a benign race, as for the request counters
                rateLimited = c;
            }
            c.inc();
        }
    }

    /** The route's max_body_bytes refused a request (413) or a gRPC call (RESOURCE_EXHAUSTED). */
    public void bodyTooLarge() {
        if (metrics != null) {
            CounterDataPoint c = bodyTooLarge;
            if (c == null) {
                c = metrics.bodyTooLarge.labelValues(route);
                bodyTooLarge = c;
            }
            c.inc();
        }
    }

    /** A new connection to a target of this route was opened in {@code nanos}. */
    public void connected(long nanos) {
        if (connect != null) {
            connect.observe(nanos);
        }
    }

    /** The target's final response head came {@code nanos} after the request went to it. */
    public void firstByte(long nanos) {
        if (firstByte != null) {
            firstByte.observe(nanos);
        }
    }

    /**
     * Takes this meter's children out of the page: its (route, upstream) left the config. The series labelled by
     * the route alone go too only when {@code routeGone}; otherwise the route's meter for its new upstream uses them.
     */
    void remove(boolean routeGone) {
        if (metrics == null) {
            return;
        }
        for (int i = 0; i < requests.length; i++) {
            if (requests[i] != null) {
                metrics.requests.remove(route, upstream, METHODS[i / STATUS_CLASSES.length],
                        STATUS_CLASSES[i % STATUS_CLASSES.length]);
            }
        }
        if (!routeGone) {
            return;
        }
        metrics.duration.remove(route);
        metrics.connect.remove(route);
        metrics.firstByte.remove(route);
        metrics.bytesIn.remove(route);
        metrics.bytesOut.remove(route);
        metrics.rateLimited.remove(route);
        metrics.bodyTooLarge.remove(route);
    }

    static int statusClass(int status) {
        int c = status / 100;
        return c >= 1 && c <= 5 ? c : 0;
    }

    /** Netty's decoder hands out its constants for the common methods: identity comparison is enough. */
    static int methodIndex(HttpMethod m) {
        if (m == HttpMethod.GET) {
            return 0;
        } else if (m == HttpMethod.HEAD) {
            return 1;
        } else if (m == HttpMethod.POST) {
            return 2;
        } else if (m == HttpMethod.PUT) {
            return 3;
        } else if (m == HttpMethod.DELETE) {
            return 4;
        } else if (m == HttpMethod.PATCH) {
            return 5;
        } else if (m == HttpMethod.OPTIONS) {
            return 6;
        }
        return 7;
    }
}
