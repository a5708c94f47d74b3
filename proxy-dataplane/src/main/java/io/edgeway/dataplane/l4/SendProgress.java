package io.edgeway.dataplane.l4;

import io.netty.channel.Channel;
import io.netty.channel.ChannelException;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.epoll.EpollTcpInfo;

/**
 * Whether a stream socket's peer is still taking bytes, asked of the kernel (TCP_INFO). Why: the idle clock is
 * fed by reads, and while one direction waits for a slow reader the proxy reads nothing from that direction's
 * source; it only writes (and so reads) again once the socket to the reader has freed a third or so of its send
 * buffer, which Linux autotunes up to 4 MB. A reader taking 64 KiB every 300 ms frees that in seconds, so after
 * the other direction had finished (its FIN relayed, no more reads there) a 1 s idle timeout cut a stream whose
 * bytes were moving all along. The kernel sees every segment it sends as the reader's window opens.
 */
final class SendProgress {
    private SendProgress() {
    }

    /**
     * True when {@code ch} sent data and got an ACK within the last {@code withinMs}: the peer read and made room.
     * Both are needed: a peer that stopped reading (zero window) only answers probes, which carry no data, and a
     * dead peer gets retransmissions but sends no ACK, so neither counts as moving. Off epoll: false (no TCP_INFO
     * here; the read clock alone decides, as before).
     */
    static boolean recent(Channel ch, long withinMs) {
        if (!(ch instanceof EpollSocketChannel e) || !e.isActive()) {
            return false;
        }
        try {
            EpollTcpInfo info = e.tcpInfo();
            return info.lastDataSent() < withinMs && info.lastAckRecv() < withinMs;
        } catch (ChannelException closed) {
            return false;
        }
    }
}
