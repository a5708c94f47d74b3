package io.edgeway.dataplane.warmup;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.ssl.SslHandler;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The synthetic clients, all sending one request after another ({@link WarmupRequests}) until {@link #stop}:
 * HTTP/1.1 keep-alive connections that stay, HTTP/1.1 connections closed after a few requests (so accepting,
 * setting up and tearing down a connection's pipeline is compiled too, as a load balancer's or wrk's fresh
 * connections need it), and h2c connections ({@link WarmupH2Clients}). With {@link WarmupTls}, the same over the
 * warm-up's TLS listener: HTTP/1.1 connections of one request each (a full handshake each), of a few requests
 * each (resumed handshakes), and h2 chosen by ALPN. Everything runs on the warm-up's own event loop.
 */
final class WarmupLoad {
    private static final int H1_CONNECTIONS = 4;
    private static final int H1_SHORT_CONNECTIONS = 4;
    private static final int H2_CONNECTIONS = 2;
    /** A connection of these is closed after this many requests, and another one opened. */
    private static final int REQUESTS_PER_SHORT_CONNECTION = 8;
    private static final int REQUESTS_PER_FULL_HANDSHAKE = 1;
    private static final int REQUESTS_PER_RESUMED_HANDSHAKE = 2;

    /** How an HTTP/1.1 connection reaches the proxy, and how many requests it carries. */
    private enum Way {
        PLAIN(Integer.MAX_VALUE), PLAIN_SHORT(REQUESTS_PER_SHORT_CONNECTION),
        TLS_FULL(REQUESTS_PER_FULL_HANDSHAKE), TLS_RESUMED(REQUESTS_PER_RESUMED_HANDSHAKE);

        final int requests;

        Way(int requests) {
            this.requests = requests;
        }

        boolean tls() {
            return this == TLS_FULL || this == TLS_RESUMED;
        }
    }

    private final EventLoopGroup group;
    private final Class<? extends SocketChannel> channelClass;
    private final int port;
    private final WarmupTls tls;   // null: no TLS listener
    private final int tlsPort;
    private final WarmupH2Clients h2 = new WarmupH2Clients(this);
    private final AtomicInteger answeredOverTls = new AtomicInteger();
    private final AtomicInteger okH2OverTls = new AtomicInteger();
    private final AtomicInteger answered = new AtomicInteger();
    /** Answers other than 200: the warm-up's pipeline is broken (logged at the end; readiness is not held). */
    private final AtomicInteger failed = new AtomicInteger();
    private final AtomicInteger connectionsOpened = new AtomicInteger();
    private volatile boolean stopped;
    /** While true, each client waits {@link #PACED_DELAY_MS} before its next request: see {@link #pace}. */
    private volatile boolean paced;
    static final long PACED_DELAY_MS = 50;

    WarmupLoad(EventLoopGroup group, Class<? extends SocketChannel> channelClass, int port, WarmupTls tls, int tlsPort) {
        this.group = group;
        this.channelClass = channelClass;
        this.port = port;
        this.tls = tls;
        this.tlsPort = tlsPort;
    }

    void start() {
        for (int i = 0; i < H1_CONNECTIONS; i++) {
            connectH1(Way.PLAIN);
        }
        for (int i = 0; i < H1_SHORT_CONNECTIONS; i++) {
            connectH1(Way.PLAIN_SHORT);
        }
        for (int i = 0; i < H2_CONNECTIONS; i++) {
            h2.connect(false);
        }
        if (tls != null) {
            connectH1(Way.TLS_FULL);
            connectH1(Way.TLS_RESUMED);
            connectH1(Way.TLS_RESUMED);
            h2.connect(true);
        }
    }

    void stop() {
        stopped = true;
    }

    boolean stopped() {
        return stopped;
    }

    /**
     * Slows the clients to one request per connection every {@link #PACED_DELAY_MS} (a few hundred a second in all)
     * or lets them run flat out again. The warm-up sets it while the compile queue is not empty once its requests
     * are done: the synthetic clients, the target and the proxy share the proxy's core(s) with the compiler
     * threads, and flat out they left C2 a queue of ~20 methods that never emptied (a loaded 2-core machine).
     */
    void pace(boolean on) {
        paced = on;
    }

    /** Runs the client's next request now, or after the paced delay; on the warm-up's one loop either way. */
    void next(Runnable send) {
        if (paced) {
            group.schedule(send, PACED_DELAY_MS, TimeUnit.MILLISECONDS);
        } else {
            send.run();
        }
    }

    int answered() {
        return answered.get();
    }

    int failed() {
        return failed.get();
    }

    /** Answers (any status) that came over the TLS listener, HTTP/1.1 and h2. */
    int answeredOverTls() {
        return answeredOverTls.get();
    }

    /** 200s over h2 on the TLS listener (the client offers only h2 by ALPN). */
    int okH2OverTls() {
        return okH2OverTls.get();
    }

    /** Plain HTTP/1.1 connections opened so far (the short ones are opened again and again). */
    int plainConnectionsOpened() {
        return connectionsOpened.get();
    }

    EventLoopGroup group() {
        return group;
    }

    Class<? extends SocketChannel> channelClass() {
        return channelClass;
    }

    int port() {
        return port;
    }

    int tlsPort() {
        return tlsPort;
    }

    WarmupTls tls() {
        return tls;
    }

    /** One answer more; false once the warm-up is over (the caller then sends nothing more). */
    boolean answeredOne(boolean ok) {
        if (!ok) {
            failed.incrementAndGet();
        }
        answered.incrementAndGet();
        return !stopped;
    }

    void answeredH2OverTls(boolean ok) {
        answeredOverTls.incrementAndGet();
        if (ok) {
            okH2OverTls.incrementAndGet();
        }
    }

    private void connectH1(Way way) {
        if (stopped) {
            return;
        }
        if (!way.tls()) {
            connectionsOpened.incrementAndGet();
        }
        new Bootstrap().group(group).channel(channelClass).handler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                if (way == Way.TLS_FULL) {
                    ch.pipeline().addLast(tlsHandler(tls.fullHandshake(ch.alloc())));
                } else if (way == Way.TLS_RESUMED) {
                    ch.pipeline().addLast(tlsHandler(tls.resumedHandshake(ch.alloc())));
                }
                ch.pipeline().addLast(new HttpClientCodec()).addLast(new SimpleChannelInboundHandler<HttpObject>() {
                    private int sent;
                    private boolean ok;
                    private boolean closedByUs;

                    @Override
                    public void channelActive(ChannelHandlerContext ctx) {
                        ctx.writeAndFlush(WarmupRequests.http1(sent++, port)); // over TLS: held until the handshake is done
                    }

                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
                        if (msg instanceof HttpResponse res) {
                            ok = res.status().code() == 200;
                        }
                        if (msg instanceof LastHttpContent) {
                            if (way.tls()) {
                                answeredOverTls.incrementAndGet();
                            }
                            if (!answeredOne(ok)) {
                                ctx.close();
                            } else if (sent < way.requests) {
                                next(() -> ctx.writeAndFlush(WarmupRequests.http1(sent++, port)));
                            } else {
                                closedByUs = true; // the next connection (and handshake) at once
                                ctx.close();
                            }
                        }
                    }

                    @Override
                    public void channelInactive(ChannelHandlerContext ctx) {
                        if (closedByUs && !stopped) {
                            next(() -> group.execute(() -> connectH1(way)));
                        } else {
                            reconnectSoon(() -> connectH1(way));
                        }
                    }

                    @Override
                    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                        ctx.close();
                    }
                });
            }
        }).connect("127.0.0.1", way.tls() ? tlsPort : port).addListener(f -> {
            if (!f.isSuccess()) {
                reconnectSoon(() -> connectH1(way));
            }
        });
    }

    /** Counts the handshake as full or resumed once it is done; a failed one closes the connection (then retried). */
    SslHandler tlsHandler(SslHandler handler) {
        handler.handshakeFuture().addListener(f -> {
            if (f.isSuccess()) {
                tls.handshakeDone(handler);
            }
        });
        return handler;
    }

    void reconnectSoon(Runnable connect) {
        if (!stopped && !group.isShuttingDown()) {
            group.schedule(connect, 20, TimeUnit.MILLISECONDS);
        }
    }
}
