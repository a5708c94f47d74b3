package io.edgeway.dataplane.netty;

import io.edgeway.dataplane.config.ConfigHolder;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The client-side pipeline: idle → codec → drain → frontend. Dependencies come in through the constructor. */
public final class ProxyInitializer extends ChannelInitializer<SocketChannel> {
    static final long CLIENT_READ_IDLE_MS = 60_000;

    private final ConfigHolder configs;
    private final Map<EventLoop, LoopResources> loops;
    private final Metrics metrics;
    private final ChannelGroup clients;
    private final Drain drain;

    public ProxyInitializer(ConfigHolder configs, Map<EventLoop, LoopResources> loops, Metrics metrics,
            ChannelGroup clients, Drain drain) {
        this.drain = drain;
        this.configs = configs;
        this.loops = Map.copyOf(loops);
        this.metrics = metrics;
        this.clients = clients;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        clients.add(ch);
        ch.pipeline()
                .addLast("idle", new IdleStateHandler(CLIENT_READ_IDLE_MS, 0, 0, TimeUnit.MILLISECONDS))
                .addLast("codec", new HttpServerCodec(clientDecoderConfig()))
                .addLast("drain", drain.newHandler())
                .addLast("frontend", new FrontendHandler(configs, loops.get(ch.eventLoop()), metrics));
    }

    /** RFC 9112 mode makes the decoder fail on Content-Length next to Transfer-Encoding (smuggling). */
    static HttpDecoderConfig clientDecoderConfig() {
        return new HttpDecoderConfig()
                .setMaxInitialLineLength(8192)
                .setMaxHeaderSize(32 * 1024)
                .setMaxChunkSize(LoopResources.MAX_CHUNK)
                .setAllowDuplicateContentLengths(false)
                .setUseRfc9112TransferEncoding(true);
    }
}
