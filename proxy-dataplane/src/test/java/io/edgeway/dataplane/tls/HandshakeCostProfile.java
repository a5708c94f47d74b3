package io.edgeway.dataplane.tls;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import java.io.ByteArrayInputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * Not a test: CPU time of one server event-loop thread per TLS 1.3 handshake, full or resumed, for a context
 * from {@link ContextFactory} (certificate on the SSL_CTX) against one built as Netty builds it (certificate
 * callback), alternating in one JVM so that both see the same JIT and the same machine load. Thread CPU time,
 * not wall time: the machine is shared.
 *
 * <pre>java -cp ... io.edgeway.dataplane.tls.HandshakeCostProfile [handshakes per round] [rounds]</pre>
 */
public final class HandshakeCostProfile {
    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 3000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 4;
        SelfSigned.Pem pem = SelfSigned.create("EC", List.of("shop.test"), Duration.ofDays(2));
        SslContext credential = ContextFactory.server(pem.certChainPem(), pem.privateKeyPem());
        SslContext callback = SslContextBuilder.forServer(stream(pem.certChainPem()), stream(pem.privateKeyPem()))
                .sslProvider(TlsEngine.provider()).protocols(TlsPolicy.PROTOCOLS)
                .ciphers(TlsPolicy.CIPHERS, SupportedCipherSuiteFilter.INSTANCE)
                .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, TlsPolicy.ALPN))
                .build();
        SSLContext client = trusting(pem.certChainPem());
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        long loopThread = group.next().submit(() -> Thread.currentThread().getId()).get();
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        int portCredential = listen(group, credential);
        int portCallback = listen(group, callback);
        for (int r = 0; r <= rounds; r++) { // round 0 warms up
            for (boolean resumed : new boolean[] {true, false}) {
                for (int port : new int[] {portCallback, portCredential}) {
                    long before = mx.getThreadCpuTime(loopThread);
                    for (int i = 0; i < n; i++) {
                        handshake(client, port, resumed);
                    }
                    long us = (mx.getThreadCpuTime(loopThread) - before) / 1000;
                    if (r > 0) {
                        System.out.printf("round %d %-8s %-10s %.1f loop-CPU-us/handshake%n", r,
                                resumed ? "resumed" : "full", port == portCallback ? "callback" : "credential",
                                (double) us / n);
                    }
                }
            }
        }
        group.shutdownGracefully().sync();
    }

    private static int listen(EventLoopGroup group, SslContext ctx) throws InterruptedException {
        Channel ch = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel c) {
                        c.pipeline().addLast(ctx.newHandler(c.alloc()), new ChannelInboundHandlerAdapter() {
                            @Override
                            public void userEventTriggered(ChannelHandlerContext x, Object evt) {
                                if (evt instanceof SslHandshakeCompletionEvent e && e.isSuccess()) {
                                    x.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {'!'}))
                                            .addListener(ChannelFutureListener.CLOSE);
                                }
                            }
                        });
                    }
                }).bind("127.0.0.1", 0).sync().channel();
        return ((InetSocketAddress) ch.localAddress()).getPort();
    }

    private static void handshake(SSLContext client, int port, boolean keepSession) throws Exception {
        try (SSLSocket s = (SSLSocket) client.getSocketFactory().createSocket("127.0.0.1", port)) {
            SSLParameters p = s.getSSLParameters();
            p.setServerNames(List.of(new SNIHostName("shop.test")));
            p.setProtocols(new String[] {"TLSv1.3"});
            s.setSSLParameters(p);
            s.startHandshake();
            s.getInputStream().read();
            if (!keepSession) {
                s.getSession().invalidate();
            }
        }
    }

    private static SSLContext trusting(String pem) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setCertificateEntry("shop", CertificateFactory.getInstance("X.509").generateCertificate(stream(pem)));
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext ctx = SSLContext.getInstance("TLSv1.3");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }

    private static ByteArrayInputStream stream(String pem) {
        return new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII));
    }
}
