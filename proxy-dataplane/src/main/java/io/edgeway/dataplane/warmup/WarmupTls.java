package io.edgeway.dataplane.warmup;

import com.google.protobuf.ByteString;
import io.edgeway.dataplane.tls.SelfSigned;
import io.edgeway.dataplane.tls.TlsEngine;
import io.edgeway.proto.v1.Certificate;
import io.edgeway.proto.v1.SessionTicketKey;
import io.edgeway.proto.v1.Snapshot;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolConfig.Protocol;
import io.netty.handler.ssl.ApplicationProtocolConfig.SelectedListenerFailureBehavior;
import io.netty.handler.ssl.ApplicationProtocolConfig.SelectorFailureBehavior;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ReferenceCountedOpenSslEngine;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.internal.tcnative.SSL;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;

/**
 * The TLS half of the warm-up: a throwaway self-signed certificate for {@link WarmupRequests#HOST} and a random
 * session ticket key, both put into the warm-up's own snapshot (so the server side runs the same certificate
 * checks, SNI lookup, ticket keys and engine as for pushed certificates), and the client contexts the synthetic
 * clients use: HTTP/1.1 and h2 by ALPN, each trusting only that certificate. Neither the certificate nor the
 * key leaves the warm-up; both are made anew by each process and never logged.
 *
 * <p>Full and resumed handshakes are chosen on the client side: the client's session cache is keyed by the
 * peer's host and port, so a connection handed a port no earlier one used finds no session and does a full
 * handshake, while connections sharing one port resume with the ticket the last one received.
 */
final class WarmupTls {
    /** The port the resuming clients give their session cache (never dialled: the listener's is). */
    private static final int RESUMING_KEY = 1;
    /** Full handshakes take cache keys above this one, wrapping well below 65536. */
    private static final int FIRST_FULL_KEY = 2;
    private static final int FULL_KEYS = 60_000;

    private final SelfSigned.Pem pem;
    private final byte[] ticketKey;
    private final SslContext http1Client;
    private final SslContext h2Client;
    private final AtomicInteger fullHandshakes = new AtomicInteger();
    private final AtomicInteger resumedHandshakes = new AtomicInteger();
    private int nextFullKey; // the warm-up's one loop only

    private WarmupTls(SelfSigned.Pem pem, byte[] ticketKey) throws SSLException {
        this.pem = pem;
        this.ticketKey = ticketKey;
        this.http1Client = client(pem, ApplicationProtocolNames.HTTP_1_1);
        this.h2Client = client(pem, ApplicationProtocolNames.HTTP_2);
    }

    static WarmupTls create() throws SSLException {
        byte[] key = new byte[48];
        new SecureRandom().nextBytes(key);
        return new WarmupTls(SelfSigned.create("EC", List.of(WarmupRequests.HOST), Duration.ofDays(1)), key);
    }

    /** The certificate and ticket key, as the control plane would push them. */
    Snapshot.Builder addTo(Snapshot.Builder snapshot) {
        return snapshot.addCertificates(Certificate.newBuilder().setName("edgeway-warmup")
                        .setCertChainPem(pem.certChainPem()).setPrivateKeyPem(pem.privateKeyPem()).addSnis(WarmupRequests.HOST))
                .addSessionTicketKeys(SessionTicketKey.newBuilder().setName(ByteString.copyFrom(ticketKey, 0, 16))
                        .setHmacKey(ByteString.copyFrom(ticketKey, 16, 16)).setAesKey(ByteString.copyFrom(ticketKey, 32, 16)));
    }

    /**
     * {@code copies} certificates for the warm-up to check as one snapshot, so that applying many new certificates
     * (issue 14) runs compiled code too: this chain and key under other names and SNIs, the chain followed by a
     * stand-in intermediate (this certificate again) as a CA's leaves are. Never served: checked, then dropped.
     */
    Snapshot certificateDrill(int copies) {
        String chain = pem.certChainPem() + pem.certChainPem();
        Snapshot.Builder b = Snapshot.newBuilder().setVersion(1).setNonce("warmup-certificates");
        for (int i = 0; i < copies; i++) {
            b.addCertificates(Certificate.newBuilder().setName("edgeway-warmup-" + i).setCertChainPem(chain)
                    .setPrivateKeyPem(pem.privateKeyPem()).addSnis("c" + i + "." + WarmupRequests.HOST));
        }
        return b.build();
    }

    /** HTTP/1.1 with a session no earlier connection had: a full handshake. */
    SslHandler fullHandshake(ByteBufAllocator alloc) {
        int key = FIRST_FULL_KEY + nextFullKey;
        nextFullKey = (nextFullKey + 1) % FULL_KEYS;
        return http1Client.newHandler(alloc, WarmupRequests.HOST, key);
    }

    /** HTTP/1.1 resuming the session of the previous connection of this kind (after the first). */
    SslHandler resumedHandshake(ByteBufAllocator alloc) {
        return http1Client.newHandler(alloc, WarmupRequests.HOST, RESUMING_KEY);
    }

    /** h2 chosen by ALPN. */
    SslHandler h2(ByteBufAllocator alloc) {
        return h2Client.newHandler(alloc, WarmupRequests.HOST, RESUMING_KEY);
    }

    /** Counts a completed handshake as full or resumed (the JDK engine cannot tell: counted as full). */
    void handshakeDone(SslHandler handler) {
        SSLEngine engine = handler.engine();
        boolean resumed = engine instanceof ReferenceCountedOpenSslEngine e && SSL.isSessionReused(e.sslPointer());
        (resumed ? resumedHandshakes : fullHandshakes).incrementAndGet();
    }

    int fullHandshakes() {
        return fullHandshakes.get();
    }

    int resumedHandshakes() {
        return resumedHandshakes.get();
    }

    private static SslContext client(SelfSigned.Pem pem, String alpn) throws SSLException {
        return SslContextBuilder.forClient().sslProvider(TlsEngine.provider())
                .trustManager(new ByteArrayInputStream(pem.certChainPem().getBytes(StandardCharsets.US_ASCII)))
                .applicationProtocolConfig(new ApplicationProtocolConfig(Protocol.ALPN,
                        SelectorFailureBehavior.NO_ADVERTISE, SelectedListenerFailureBehavior.ACCEPT, alpn))
                .build();
    }

    @Override
    public String toString() {
        return "WarmupTls[full " + fullHandshakes + ", resumed " + resumedHandshakes + "]";
    }
}
