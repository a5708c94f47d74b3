package io.edgeway.dataplane;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.codec.http2.Http2StreamFrame;
import java.io.ByteArrayOutputStream;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** A raw HTTP/2 client with prior knowledge (the JDK client cannot do that), on Netty's frame codec. */
final class H2PriorKnowledgeClient implements AutoCloseable {
    record Response(String status, byte[] body) {}

    final CompletableFuture<Long> goAwayError = new CompletableFuture<>();
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    final Channel channel;

    H2PriorKnowledgeClient(int port) throws InterruptedException {
        channel = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(Http2FrameCodecBuilder.forClient().build())
                                .addLast(new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()))
                                .addLast(new ChannelInboundHandlerAdapter() {
                                    @Override
                                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                        if (msg instanceof Http2GoAwayFrame g) {
                                            goAwayError.complete(g.errorCode());
                                        }
                                        io.netty.util.ReferenceCountUtil.release(msg);
                                    }
                                });
                    }
                })
                .connect("127.0.0.1", port).sync().channel();
    }

    CompletableFuture<Response> send(String method, String authority, String path, byte[] body)
            throws InterruptedException {
        return send(method, authority, path, body, false);
    }

    /** {@code endInData}: END_STREAM on a DATA frame even when the body is empty (as some clients do). */
    CompletableFuture<Response> send(String method, String authority, String path, byte[] body, boolean endInData)
            throws InterruptedException {
        CompletableFuture<Response> result = new CompletableFuture<>();
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        String[] status = new String[1];
        Http2StreamChannel stream = new Http2StreamChannelBootstrap(channel)
                .handler(new SimpleChannelInboundHandler<Http2StreamFrame>() {
                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, Http2StreamFrame f) {
                        boolean end = false;
                        if (f instanceof Http2HeadersFrame h) {
                            if (status[0] == null) {
                                status[0] = String.valueOf(h.headers().status());
                            }
                            end = h.isEndStream();
                        } else if (f instanceof Http2DataFrame d) {
                            got.writeBytes(ByteBufUtil.getBytes(d.content()));
                            end = d.isEndStream();
                        }
                        if (end) {
                            result.complete(new Response(status[0], got.toByteArray()));
                        }
                    }

                    @Override
                    public void channelInactive(ChannelHandlerContext ctx) {
                        result.completeExceptionally(new IllegalStateException("stream closed, status " + status[0]));
                    }
                }).open().sync().getNow();
        Http2Headers h = new DefaultHttp2Headers().method(method).path(path).scheme("http").authority(authority);
        boolean noBody = body == null || body.length == 0;
        stream.write(new DefaultHttp2HeadersFrame(h, noBody && !endInData));
        if (!noBody || endInData) {
            stream.write(new DefaultHttp2DataFrame(Unpooled.wrappedBuffer(body == null ? new byte[0] : body), true));
        }
        stream.flush();
        return result;
    }

    /** Opens {@code n} streams and cancels each right away: the CVE-2023-44487 pattern. */
    void rapidReset(String authority, int n) throws InterruptedException {
        for (int i = 0; i < n && channel.isActive(); i++) {
            var open = new Http2StreamChannelBootstrap(channel).handler(new ChannelInboundHandlerAdapter()).open()
                    .awaitUninterruptibly();
            if (!open.isSuccess()) {
                return; // the server has had enough and closed the connection
            }
            Http2StreamChannel stream = open.getNow();
            stream.write(new DefaultHttp2HeadersFrame(
                    new DefaultHttp2Headers().method("GET").path("/").scheme("http").authority(authority), false));
            stream.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.CANCEL));
        }
    }

    static long enhanceYourCalm() {
        return Http2Error.ENHANCE_YOUR_CALM.code();
    }

    @Override
    public void close() throws InterruptedException {
        channel.close().sync();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }
}
