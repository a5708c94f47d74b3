package io.edgeway.dataplane.l4;

import io.edgeway.dataplane.balancing.Endpoint;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A relayed client connection once its target is connected: the two channels (same event loop), the target
 * lease and the idle clock. Loop-confined. Idle: a timer every idle timeout checks whether anything was read
 * either way since the last tick, so an idle connection ends between one and two timeouts after its last byte
 * and a busy one pays a field write per read, not a timer reset. A tick that saw no read asks the kernel whether
 * either socket still delivers bytes to its peer ({@link SendProgress}): a slow reader drains what the proxy
 * wrote long before the proxy is woken to write (and read) again, and that is not idle.
 */
final class TcpConnection {
    private final Channel client;
    private final Channel target;
    private final Endpoint endpoint;
    private final ScheduledFuture<?> idle;
    private final long idleMs;
    private boolean touched;
    private boolean released;

    TcpConnection(Channel client, Channel target, Endpoint endpoint, long idleMs) {
        this.client = client;
        this.target = target;
        this.endpoint = endpoint;
        this.idleMs = idleMs;
        this.idle = client.eventLoop().scheduleAtFixedRate(this::idleTick, idleMs, idleMs, TimeUnit.MILLISECONDS);
        client.closeFuture().addListener(f -> ended());
        target.closeFuture().addListener(f -> ended());
    }

    void touched() {
        touched = true;
    }

    private void idleTick() {
        if (!touched && !SendProgress.recent(client, idleMs) && !SendProgress.recent(target, idleMs)) {
            close();
        }
        touched = false;
    }

    /** One side closed: the other gets what was already written to it, then closes. */
    void closeAfterFlush(Channel other) {
        if (other.isActive()) {
            other.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
    }

    void close() {
        client.close();
        target.close();
    }

    private void ended() {
        if (!released) { // the first of the two closes
            released = true;
            idle.cancel(false);
            endpoint.release();
        }
    }
}
