package io.edgeway.dataplane.tls;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * Reads from a ClientHello whether the client offers one ALPN protocol (RFC 7301), before a context is chosen:
 * a TLS-ALPN-01 validation (RFC 8737) offers "acme-tls/1" and must get the challenge certificate instead of the
 * name's own. Parses untrusted bytes: every length is checked against the buffer; anything malformed answers no.
 * The handshake path reads it within {@link ClientHelloFacts}'s single walk.
 */
final class ClientHelloAlpn {
    private static final int EXT_ALPN = 16;

    private ClientHelloAlpn() {}

    /** {@code hello}: the ClientHello body from client_version on, as Netty's SNI handler hands it over. */
    static boolean offers(ByteBuf hello, String protocol) {
        byte[] wanted = protocol.getBytes(StandardCharsets.US_ASCII);
        boolean[] offered = {false};
        ClientHelloLayout.forEachExtension(hello, (type, p, len) -> {
            if (type != EXT_ALPN) {
                return true;
            }
            offered[0] = lists(hello, p, len, wanted);
            return false; // one ALPN extension is all a hello may carry
        });
        return offered[0];
    }

    /** {@code wanted} in the ALPN extension body at {@code p} ({@code len} bytes, inside the buffer); no if malformed. */
    static boolean lists(ByteBuf hello, int p, int len, byte[] wanted) {
        if (len < 2) {
            return false;
        }
        int listEnd = Math.min(p + len, p + 2 + hello.getUnsignedShort(p));
        for (int q = p + 2; q < listEnd; ) {
            int n = hello.getUnsignedByte(q);
            if (q + 1 + n > listEnd) {
                return false; // malformed list: not offered
            }
            if (n == wanted.length && equal(hello, q + 1, wanted)) {
                return true;
            }
            q += 1 + n;
        }
        return false;
    }

    private static boolean equal(ByteBuf b, int at, byte[] wanted) {
        for (int i = 0; i < wanted.length; i++) {
            if (b.getByte(at + i) != wanted[i]) {
                return false;
            }
        }
        return true;
    }
}
