package io.edgeway.dataplane.http2;

import io.edgeway.dataplane.config.ConfigHolder;
import io.edgeway.dataplane.grpc.GrpcStreamSwitch;
import io.edgeway.dataplane.listener.ClientLimits;
import io.edgeway.dataplane.relay.FrontendHandler;
import io.edgeway.dataplane.relay.LoopResources;
import io.edgeway.dataplane.status.Metrics;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;

/**
 * HTTP/2 from clients in cleartext (h2c), on the HTTP/1.1 port: with prior knowledge ({@link H2cPreface})
 * or by {@code Upgrade: h2c} ({@link H2cUpgrade}). Each stream becomes a child channel whose pipeline turns
 * its frames into HTTP/1.1 objects for an ordinary {@link FrontendHandler}: one exchange per stream,
 * relayed to the target over the same pooled HTTP/1.1 connections as any other request. gRPC streams are
 * the exception: {@link GrpcStreamSwitch} hands them to a {@link GrpcRelay}, HTTP/2 to the target too.
 *
 * <p>Backpressure is HTTP/2 flow control: the connection reads freely (AUTO_READ on), and a stream's
 * window is only handed back to the client as its child channel, which keeps AUTO_READ off like every
 * client channel, reads the data on.
 */
public final class Http2Frontend {
    /** As nginx's {@code http2_max_concurrent_streams}. */
    static final int MAX_CONCURRENT_STREAMS = 128;
    /**
     * Rapid reset (CVE-2023-44487): more RST_STREAMs than this from one client within
     * {@link #RST_WINDOW_SECONDS} gets GOAWAY(ENHANCE_YOUR_CALM) and a close. Generous for browsers that
     * cancel navigations, far below what an attack needs to matter.
     */
    static final int MAX_RST_PER_WINDOW = 200;
    static final int RST_WINDOW_SECONDS = 10;

    private final ConfigHolder configs;
    private final LoopResources loop;
    private final Metrics metrics;
    private final ClientLimits limits;
    /** Stateless, shared by every stream of this event loop. */
    private final GrpcStreamSwitch grpcSwitch;

    public Http2Frontend(ConfigHolder configs, LoopResources loop, Metrics metrics, ClientLimits limits) {
        this.configs = configs;
        this.loop = loop;
        this.metrics = metrics;
        this.limits = limits;
        this.grpcSwitch = new GrpcStreamSwitch(configs, loop, metrics, limits.trustedProxies());
    }

    /**
     * The whole HTTP/2 server side of a connection whose next bytes are the client's connection preface:
     * h2c with prior knowledge now, and the same handlers after ALPN "h2" on a TLS connection.
     */
    public void install(ChannelPipeline p) {
        p.addLast("h2-flush", new H2FlushBatcher())
                .addLast("h2", newFrameCodec())
                .addLast("h2-streams", newMultiplexHandler())
                .addLast("h2-connection", newConnectionHandler());
    }

    /**
     * RFC 9113 as Netty can check it: header names and pseudo-headers (validateHeaders), the mandatory
     * pseudo-headers of a request (validateRequiredPseudoHeaders), and what {@link H2FrameCodec} adds.
     */
    Http2FrameCodec newFrameCodec() {
        return H2FrameCodec.forServer()
                .initialSettings(Http2Settings.defaultSettings()
                        .maxConcurrentStreams(MAX_CONCURRENT_STREAMS)
                        .maxHeaderListSize(limits.maxHeaderSize()))
                .decoderEnforceMaxRstFramesPerWindow(MAX_RST_PER_WINDOW, RST_WINDOW_SECONDS)
                .validateHeaders(true)
                .validateRequiredPseudoHeaders(true)
                .build();
    }

    Http2MultiplexHandler newMultiplexHandler() {
        return new Http2MultiplexHandler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel stream) {
                stream.config().setAutoRead(false);
                stream.pipeline()
                        .addLast("h2-guard", new H2StreamGuard(metrics, grpcSwitch))
                        // One per stream although Netty marks it @Sharable: its MessageToMessageDecoder keeps
                        // per-read flags (decodeCalled, messageProduced) that decide whether to ask for the
                        // next read of a stream with auto-read off; shared, one stream's readComplete would
                        // reset another's and could leave it waiting for a read nobody asks for.
                        .addLast("h2-codec", new Http2StreamFrameToHttpObjectCodec(true, true))
                        .addLast("h2-interim", H2Informational.INSTANCE)
                        .addLast("h2-request", H2StreamAdapter.INSTANCE)
                        .addLast("frontend", new FrontendHandler(configs, loop, metrics, limits.trustedProxies()));
            }
        });
    }

    ChannelHandler newConnectionHandler() {
        return new H2Connection(metrics);
    }

    /**
     * Drops the HTTP/1.1 handlers of a client connection that turned out to speak HTTP/2, keeping the
     * idle handler (an h2 connection with no stream open is idle like a kept-alive one).
     */
    public static void removeHttp1(ChannelPipeline p) {
        for (String name : new String[] {"frontend", "drain", "codec"}) {
            if (p.get(name) != null) {
                p.remove(name);
            }
        }
    }

    /** The connection reads freely from now on: see the class comment. */
    public static void readFreely(ChannelHandlerContext ctx) {
        ctx.channel().config().setAutoRead(true);
    }
}
