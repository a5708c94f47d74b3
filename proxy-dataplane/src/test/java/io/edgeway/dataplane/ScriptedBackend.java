package io.edgeway.dataplane;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * An HTTP/1.1 target on loopback that decodes requests with Netty but writes its answers as literal bytes,
 * so a test controls exactly what the proxy receives: {@code /continue} sends 100 Continue on the head and
 * answers once the body arrived; {@code /reject} answers 417 on the head without reading a body;
 * {@code /early} sends 103 Early Hints before its answer; HEAD gets a Content-Length and no body;
 * {@code /trailers} answers chunked with a trailer; {@code /echo} sends the body back, chunked (with the
 * request's trailers as {@code X-Got-*} trailers) when it came chunked, with a Content-Length otherwise.
 * What each request looked like on arrival is kept in {@link #seen}, by path.
 */
final class ScriptedBackend implements AutoCloseable {
    /** A request as the target saw it; {@code complete} once its end arrived. */
    record Seen(HttpRequest head, byte[] body, Map<String, String> trailers, boolean complete) {}

    final Map<String, Seen> seen = new ConcurrentHashMap<>();
    /** Every request head that arrived, as "METHOD uri", in the order the target parsed them. */
    final List<String> arrived = new CopyOnWriteArrayList<>();
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel server;

    /**
     * Responses whose framing a client could read otherwise than the proxy (issue 12): each must become a
     * 502, never a relayed body.
     */
    static final Map<String, String> BAD_FRAMING = Map.of(
            "/bad-framing/connection-names-content-length",
            "HTTP/1.1 200 OK\r\nConnection: Content-Length\r\nContent-Length: 5\r\n\r\nhello",
            "/bad-framing/connection-names-transfer-encoding",
            "HTTP/1.1 200 OK\r\nConnection: keep-alive, Transfer-Encoding\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "5\r\nhello\r\n0\r\n\r\n",
            "/bad-framing/content-length-and-chunked",
            "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
            "/bad-framing/gzip-then-chunked",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
            "/bad-framing/chunked-then-gzip",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\n5\r\nhello\r\n0\r\n\r\n");

    ScriptedBackend() throws InterruptedException {
        server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new HttpRequestDecoder()).addLast(new Handler());
                    }
                })
                .bind("127.0.0.1", 0).sync().channel();
    }

    int port() {
        return ((java.net.InetSocketAddress) server.localAddress()).getPort();
    }

    private final class Handler extends ChannelInboundHandlerAdapter {
        private HttpRequest head;
        private final ByteArrayOutputStream body = new ByteArrayOutputStream();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof HttpRequest req) {
                    head = req;
                    body.reset();
                    String path = req.uri();
                    arrived.add(req.method() + " " + path);
                    seen.put(path, new Seen(req, new byte[0], Map.of(), false));
                    if (path.startsWith("/continue") && HttpUtil.is100ContinueExpected(req)) {
                        send(ctx, "HTTP/1.1 100 Continue\r\n\r\n");
                    } else if (path.startsWith("/reject")) {
                        send(ctx, "HTTP/1.1 417 Expectation Failed\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
                    }
                }
                if (msg instanceof HttpContent c) {
                    body.writeBytes(ByteBufUtil.getBytes(c.content()));
                    if (msg instanceof LastHttpContent last) {
                        Map<String, String> trailers = new java.util.LinkedHashMap<>();
                        last.trailingHeaders().forEach(e -> trailers.put(e.getKey().toLowerCase(), e.getValue()));
                        seen.put(head.uri(), new Seen(head, body.toByteArray(), trailers, true));
                        answer(ctx, trailers);
                    }
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        private void answer(ChannelHandlerContext ctx, Map<String, String> trailers) {
            String path = head.uri();
            if (path.startsWith("/reject")) {
                return; // answered on the head
            }
            if (head.method().name().equals("HEAD")) {
                send(ctx, "HTTP/1.1 200 OK\r\nContent-Length: 1234\r\nContent-Type: text/plain\r\n\r\n");
            } else if (path.startsWith("/early")) {
                send(ctx, "HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n"
                        + "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
            } else if (BAD_FRAMING.containsKey(path)) {
                send(ctx, BAD_FRAMING.get(path));
            } else if (path.startsWith("/trailers")) {
                send(ctx, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-Checksum\r\n\r\n"
                        + "5\r\nhello\r\n6\r\n world\r\n0\r\nX-Checksum: abc\r\n\r\n");
            } else if (HttpUtil.isTransferEncodingChunked(head)) {
                StringBuilder t = new StringBuilder();
                trailers.forEach((k, v) -> t.append("X-Got-").append(k).append(": ").append(v).append("\r\n"));
                byte[] b = body.toByteArray();
                send(ctx, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + Integer.toHexString(b.length)
                        + "\r\n" + new String(b, StandardCharsets.ISO_8859_1) + "\r\n0\r\n" + t + "\r\n");
            } else {
                byte[] b = body.toByteArray();
                send(ctx, "HTTP/1.1 200 OK\r\nContent-Length: " + b.length + "\r\n\r\n"
                        + new String(b, StandardCharsets.ISO_8859_1));
            }
        }

        private void send(ChannelHandlerContext ctx, String bytes) {
            ByteBuf buf = Unpooled.copiedBuffer(bytes, StandardCharsets.ISO_8859_1);
            ctx.writeAndFlush(buf);
        }
    }

    @Override
    public void close() throws InterruptedException {
        server.close().sync();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }
}
