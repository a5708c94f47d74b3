package io.edgeway.dataplane.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.edgeway.dataplane.listener.TrustedProxies;
import io.edgeway.dataplane.status.Metrics;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import org.junit.jupiter.api.Test;

class GrpcHeadersTest {
    static Http2Headers grpcRequest() {
        return new DefaultHttp2Headers().method("POST").path("/test.Echo/Unary").authority("grpc.test")
                .scheme("http").set("content-type", "application/grpc+proto").set("te", "trailers");
    }

    @Test
    void grpcIsRecognisedByContentTypeWhateverTheSubtype() {
        assertThat(GrpcHeaders.isGrpc(grpcRequest())).isTrue();
        assertThat(GrpcHeaders.isGrpc(new DefaultHttp2Headers().set("content-type", "Application/GRPC"))).isTrue();
        assertThat(GrpcHeaders.isGrpc(new DefaultHttp2Headers().set("content-type", "application/json"))).isFalse();
        assertThat(GrpcHeaders.isGrpc(new DefaultHttp2Headers())).isFalse();
    }

    @Test
    void requestKeepsAuthorityAndTeTrailersAndSaysWhoAsked() {
        Http2Headers h = grpcRequest().set("x-forwarded-for", "6.6.6.6").set("keep-alive", "5");
        GrpcHeaders.request(h, "10.0.0.7", false, "http");
        assertThat(h.authority().toString()).isEqualTo("grpc.test");
        assertThat(h.get("te").toString()).isEqualTo("trailers");
        assertThat(h.get("x-forwarded-for").toString()).isEqualTo("10.0.0.7"); // an untrusted peer's claim is dropped
        assertThat(h.get("x-forwarded-host").toString()).isEqualTo("grpc.test");
        assertThat(h.contains("keep-alive")).isFalse();

        Http2Headers viaLb = grpcRequest().set("x-forwarded-for", "1.2.3.4");
        GrpcHeaders.request(viaLb, "10.0.0.7", true, "http");
        assertThat(viaLb.get("x-forwarded-for").toString()).isEqualTo("1.2.3.4, 10.0.0.7");

        Http2Headers otherTe = grpcRequest().set("te", "gzip");
        GrpcHeaders.request(otherTe, "10.0.0.7", false, "http");
        assertThat(otherTe.contains("te")).isFalse();
    }

    @Test
    void trailersOnlyErrorIsWhatAGrpcClientExpects() {
        Http2Headers h = GrpcHeaders.trailersOnly(GrpcHeaders.UNAVAILABLE, "no target: 100% ü");
        assertThat(h.status().toString()).isEqualTo("200");
        assertThat(h.get("content-type").toString()).isEqualTo("application/grpc");
        assertThat(h.getInt("grpc-status")).isEqualTo(14);
        assertThat(h.get("grpc-message").toString()).isEqualTo("no target: 100%25 %C3%BC");
    }

    @Test
    void switchLeavesOrdinaryStreamsToTheHttp1Path() {
        GrpcStreamSwitch grpcSwitch = new GrpcStreamSwitch(null, null, new Metrics(() -> 0), TrustedProxies.NONE);
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.pipeline().addLast("h2-guard", new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                grpcSwitch.takeOver(ctx, (Http2HeadersFrame) msg);
                ctx.fireChannelRead(msg);
            }
        }).addLast("frontend", new ChannelInboundHandlerAdapter());
        DefaultHttp2HeadersFrame get = new DefaultHttp2HeadersFrame(
                new DefaultHttp2Headers().method("GET").path("/").authority("h2.test"), true);
        ch.writeInbound(get);
        assertThat(ch.pipeline().names()).startsWith("h2-guard", "frontend").doesNotContain("grpc");
        assertThat((Object) ch.readInbound()).isSameAs(get);
        ch.finishAndReleaseAll();
    }
}
