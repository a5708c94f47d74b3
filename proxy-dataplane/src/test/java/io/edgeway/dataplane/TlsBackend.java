package io.edgeway.dataplane;

import io.edgeway.dataplane.tls.SelfSigned;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;

/**
 * A real server on loopback that speaks HTTPS (HTTP/1.1 or h2 by ALPN) with a self-signed certificate, and
 * plain HTTP/1.1 or h2c on the same port (it looks at the first bytes), so a test can tell which one the
 * proxy used. Each answer and {@link #requests} name it: {@code tls alpn=<protocol> sni=<name> GET /path},
 * {@code plain GET /path} or {@code plain-h2 GET /path}. {@link #raw} keeps every byte received, to prove nothing was sent in clear.
 */
final class TlsBackend implements AutoCloseable {
    final List<String> requests = new CopyOnWriteArrayList<>();
    final StringBuffer raw = new StringBuffer();
    final SelfSigned.Pem cert;
    private final SslContext context;
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel server;

    TlsBackend(String... dnsNames) throws Exception {
        cert = SelfSigned.create("EC", List.of(dnsNames), java.time.Duration.ofDays(2));
        context = SslContextBuilder.forServer(
                        new ByteArrayInputStream(cert.certChainPem().getBytes(StandardCharsets.US_ASCII)),
                        new ByteArrayInputStream(cert.privateKeyPem().getBytes(StandardCharsets.US_ASCII)))
                .sslProvider(SslProvider.JDK) // its session tells the SNI the client sent
                .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                        ApplicationProtocolNames.HTTP_2, ApplicationProtocolNames.HTTP_1_1))
                .build();
        server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new Sniff()).addLast(new Detect()).addLast(new Quiet());
                    }
                })
                .bind("127.0.0.1", 0).sync().channel();
    }

    int port() {
        return ((java.net.InetSocketAddress) server.localAddress()).getPort();
    }

    /** Copies every received byte into {@link #raw}, then passes it on. */
    private final class Sniff extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof ByteBuf b) {
                raw.append(b.toString(b.readerIndex(), b.readableBytes(), StandardCharsets.ISO_8859_1));
            }
            ctx.fireChannelRead(msg);
        }
    }

    /** A refused handshake (the proxy's doing, on purpose in some tests) just closes the connection. */
    private static final class Quiet extends ChannelInboundHandlerAdapter {
        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    /** TLS or plaintext, from the first bytes. */
    private final class Detect extends ByteToMessageDecoder {
        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
            if (in.readableBytes() < 5) {
                return;
            }
            ChannelPipeline p = ctx.pipeline();
            if (SslHandler.isEncrypted(in, false)) {
                p.addAfter(ctx.name(), "alpn", new Alpn());
                p.addAfter(ctx.name(), "tls", context.newHandler(ctx.alloc()));
            } else if (in.toString(in.readerIndex(), 5, StandardCharsets.US_ASCII).equals("PRI *")) {
                p.addAfter(ctx.name(), "h2", new H2("plain-h2")); // h2c with prior knowledge
                p.addAfter(ctx.name(), "codec", Http2FrameCodecBuilder.forServer().build());
            } else {
                p.addAfter(ctx.name(), "h1", new H1("plain"));
                p.addAfter(ctx.name(), "agg", new HttpObjectAggregator(1 << 20));
                p.addAfter(ctx.name(), "codec", new HttpServerCodec());
            }
            p.remove(this);
        }
    }

    /** After the handshake: HTTP/1.1 or h2 by the negotiated protocol. */
    private final class Alpn extends ChannelInboundHandlerAdapter {
        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof SslHandshakeCompletionEvent e && e.isSuccess()) {
                SslHandler ssl = ctx.pipeline().get(SslHandler.class);
                String alpn = ssl.applicationProtocol() == null ? "none" : ssl.applicationProtocol();
                String sni = ((ExtendedSSLSession) ssl.engine().getSession()).getRequestedServerNames().stream()
                        .map(n -> ((SNIHostName) n).getAsciiName()).findFirst().orElse("none");
                String how = "tls alpn=" + alpn + " sni=" + sni;
                ChannelPipeline p = ctx.pipeline();
                if (alpn.equals(ApplicationProtocolNames.HTTP_2)) {
                    p.addAfter(ctx.name(), "h2", new H2(how));
                    p.addAfter(ctx.name(), "codec", Http2FrameCodecBuilder.forServer().build());
                } else {
                    p.addAfter(ctx.name(), "h1", new H1(how));
                    p.addAfter(ctx.name(), "agg", new HttpObjectAggregator(1 << 20));
                    p.addAfter(ctx.name(), "codec", new HttpServerCodec());
                }
                p.remove(this);
            }
            ctx.fireUserEventTriggered(evt);
        }
    }

    private final class H1 extends ChannelInboundHandlerAdapter {
        private final String how;

        H1(String how) {
            this.how = how;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof FullHttpRequest req) {
                String line = how + " " + req.method() + " " + req.uri();
                requests.add(line);
                var res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                        Unpooled.copiedBuffer(line, StandardCharsets.UTF_8));
                res.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, res.content().readableBytes());
                ctx.writeAndFlush(res);
            }
            ReferenceCountUtil.release(msg);
        }
    }

    private final class H2 extends ChannelInboundHandlerAdapter {
        private final String how;

        H2(String how) {
            this.how = how;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof Http2HeadersFrame h) { // GET: answer at the head, whatever DATA follows
                String line = how + " " + h.headers().method() + " " + h.headers().path();
                requests.add(line);
                ctx.write(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().status("200")).stream(h.stream()));
                ctx.writeAndFlush(new DefaultHttp2DataFrame(Unpooled.copiedBuffer(line, StandardCharsets.UTF_8), true)
                        .stream(h.stream()));
            }
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void close() throws Exception {
        server.close().sync();
        group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).sync();
    }
}
