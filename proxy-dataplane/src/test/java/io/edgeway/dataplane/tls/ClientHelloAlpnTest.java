package io.edgeway.dataplane.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import java.util.Arrays;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/**
 * The ClientHello ALPN reader that routes TLS-ALPN-01 validations to the challenge certificate: right on real
 * hellos from the JDK's client, and never throwing on truncated, mutated or random bytes (it reads whatever a
 * client sends, before any handshake).
 */
class ClientHelloAlpnTest {
    @Test
    void realHellosSayWhetherTheyOfferAcmeTls1() throws Exception {
        assertThat(offers(hello("acme-tls/1"))).isTrue();
        assertThat(offers(hello("h2", "http/1.1"))).isFalse();
        assertThat(offers(hello("h2", "acme-tls/1"))).isTrue();
        assertThat(offers(hello("acme-tls/10"))).isFalse();
        assertThat(offers(hello())).isFalse();
    }

    @Test
    void everyTruncationAndSingleByteMutationOfARealHelloIsHandled() throws Exception {
        byte[] real = hello("acme-tls/1");
        for (int n = 0; n <= real.length; n++) {
            offers(Arrays.copyOf(real, n));
        }
        for (int i = 0; i < real.length; i++) {
            for (int v : new int[] {0x00, 0xff, 0x7f, 0x0a}) {
                byte[] m = real.clone();
                m[i] = (byte) v;
                offers(m);
            }
        }
    }

    @Property(tries = 2000)
    void randomBytesNeverThrow(@ForAll @Size(max = 700) byte[] bytes) {
        offers(bytes);
    }

    private static boolean offers(byte[] body) {
        ByteBuf buf = Unpooled.wrappedBuffer(body);
        try {
            return ClientHelloAlpn.offers(buf, AcmeTlsAlpn.PROTOCOL);
        } finally {
            buf.release();
        }
    }

    private static byte[] hello(String... alpn) throws Exception {
        SSLEngine engine = SSLContext.getDefault().createSSLEngine("shop.test", 443);
        engine.setUseClientMode(true);
        SSLParameters p = engine.getSSLParameters();
        p.setApplicationProtocols(alpn);
        engine.setSSLParameters(p);
        ByteBuffer out = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
        engine.beginHandshake();
        engine.wrap(ByteBuffer.allocate(0), out);
        out.flip();
        out.position(5 + 4); // record header, handshake header
        byte[] body = new byte[out.remaining()];
        out.get(body);
        return body;
    }
}
