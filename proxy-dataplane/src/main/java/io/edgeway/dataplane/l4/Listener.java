package io.edgeway.dataplane.l4;

/** A bound stream port. Its routes are swapped in place; closing it drains what it carries. */
interface Listener {
    /** The routes new connections or sessions on this port see from now on. */
    void routes(PortRoutes routes);

    /** Stops accepting now; open connections get {@code drainMs} to finish, then are closed. */
    void close(long drainMs);
}
