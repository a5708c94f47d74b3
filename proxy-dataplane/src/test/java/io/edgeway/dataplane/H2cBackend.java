package io.edgeway.dataplane;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP/2 server on loopback that speaks h2c with prior knowledge only: an HTTP/1.1 request is a
 * protocol error to it, so every answer proves the proxy relayed over HTTP/2. Routes by path:
 * {@code /echo} streams each DATA frame back as it arrives and ends with trailers (the body's byte count
 * plus the request's trailers); {@code /big?n} sends n bytes as the stream window allows; {@code /hold?n}
 * answers once n such streams are open at the same time; {@code /early} sends 103 Early Hints first; HEAD
 * gets a Content-Length and no body; anything else a short text naming what it saw.
 */
final class H2cBackend implements AutoCloseable {
    final AtomicInteger connections = new AtomicInteger();
    final AtomicInteger streams = new AtomicInteger();
    volatile Http2Headers lastHeaders;
    private final List<ChannelHandlerContext> held = new ArrayList<>(); // guarded by itself
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel server;

    H2cBackend(int maxConcurrentStreams) throws InterruptedException {
        server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        connections.incrementAndGet();
                        ch.pipeline()
                                .addLast(Http2FrameCodecBuilder.forServer().initialSettings(
                                        Http2Settings.defaultSettings().maxConcurrentStreams(maxConcurrentStreams))
                                        .build())
                                .addLast(new Http2MultiplexHandler(new ChannelInitializer<Channel>() {
                                    @Override
                                    protected void initChannel(Channel stream) {
                                        stream.pipeline().addLast(new StreamHandler());
                                    }
                                }));
                    }
                })
                .bind("127.0.0.1", 0).sync().channel();
    }

    int port() {
        return ((java.net.InetSocketAddress) server.localAddress()).getPort();
    }

    private final class StreamHandler extends ChannelInboundHandlerAdapter {
        private String path;
        private long bytes;
        private long toSend;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof Http2HeadersFrame h && path == null) {
                    onHead(ctx, h);
                } else if (msg instanceof Http2DataFrame d && path.startsWith("/echo")) {
                    bytes += d.content().readableBytes();
                    if (d.content().isReadable()) {
                        ctx.writeAndFlush(new DefaultHttp2DataFrame(d.content().retain(), false));
                    }
                    if (d.isEndStream()) {
                        endEcho(ctx, null);
                    }
                } else if (msg instanceof Http2HeadersFrame trailers && path.startsWith("/echo")) {
                    endEcho(ctx, trailers.headers());
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        private void onHead(ChannelHandlerContext ctx, Http2HeadersFrame h) {
            streams.incrementAndGet();
            lastHeaders = h.headers();
            path = String.valueOf(h.headers().path());
            String method = String.valueOf(h.headers().method());
            if (method.equals("HEAD")) {
                ctx.writeAndFlush(new DefaultHttp2HeadersFrame(
                        new DefaultHttp2Headers().status("200").set("content-length", "1234"), true));
            } else if (path.startsWith("/echo")) {
                ctx.writeAndFlush(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().status("200"), false));
                if (h.isEndStream()) {
                    endEcho(ctx, null);
                }
            } else if (path.startsWith("/big")) {
                toSend = Long.parseLong(path.substring(path.indexOf('?') + 1));
                ctx.write(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().status("200")
                        .setLong("content-length", toSend), false));
                sendMore(ctx);
            } else if (path.startsWith("/hold")) {
                int n = Integer.parseInt(path.substring(path.indexOf('?') + 1));
                synchronized (held) {
                    held.add(ctx);
                    if (held.size() >= n) {
                        held.forEach(c -> text(c, "held"));
                        held.clear();
                    }
                }
            } else if (path.startsWith("/early")) {
                ctx.write(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().status("103")
                        .set("link", "</style.css>; rel=preload"), false));
                text(ctx, "ok");
            } else {
                text(ctx, "h2:" + method + " " + path + " authority=" + h.headers().authority());
            }
        }

        private void text(ChannelHandlerContext ctx, String body) {
            byte[] b = body.getBytes(StandardCharsets.UTF_8);
            ctx.write(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().status("200")
                    .setInt("content-length", b.length).set("server", "h2c-backend"), false));
            ctx.writeAndFlush(new DefaultHttp2DataFrame(Unpooled.wrappedBuffer(b), true));
        }

        private void endEcho(ChannelHandlerContext ctx, Http2Headers requestTrailers) {
            Http2Headers t = new DefaultHttp2Headers().setLong("x-body-bytes", bytes);
            if (requestTrailers != null) {
                requestTrailers.forEach(e -> t.add("x-got-" + e.getKey(), e.getValue()));
            }
            ctx.writeAndFlush(new DefaultHttp2HeadersFrame(t, true));
        }

        /** As much as the stream's window takes; the rest when it opens again. */
        private void sendMore(ChannelHandlerContext ctx) {
            while (toSend > 0 && ctx.channel().isWritable()) {
                int n = (int) Math.min(16 * 1024, toSend);
                toSend -= n;
                ByteBuf chunk = ctx.alloc().buffer(n).writeZero(n);
                ctx.write(new DefaultHttp2DataFrame(chunk, toSend == 0));
            }
            ctx.flush();
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            if (toSend > 0) {
                sendMore(ctx);
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        server.close().sync();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }
}
