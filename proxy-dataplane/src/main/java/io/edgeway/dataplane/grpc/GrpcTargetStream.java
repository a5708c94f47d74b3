package io.edgeway.dataplane.grpc;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelOption;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.codec.http2.Http2StreamFrame;
import io.netty.util.concurrent.Future;

/**
 * Opening a {@link GrpcRelay}'s stream on the target's h2c connection, then sending what the client sent
 * meanwhile. Static steps over the relay's own fields, rather than an object of their own, so a call allocates
 * nothing more than before; both steps run on the relay's event loop.
 */
final class GrpcTargetStream {
    private GrpcTargetStream() {
    }

    /** The target's connection is there (or not): opens the call's stream on it, AUTO_READ off. */
    static void connected(GrpcRelay relay, Future<? super Channel> f) {
        if (relay.done) {
            return;
        }
        if (!f.isSuccess()) {
            relay.targetFailed(); // health hook, as on HTTP/1.1
            relay.fail(GrpcHeaders.UNAVAILABLE, "could not connect to the target");
            return;
        }
        new Http2StreamChannelBootstrap((Channel) f.getNow())
                .option(ChannelOption.AUTO_READ, false)
                .handler(new GrpcTargetSide(relay))
                .open()
                .addListener((Future<? super Http2StreamChannel> o) -> opened(relay, o));
    }

    /** The stream is open: the pending frames go out, the first-byte timer starts if the request is complete. */
    private static void opened(GrpcRelay relay, Future<? super Http2StreamChannel> f) {
        if (!f.isSuccess()) {
            if (!relay.done) {
                relay.fail(GrpcHeaders.UNAVAILABLE, "could not open a stream to the target");
            }
            return;
        }
        Http2StreamChannel ch = (Http2StreamChannel) f.getNow();
        if (relay.done) {
            ch.close();
            return;
        }
        relay.upstream = ch;
        ch.write(relay.pending.poll()).addListener((ChannelFutureListener) w -> {
            if (!w.isSuccess() && !relay.done && !relay.responseStarted) { // e.g. the target's stream limit
                relay.fail(GrpcHeaders.UNAVAILABLE, "the target refused the stream");
            }
        });
        Http2StreamFrame frame;
        while ((frame = relay.pending.poll()) != null) {
            ch.write(frame);
        }
        ch.flush();
        if (relay.requestEnded) {
            relay.startFirstByte();
        }
        ch.read();
        relay.readClientIfWritable();
    }
}
