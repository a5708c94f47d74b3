package io.edgeway.dataplane.routing;

/**
 * Hears every step of one {@link RouteTable#explain} lookup, in the order the proxy takes them. The hot path
 * ({@link RouteTable#match}) runs the same loop with no trace, so the explanation cannot drift from what the
 * proxy does; a trace only observes (it is never asked anything).
 */
public interface RouteTrace {
    /** The kinds of host bucket, in lookup order. */
    enum Bucket { EXACT, WILDCARD, ANY }

    /**
     * A host bucket is looked at: {@code key} is the exact host, the wildcard ({@code *.example.com}) or
     * {@code *} for routes without hosts; {@code present} tells whether any route names it.
     */
    void bucket(Bucket kind, String key, boolean present);

    /** A regex path of the bucket was tried (in snapshot order): did the path match, and does the route take the method. */
    void regex(RouteRule route, String regex, boolean pathMatches, boolean methodAllowed);

    /**
     * A prefix route was considered, longest prefix first ({@code prefix} "" for a route without paths): it won
     * when {@code methodAllowed}. Routes of one prefix come in snapshot order.
     */
    void prefix(RouteRule route, String prefix, boolean methodAllowed);
}
