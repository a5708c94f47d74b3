package io.edgeway.controlplane.api;

import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;

/**
 * Reads and discards what is left of a refused chunked body before the 413 goes out, as nginx's lingering close
 * does. A server that answers and closes while the client is still sending leaves unread bytes in its socket; the
 * kernel then resets the connection, and the reset can destroy the 413 in the client's receive buffer before the
 * client reads it ("received no bytes"). A declared Content-Length over the limit never gets here: it is refused
 * before a byte is read. Bounded, so a client cannot keep a thread busy with an endless body: past
 * {@link #MAX_BYTES} the connection is closed as before.
 */
final class LingeringDrain {
    static final long MAX_BYTES = 16L * 1024 * 1024;

    private LingeringDrain() {
    }

    static void discardRest(Context ctx) {
        if (ctx.req().getContentLengthLong() >= 0) {
            return;
        }
        byte[] sink = new byte[16 * 1024];
        long read = 0;
        try {
            InputStream in = ctx.req().getInputStream();
            for (int n; read < MAX_BYTES && (n = in.read(sink)) >= 0; ) {
                read += n;
            }
        } catch (IOException | IllegalStateException e) {
            // the client went away or the stream is no longer readable: the answer goes out (or not) as before
        }
    }
}
