package io.edgeway.dataplane.tls;

import io.netty.buffer.ByteBuf;

/**
 * What the context choice needs from a ClientHello, read in one walk over its extensions: whether the client
 * takes an ECDSA certificate ({@link ClientHelloKeyType}) and whether it offers "acme-tls/1" (RFC 7301 ALPN):
 * a TLS-ALPN-01 validation (RFC 8737) must get the challenge certificate instead of the name's own. Before
 * this, each was its own walk (plus Netty's for the server name), on every handshake. Parses untrusted bytes
 * through {@link ClientHelloLayout}'s checked walk; malformed input answers "RSA" and "not offered".
 */
final class ClientHelloFacts implements ClientHelloLayout.ExtensionVisitor {
    static final int ACCEPTS_ECDSA = 1;
    static final int OFFERS_ACME_TLS_ALPN = 2;

    private static final int EXT_SIGNATURE_ALGORITHMS = 13;
    private static final int EXT_ALPN = 16;
    private static final int EXT_SUPPORTED_VERSIONS = 43;
    private static final int TLS13 = 0x0304;
    private static final byte[] ACME_TLS_ALPN = AcmeTlsAlpn.PROTOCOL.getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private final ByteBuf hello;
    private boolean ecdsaScheme;
    private boolean tls13;
    private boolean acme;
    private boolean alpnSeen;

    private ClientHelloFacts(ByteBuf hello) {
        this.hello = hello;
    }

    /** {@link #ACCEPTS_ECDSA} and {@link #OFFERS_ACME_TLS_ALPN} as bits; {@code hello}: the body from client_version on. */
    static int read(ByteBuf hello) {
        int suites = ClientHelloLayout.suites(hello);
        if (suites < 0) {
            return 0;
        }
        ClientHelloFacts facts = new ClientHelloFacts(hello);
        if (!ClientHelloLayout.forEachExtension(hello, facts)) {
            return 0;
        }
        boolean ecdsa = facts.ecdsaScheme && (facts.tls13 || ClientHelloKeyType.offersEcdheEcdsaSuite(hello, suites));
        return (ecdsa ? ACCEPTS_ECDSA : 0) | (facts.acme ? OFFERS_ACME_TLS_ALPN : 0);
    }

    @Override
    public boolean visit(int type, int p, int len) {
        if (type == EXT_SIGNATURE_ALGORITHMS && len >= 2) {
            ecdsaScheme |= ClientHelloKeyType.listsEcdsaScheme(hello, p, len);
        } else if (type == EXT_SUPPORTED_VERSIONS && len >= 1) {
            int listEnd = Math.min(p + len, p + 1 + hello.getUnsignedByte(p));
            for (int q = p + 1; q + 2 <= listEnd; q += 2) {
                tls13 |= hello.getUnsignedShort(q) == TLS13;
            }
        } else if (type == EXT_ALPN && !alpnSeen) {
            // only the first (a hello with two is refused by the engine anyway)
            alpnSeen = true;
            acme = listsProtocol(hello, p, len, ACME_TLS_ALPN);
        }
        return true;
    }

    /** {@code wanted} in the ALPN extension body at {@code p} ({@code len} bytes, inside the buffer); no if malformed. */
    private static boolean listsProtocol(ByteBuf hello, int p, int len, byte[] wanted) {
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
