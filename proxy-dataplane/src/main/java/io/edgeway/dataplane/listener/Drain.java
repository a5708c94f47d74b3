package io.edgeway.dataplane.listener;

import io.netty.channel.Channel;
import io.netty.channel.group.ChannelGroup;

/**
 * The proxy's scale-in state, shared by the status port and every client connection. Two steps, because a
 * load balancer needs time to notice: {@link #begin} only turns {@code /readyz} to 503 while traffic keeps
 * being served normally; {@link #closeConnections}, after the drain delay and once the listener is closed,
 * makes every connection finish its current exchange with {@code Connection: close} and closes idle ones.
 */
public final class Drain {
    /** The user event that tells one connection's {@link DrainHandler} to close when idle. */
    public static final Object CLOSE_WHEN_IDLE = new Object() {
        @Override
        public String toString() {
            return "CLOSE_WHEN_IDLE";
        }
    };

    private volatile boolean begun;
    private volatile boolean closing;

    public void begin() {
        begun = true;
    }

    public boolean begun() {
        return begun;
    }

    boolean closing() {
        return closing;
    }

    /** Runs on any thread; each connection reacts on its own event loop. */
    public void closeConnections(ChannelGroup clients) {
        begun = true;
        closing = true; // set before the walk: a connection registered during it sees the flag instead
        for (Channel ch : clients) {
            ch.pipeline().fireUserEventTriggered(CLOSE_WHEN_IDLE);
        }
    }

    /** One per client connection, between the HTTP codec and the frontend. */
    public DrainHandler newHandler() {
        return new DrainHandler(this);
    }
}
