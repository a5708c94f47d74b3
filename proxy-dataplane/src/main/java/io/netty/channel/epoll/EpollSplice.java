package io.netty.channel.epoll;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;

/**
 * Edgeway's access (not Netty code) to the epoll transport's zero-copy relay for TCP stream routes: the kernel
 * moves a socket's bytes into a pipe and from the pipe to the other socket ({@code splice(2)}), so no byte is
 * copied into the JVM and back. Kept in Netty's package for {@link #drainTo}, which needs
 * {@code AbstractEpollChannel.doReadBytes}, which is not public (as {@link HalfClosedEpoll} needs {@code setFlag}).
 *
 * <p>Netty's {@code spliceTo} (deprecated in 4.2 "to be removed in the future", but present and working in
 * 4.2.18; on an upgrade, StreamSpliceTest says whether it still holds) has one trap for a proxy that respects
 * half-close: it fires {@code ChannelInputShutdownEvent} as soon as it has seen the peer's FIN, even when the
 * pipe was full and bytes sent before the FIN are still in the socket. {@link #drainTo} reads those bytes, so
 * the relay passes the FIN on only after them.
 */
public final class EpollSplice {
    private static final int DRAIN_CHUNK = 64 * 1024;

    private EpollSplice() {
    }

    /**
     * Whether {@code from} can be spliced to {@code to}: both epoll TCP channels on one event loop. (spliceTo also
     * wants level-triggered channels; in 4.2 every epoll channel is, EPOLL_MODE being a deprecated no-op.)
     */
    public static boolean possible(Channel from, Channel to) {
        return from instanceof AbstractEpollStreamChannel a && to instanceof AbstractEpollStreamChannel b
                && a.eventLoop() == b.eventLoop();
    }

    /**
     * Splices everything {@code from} reads to {@code to} until one of them closes or fails (the future then
     * fails). Call on their event loop, with {@code from}'s autoRead still off; turn it on afterwards. Netty
     * owns {@code from}'s autoRead from then on: it turns it off while {@code to}'s socket is full.
     */
    @SuppressWarnings("deprecation")
    public static ChannelFuture spliceForever(Channel from, Channel to) {
        return ((AbstractEpollStreamChannel) from).spliceTo((AbstractEpollStreamChannel) to, Integer.MAX_VALUE);
    }

    /**
     * After {@code self}'s FIN: reads what is left in its socket (at most its receive buffer: the kernel queues
     * a FIN only behind every byte sent before it) and writes it to {@code peer}, behind the spliced bytes
     * already queued there. Returns the bytes read. Call on the event loop, from the input-shutdown event.
     */
    public static long drainTo(Channel self, Channel peer) throws Exception {
        AbstractEpollChannel ch = (AbstractEpollChannel) self;
        long total = 0;
        for (;;) {
            ByteBuf buf = self.alloc().directBuffer(DRAIN_CHUNK);
            int n;
            try {
                n = ch.doReadBytes(buf);
            } catch (Exception e) {
                buf.release();
                throw e;
            }
            if (n <= 0) { // -1: the FIN; 0: nothing queued (the FIN was read already)
                buf.release();
                return total;
            }
            total += n;
            peer.write(buf, peer.voidPromise());
        }
    }
}
