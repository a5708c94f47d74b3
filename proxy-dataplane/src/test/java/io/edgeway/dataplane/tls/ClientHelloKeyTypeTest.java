package io.edgeway.dataplane.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import java.util.Arrays;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/**
 * The ClientHello reader on real hellos from the JDK's client, and on hostile input: truncated, mutated and
 * random bytes must never throw or read out of bounds (the SNI handler feeds it whatever a client sends).
 */
class ClientHelloKeyTypeTest {
    @Test
    void realHellosSayWhetherTheClientTakesEcdsa() throws Exception {
        assertThat(accepts(hello(new String[] {"TLSv1.3", "TLSv1.2"}, null))).isTrue();
        assertThat(accepts(hello(new String[] {"TLSv1.2"}, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"))).isTrue();
        assertThat(accepts(hello(new String[] {"TLSv1.2"}, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"))).isFalse();
    }

    @Test
    void everyTruncationAndSingleByteMutationOfARealHelloIsHandled() throws Exception {
        byte[] real = hello(new String[] {"TLSv1.3", "TLSv1.2"}, null);
        for (int n = 0; n <= real.length; n++) {
            accepts(Arrays.copyOf(real, n));
        }
        for (int i = 0; i < real.length; i++) {
            for (int v : new int[] {0x00, 0xff, 0x7f}) {
                byte[] m = real.clone();
                m[i] = (byte) v;
                accepts(m);
            }
        }
    }

    @Property(tries = 2000)
    void randomBytesNeverThrow(@ForAll @Size(max = 700) byte[] bytes) {
        accepts(bytes);
    }

    private static boolean accepts(byte[] body) {
        ByteBuf buf = Unpooled.wrappedBuffer(body);
        try {
            return ClientHelloKeyType.acceptsEcdsa(buf);
        } finally {
            buf.release();
        }
    }

    /** The ClientHello body (from client_version on) the JDK's client sends with these settings. */
    private static byte[] hello(String[] protocols, String cipher) throws Exception {
        SSLEngine engine = SSLContext.getDefault().createSSLEngine("shop.test", 443);
        engine.setUseClientMode(true);
        engine.setEnabledProtocols(protocols);
        if (cipher != null) {
            engine.setEnabledCipherSuites(new String[] {cipher});
        }
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
