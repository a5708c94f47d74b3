package io.edgeway.dataplane.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.edgeway.dataplane.config.ConfigHolder;
import io.edgeway.dataplane.config.RuntimeConfig;
import io.edgeway.proto.v1.Certificate;
import io.edgeway.proto.v1.Snapshot;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * A certificate's context compiles on the builder thread after the first handshake naming it. When the client has
 * gone by the time the compile ends, the selector's handler is no longer in the pipeline: the late completion must
 * do nothing (no NoSuchElementException reaching the pipeline's end, where Netty logs it), and the compiled context
 * must serve the next handshake. The compile is made late by holding the builder thread until the server has seen
 * the first client close its connection.
 */
class SniLateCompileTest {
    private static final String NAME = "late.example";

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final ListAppender<ILoggingEvent> pipelineLog = new ListAppender<>();
    private final Logger pipelineLogger = (Logger) LoggerFactory.getLogger("io.netty.channel.DefaultChannelPipeline");
    private final Queue<Throwable> caught = new ConcurrentLinkedQueue<>();
    private final Queue<Channel> accepted = new ConcurrentLinkedQueue<>();
    private ConfigHolder configs;
    private Channel server;

    @BeforeEach
    void start() throws Exception {
        pipelineLog.start();
        pipelineLogger.addAppender(pipelineLog);
        SelfSigned.Pem pem = SelfSigned.create("EC", List.of(NAME), Duration.ofDays(2));
        configs = new ConfigHolder();
        configs.set(RuntimeConfig.from(Snapshot.newBuilder().setVersion(1).addCertificates(Certificate.newBuilder()
                .setName("late").setCertChainPem(pem.certChainPem()).setPrivateKeyPem(pem.privateKeyPem())
                .addSnis(NAME)).build()));
        server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        accepted.add(ch);
                        ch.pipeline().addLast(new SniSelector(configs, DefaultCertificate.NONE, 10_000),
                                new ChannelInboundHandlerAdapter() {
                                    @Override
                                    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                                        caught.add(cause);
                                        ctx.close();
                                    }
                                });
                    }
                }).bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
    }

    @AfterEach
    void stop() {
        pipelineLogger.detachAppender(pipelineLog);
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Test
    void aCompileEndingAfterTheClientLeftChangesNothingAndTheNextHandshakeWorks() throws Exception {
        CountDownLatch firstClosed = new CountDownLatch(1);
        CertificateContext.BUILDER.execute(() -> awaitQuietly(firstClosed)); // the compile queues behind this

        int port = ((InetSocketAddress) server.localAddress()).getPort();
        try (Socket raw = new Socket("127.0.0.1", port)) { // a ClientHello naming the certificate, then gone
            OutputStream out = raw.getOutputStream();
            out.write(clientHello(port));
            out.flush();
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> !accepted.isEmpty());
        Channel first = accepted.peek();
        assertThat(first.closeFuture().await(10, TimeUnit.SECONDS)).as("the server saw the client leave").isTrue();
        assertThat(configs.get().tls().named("late").isCompiled()).as("compiled only after the client left").isFalse();

        firstClosed.countDown();
        CertificateContext.BUILDER.submit(() -> { }).get(10, TimeUnit.SECONDS); // the compile ran, its promise is done
        group.next().submit(() -> { }).get(10, TimeUnit.SECONDS); // and its completion ran on the (only) loop

        assertThat(configs.get().tls().named("late").isCompiled()).isTrue();
        assertThat(caught).as("exceptions fired into the pipeline").isEmpty();
        assertThat(pipelineLog.list).as("what reached the pipeline's end").isEmpty();

        try (SSLSocket tls = (SSLSocket) trusting().getSocketFactory().createSocket("127.0.0.1", port)) {
            SSLParameters p = tls.getSSLParameters();
            p.setServerNames(List.of(new SNIHostName(NAME)));
            tls.setSSLParameters(p);
            tls.setSoTimeout(10_000);
            tls.startHandshake();
            assertThat(tls.getSession().getPeerPrincipal().getName()).contains(NAME);
        }
        assertThat(caught).isEmpty();
    }

    /** The first flight of a JDK client naming {@link #NAME}: what a browser sends before it gives up. */
    private byte[] clientHello(int port) throws Exception {
        SSLEngine engine = trusting().createSSLEngine(NAME, port);
        engine.setUseClientMode(true);
        SSLParameters p = engine.getSSLParameters();
        p.setServerNames(List.of(new SNIHostName(NAME)));
        engine.setSSLParameters(p);
        ByteBuffer out = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
        engine.wrap(ByteBuffer.allocate(0), out);
        out.flip();
        byte[] hello = new byte[out.remaining()];
        out.get(hello);
        return hello;
    }

    /** Trusts any certificate: the test checks which one it got, by name, not the chain. */
    private static SSLContext trusting() throws Exception {
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, InsecureTrustManagerFactory.INSTANCE.getTrustManagers(), null);
        return ctx;
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
