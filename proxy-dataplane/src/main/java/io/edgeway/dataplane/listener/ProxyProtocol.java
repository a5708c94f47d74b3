package io.edgeway.dataplane.listener;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PROXY protocol (HAProxy's, v1 text and v2 binary) in front of any listener's pipeline, HTTP, TLS or
 * TCP: {@link #install} puts it first. From a peer in {@code EDGEWAY_PROXY_PROTOCOL_FROM} the connection
 * must start with a header (Netty's {@link HAProxyMessageDecoder}); its source address becomes the
 * {@link ClientAddress}, and only then does the rest of the pipeline see the connection as active. A missing,
 * malformed, oversized or late header closes the connection. {@code LOCAL} (v2) and {@code UNKNOWN} (v1),
 * which a balancer sends for its own health checks, keep the peer's address, as the specification says.
 * From any other peer a header is refused: the connection is closed, so nobody can claim an address.
 */
public final class ProxyProtocol {
    private static final Logger log = LoggerFactory.getLogger(ProxyProtocol.class);
    /** TLVs are skipped, but at most this many bytes of them: a v2 header is then at most about 4 KiB. */
    static final int MAX_TLV_BYTES = 4096;
    private static final byte[] V1 = "PROXY ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] V2 = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};

    private ProxyProtocol() {}

    /** Call after the listener's handlers are added: puts the PROXY protocol handlers in front of them. */
    public static void install(ChannelPipeline p, TrustedProxies from, long headerTimeoutMs) {
        if (from == TrustedProxies.NONE) {
            return;
        }
        InetAddress peer = p.channel().remoteAddress() instanceof InetSocketAddress isa ? isa.getAddress() : null;
        if (peer != null && from.contains(peer)) {
            p.addFirst("proxy-protocol", new Expect(headerTimeoutMs));
            p.addFirst("proxy-protocol-decoder", new HAProxyMessageDecoder(MAX_TLV_BYTES));
        } else {
            p.addFirst("proxy-protocol-refusal", new Refuse());
        }
    }

    /** A trusted peer's connection: waits for the header, then lets the pipeline start. */
    static final class Expect extends ChannelInboundHandlerAdapter {
        private final long timeoutMs;
        private ScheduledFuture<?> timeout;
        private boolean started;

        Expect(long timeoutMs) {
            this.timeoutMs = timeoutMs;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            // Not passed on yet: the handlers after this one read the client address when they start.
            timeout = ctx.executor().schedule(() -> {
                log.debug("no PROXY protocol header from {} in time: closing", ctx.channel().remoteAddress());
                ctx.close();
            }, timeoutMs, TimeUnit.MILLISECONDS);
            ctx.read();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (!(msg instanceof HAProxyMessage header)) {
                ReferenceCountUtil.release(msg); // cannot happen: the decoder passes nothing before the header
                ctx.close();
                return;
            }
            InetSocketAddress client;
            try {
                client = clientOf(header, ctx);
            } finally {
                header.release();
            }
            if (client == null) {
                ctx.close();
                return;
            }
            timeout.cancel(false);
            ctx.channel().attr(ClientAddress.KEY).set(client);
            started = true;
            ctx.pipeline().remove(this);
            ctx.fireChannelActive(); // the decoder then hands on the bytes after the header
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            if (!started) {
                ctx.read(); // AUTO_READ is off: the header's rest is still on its way
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (timeout != null) {
                timeout.cancel(false);
            }
            // Not passed on: the rest of the pipeline never saw this connection start.
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            log.debug("bad PROXY protocol header from {}: {}", ctx.channel().remoteAddress(), cause.toString());
            ctx.close();
        }

        /** The header's source, the peer for LOCAL/UNKNOWN, or {@code null} (close) for anything else. */
        private static InetSocketAddress clientOf(HAProxyMessage h, ChannelHandlerContext ctx) {
            if (h.command() == HAProxyCommand.LOCAL) {
                return (InetSocketAddress) ctx.channel().remoteAddress();
            }
            switch (h.proxiedProtocol()) {
                case UNKNOWN:
                    return (InetSocketAddress) ctx.channel().remoteAddress();
                case TCP4:
                case TCP6:
                    try {
                        // an IP literal the decoder checked: no name lookup
                        return new InetSocketAddress(InetAddress.getByName(h.sourceAddress()), h.sourcePort());
                    } catch (UnknownHostException | IllegalArgumentException e) {
                        return null;
                    }
                default: // UDP or a UNIX socket in front of an HTTP/TCP listener: nothing we can use
                    return null;
            }
        }
    }

    /** An untrusted peer's connection: closed if it starts with a PROXY header, else left alone. */
    static final class Refuse extends ChannelInboundHandlerAdapter {
        private ByteBuf seen = Unpooled.EMPTY_BUFFER;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (!(msg instanceof ByteBuf in)) {
                ctx.fireChannelRead(msg);
                return;
            }
            seen = seen.isReadable() ? Unpooled.wrappedBuffer(seen, in) : in;
            int verdict = Math.max(match(seen, V1), match(seen, V2));
            if (verdict == FULL) {
                log.debug("PROXY protocol header from untrusted {}: closing", ctx.channel().remoteAddress());
                release();
                ctx.close();
            } else if (verdict == NONE) {
                ByteBuf pass = seen;
                seen = Unpooled.EMPTY_BUFFER;
                ctx.pipeline().remove(this);
                ctx.fireChannelRead(pass);
            } else {
                ctx.read(); // the first bytes could still be a header: wait for the rest of the signature
            }
        }

        @Override
        public void handlerRemoved(ChannelHandlerContext ctx) {
            release();
        }

        private void release() {
            if (seen != Unpooled.EMPTY_BUFFER) {
                seen.release();
                seen = Unpooled.EMPTY_BUFFER;
            }
        }

        private static final int NONE = 0;
        private static final int PARTIAL = 1;
        private static final int FULL = 2;

        private static int match(ByteBuf buf, byte[] signature) {
            int n = Math.min(buf.readableBytes(), signature.length);
            for (int i = 0; i < n; i++) {
                if (buf.getByte(buf.readerIndex() + i) != signature[i]) {
                    return NONE;
                }
            }
            return n == signature.length ? FULL : PARTIAL;
        }
    }
}
