package io.edgeway.dataplane.compress;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

/** gzip bodies made one after another on one thread share a Deflater, and each is still a gzip stream of its own. */
class DeflatersTest {
    private static byte[] document(String word, int bytes) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; s.length() < bytes; i++) {
            s.append("{\"id\":").append(i).append(",\"name\":\"").append(word).append(i % 7).append("\"},");
        }
        return s.substring(0, bytes).getBytes(StandardCharsets.US_ASCII);
    }

    /** {@code body} through a GzipEncoder in two pieces (the second the last one, unless {@code abandon}). */
    private static byte[] gzip(byte[] body, boolean abandon) {
        GzipEncoder encoder = new GzipEncoder(UnpooledByteBufAllocator.DEFAULT, 1);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            int half = body.length / 2;
            take(out, encoder.encode(new DefaultHttpContent(Unpooled.wrappedBuffer(body, 0, half))));
            if (!abandon) { // an abandoned response (the client went away) never gets its last piece
                take(out, encoder.encode(new DefaultLastHttpContent(Unpooled.wrappedBuffer(body, half, body.length - half))));
            }
        } finally {
            encoder.close();
        }
        return out.toByteArray();
    }

    private static void take(ByteArrayOutputStream out, HttpContent piece) {
        ByteBuf b = piece.content();
        out.writeBytes(ByteBufUtil.getBytes(b));
        piece.release();
    }

    private static byte[] gunzip(byte[] gz) throws IOException {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
            return in.readAllBytes();
        }
    }

    @Test
    void aReusedDeflaterStartsEveryBodyAfreshEvenAfterAnAbandonedOne() throws IOException {
        byte[] first = document("lamp", 40_000);
        byte[] abandoned = document("chair", 30_000);
        byte[] second = document("table", 50_000);

        byte[] gz1 = gzip(first, false);
        assertThat(Deflaters.idle(1)).as("given back after the first body").isEqualTo(1);
        gzip(abandoned, true); // its deflater holds half a stream when it is given back
        byte[] gz2 = gzip(second, false);

        assertThat(Deflaters.idle(1)).as("one deflater served all three bodies").isEqualTo(1);
        assertThat(gunzip(gz1)).isEqualTo(first);
        assertThat(gunzip(gz2)).isEqualTo(second);
    }
}
