package io.edgeway.dataplane.relay;

import static org.assertj.core.api.Assertions.assertThat;

import io.edgeway.dataplane.status.Metrics;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

class BackendHandlerTest {
    private final Metrics metrics = new Metrics(() -> 0);

    @Test
    void theTargetConnectionsHandlerIsFoundAtTheEndOfItsPipeline() {
        BackendHandler backend = BackendHandler.forStream(metrics);
        EmbeddedChannel ch = new EmbeddedChannel(new ChannelInboundHandlerAdapter(), backend);
        assertThat(BackendHandler.of(ch)).isSameAs(backend);
        ch.finishAndReleaseAll();
    }

    /** A handler added after it (none is today) must not make a request lose its target connection's handler. */
    @Test
    void itIsStillFoundWithAnotherHandlerAfterIt() {
        BackendHandler backend = BackendHandler.forStream(metrics);
        EmbeddedChannel ch = new EmbeddedChannel(backend, new ChannelInboundHandlerAdapter());
        assertThat(BackendHandler.of(ch)).isSameAs(backend);
        ch.finishAndReleaseAll();
    }
}
