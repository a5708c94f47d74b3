package io.edgeway.dataplane.tls;

import static io.edgeway.dataplane.tls.ClientHelloFacts.ACCEPTS_ECDSA;
import static io.edgeway.dataplane.tls.ClientHelloFacts.OFFERS_ACME_TLS_ALPN;
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
 * The single walk the SNI handler makes: key type and acme-tls/1 together, from real JDK hellos, and the same
 * ALPN answers as an independent reader (test code: {@link AlpnOfferReference}) on mutated hellos; truncated,
 * mutated and random bytes never throw (it reads whatever a client sends, before any handshake).
 */
class ClientHelloFactsTest {
    @Test
    void oneWalkReadsTheKeyTypeAndTheAcmeProtocolTogether() throws Exception {
        assertThat(read(hello(new String[] {"TLSv1.3", "TLSv1.2"}, null, "acme-tls/1"))).isEqualTo(ACCEPTS_ECDSA | OFFERS_ACME_TLS_ALPN);
        assertThat(read(hello(new String[] {"TLSv1.3", "TLSv1.2"}, null, "h2", "http/1.1"))).isEqualTo(ACCEPTS_ECDSA);
        assertThat(read(hello(new String[] {"TLSv1.2"}, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "h2", "acme-tls/1")))
                .isEqualTo(OFFERS_ACME_TLS_ALPN);
        assertThat(read(hello(new String[] {"TLSv1.2"}, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"))).isEqualTo(ACCEPTS_ECDSA);
        assertThat(read(hello(new String[] {"TLSv1.2"}, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"))).isZero();
        // a longer name that starts with acme-tls/1 is another protocol
        assertThat(read(hello(new String[] {"TLSv1.3"}, null, "acme-tls/10")) & OFFERS_ACME_TLS_ALPN).isZero();
    }

    @Test
    void everyTruncationAndMutationIsHandledAndAWellFormedOneAgreesWithTheReferenceAlpnReader() throws Exception {
        byte[] real = hello(new String[] {"TLSv1.3", "TLSv1.2"}, null, "h2", "acme-tls/1");
        for (int n = 0; n <= real.length; n++) {
            read(Arrays.copyOf(real, n));
        }
        for (int i = 0; i < real.length; i++) {
            for (int v : new int[] {0x00, 0xff, 0x7f, 0x10}) {
                byte[] m = real.clone();
                m[i] = (byte) v;
                int facts = read(m);
                ByteBuf buf = Unpooled.wrappedBuffer(m);
                boolean wellFormed = ClientHelloLayout.forEachExtension(buf, (type, p, len) -> true);
                if (wellFormed) {
                    assertThat((facts & OFFERS_ACME_TLS_ALPN) != 0).as("byte %d = %d", i, v)
                            .isEqualTo(AlpnOfferReference.offers(buf, AcmeTlsAlpn.PROTOCOL));
                }
                buf.release();
            }
        }
    }

    @Property(tries = 2000)
    void randomBytesNeverThrow(@ForAll @Size(max = 700) byte[] bytes) {
        read(bytes);
    }

    private static int read(byte[] body) {
        ByteBuf buf = Unpooled.wrappedBuffer(body);
        try {
            return ClientHelloFacts.read(buf);
        } finally {
            buf.release();
        }
    }

    /** The ClientHello body (from client_version on) the JDK's client sends with these settings. */
    private static byte[] hello(String[] protocols, String cipher, String... alpn) throws Exception {
        SSLEngine engine = SSLContext.getDefault().createSSLEngine("shop.test", 443);
        engine.setUseClientMode(true);
        SSLParameters p = engine.getSSLParameters();
        p.setProtocols(protocols);
        if (cipher != null) {
            p.setCipherSuites(new String[] {cipher});
        }
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
