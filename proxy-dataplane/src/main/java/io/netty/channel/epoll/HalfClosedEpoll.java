package io.netty.channel.epoll;

import io.netty.channel.Channel;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Edgeway's workaround (not Netty code) for a data-loss bug in Netty 4.2.18's epoll transport, kept in Netty's
 * package because the fix needs {@code AbstractEpollChannel.setFlag}, which is not public.
 *
 * <p>The bug: {@code EpollIoHandler.DefaultEpollIoRegistration.submit} removes a channel's fd from epoll
 * ({@code EPOLL_CTL_DEL}) when its interest set becomes empty, but leaves the registration in its "added"
 * state, so the next non-empty interest is sent as {@code EPOLL_CTL_MOD} and fails with ENOENT. A channel whose
 * input is shut (ALLOW_HALF_CLOSURE, the peer sent its FIN) has no EPOLLIN or EPOLLRDHUP interest left; once
 * its writes drain, EPOLLOUT is cleared too and the fd leaves epoll. The next write that fills the socket
 * buffer sets EPOLLOUT, the MOD fails, and Netty fails the flush: it shuts the output and discards every
 * queued byte, so the reader sees a clean FIN after a gap (issue 18). Whether a later Netty fixes it is not
 * known here (4.2.19/4.2.20 have no linux-x86_64 native epoll artifact in our registry, see STACK.md); on an
 * upgrade, read the new {@code submit}: if it resets the state after the DEL, this class can go, and
 * StreamHalfCloseTest says whether the relay still holds without it.
 *
 * <p>The workaround: once a channel's input is shut, add EPOLLET to its interest set. The set is then never
 * empty, so Netty never deletes the fd and EPOLLOUT keeps working. EPOLLET reports no event of its own; it
 * makes the remaining interests edge-triggered, which is safe here: EPOLLIN is no longer used (the input is
 * at EOF; a spliced channel's EPOLLIN may be set again by Netty's splice, and edge-triggered it reports the EOF
 * once instead of waking the loop on every wait, see EpollSplice), EPOLLOUT is set only after a write met a full buffer (the kernel reports the next free space as a
 * new edge), and EPOLLERR/EPOLLHUP are reported once instead of waking the loop on every wait.
 */
public final class HalfClosedEpoll {
    private HalfClosedEpoll() {
    }

    /**
     * Keeps {@code ch}'s fd in epoll after its input was shut. Call on its event loop, from the
     * {@code ChannelInputShutdownEvent} (Netty still has EPOLLRDHUP set then, so the fd is still in epoll).
     * A no-op for other transports. An epoll failure is fired down the pipeline, as Netty does.
     */
    public static void keepRegistered(Channel ch) {
        if (!(ch instanceof AbstractEpollChannel epoll) || !epoll.isRegistered() || !epoll.isOpen()) {
            return;
        }
        try {
            epoll.setFlag(Native.EPOLLET);
        } catch (IOException | UncheckedIOException e) {
            epoll.pipeline().fireExceptionCaught(e);
        }
    }
}
