package io.edgeway.dataplane.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.ReferenceCountedOpenSslEngine;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.internal.tcnative.SSL;
import java.io.ByteArrayInputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A context from {@link ContextFactory} carries its certificate on the BoringSSL context: full and resumed
 * TLS 1.3 handshakes over a loopback socket present that certificate, and neither runs a delegated task.
 * Netty's certificate callback is the only task a server handshake without client certificates has; every
 * task is counted here by the executor given to the SslHandler.
 */
class ContextCertificateTest {
    @ParameterizedTest
    @ValueSource(strings = {"EC", "RSA"})
    void fullAndResumedHandshakesPresentTheCertificateWithoutAnyPerHandshakeCertificateTask(String keyType) throws Exception {
        assertThat(ContextCertificate.available()).as("BoringSSL with credentials on this platform").isTrue();
        SelfSigned.Pem pem = SelfSigned.create(keyType, List.of("shop.test"), Duration.ofDays(2));
        SslContext server = ContextFactory.server(pem.certChainPem(), pem.privateKeyPem());
        AtomicInteger tasks = new AtomicInteger();
        Executor counting = task -> {
            tasks.incrementAndGet();
            task.run();
        };
        BlockingQueue<Boolean> reused = new LinkedBlockingQueue<>();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            Channel listener = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            SslHandler tls = server.newHandler(ch.alloc(), counting);
                            ch.pipeline().addLast(tls, new ChannelInboundHandlerAdapter() {
                                @Override
                                public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                                    if (evt instanceof SslHandshakeCompletionEvent e && e.isSuccess()) {
                                        ReferenceCountedOpenSslEngine engine = (ReferenceCountedOpenSslEngine) tls.engine();
                                        reused.add(SSL.isSessionReused(engine.sslPointer()));
                                        // one byte after the handshake: the client reads it, and the ticket before it
                                        ctx.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {'!'}));
                                    }
                                }
                            });
                        }
                    }).bind("127.0.0.1", 0).sync().channel();
            int port = ((InetSocketAddress) listener.localAddress()).getPort();
            X509Certificate leaf = leaf(pem.certChainPem());
            SSLContext client = trusting(leaf);

            Certificate[] first = handshake(client, port);
            Certificate[] second = handshake(client, port);

            assertThat(reused.poll(10, TimeUnit.SECONDS)).as("first handshake resumed").isFalse();
            assertThat(reused.poll(10, TimeUnit.SECONDS)).as("second handshake resumed").isTrue();
            assertThat(first[0]).isEqualTo(leaf);
            assertThat(second[0]).isEqualTo(leaf);
            assertThat(tasks.get()).as("delegated tasks over a full and a resumed handshake").isZero();
            listener.close().sync();
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    /** One TLS 1.3 connection naming shop.test; returns the chain the server presented (or resumed with). */
    private static Certificate[] handshake(SSLContext client, int port) throws Exception {
        try (SSLSocket s = (SSLSocket) client.getSocketFactory().createSocket("127.0.0.1", port)) {
            SSLParameters p = s.getSSLParameters();
            p.setServerNames(List.of(new SNIHostName("shop.test")));
            p.setProtocols(new String[] {"TLSv1.3"});
            s.setSSLParameters(p);
            s.setSoTimeout(10_000);
            s.startHandshake();
            assertThat(s.getInputStream().read()).isEqualTo('!');
            return s.getSession().getPeerCertificates();
        }
    }

    private static X509Certificate leaf(String chainPem) throws Exception {
        return (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(chainPem.getBytes(StandardCharsets.US_ASCII)));
    }

    private static SSLContext trusting(X509Certificate cert) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setCertificateEntry("shop", cert);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext ctx = SSLContext.getInstance("TLSv1.3");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }
}
