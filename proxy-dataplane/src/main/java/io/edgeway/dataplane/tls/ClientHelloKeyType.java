package io.edgeway.dataplane.tls;

import io.netty.buffer.ByteBuf;

/**
 * Reads from a ClientHello whether the client can take an ECDSA certificate, so that a name served by an
 * ECDSA and an RSA certificate gets the ECDSA one (smaller, cheaper to sign) exactly when the client can
 * verify it: it offers an ECDSA signature scheme (signature_algorithms, RFC 8446 4.2.3) and either TLS 1.3
 * (where the suite says nothing about the key) or an ECDHE_ECDSA suite for TLS 1.2. Parses untrusted bytes:
 * every length is checked against the buffer, and anything malformed or absent answers "RSA" (the engine
 * then refuses a malformed hello itself). The walk itself is {@link ClientHelloFacts}'s, shared with ALPN.
 *
 * <p>Done here, before a context is chosen, because BoringSSL holds one certificate per connection: a
 * key manager offering both keys to netty-tcnative ends with whichever it set last.
 */
final class ClientHelloKeyType {
    private ClientHelloKeyType() {}

    /** {@code hello}: the ClientHello body from client_version on, as Netty's SNI handler hands it over. */
    static boolean acceptsEcdsa(ByteBuf hello) {
        return (ClientHelloFacts.read(hello) & ClientHelloFacts.ACCEPTS_ECDSA) != 0;
    }

    /** An ECDHE_ECDSA suite in the list whose length field is at {@code suites} (checked by the layout). */
    static boolean offersEcdheEcdsaSuite(ByteBuf hello, int suites) {
        int suitesEnd = suites + 2 + hello.getUnsignedShort(suites);
        for (int q = suites + 2; q + 2 <= suitesEnd; q += 2) {
            switch (hello.getUnsignedShort(q)) {
                case 0xC009, 0xC00A, 0xC023, 0xC024, 0xC02B, 0xC02C, 0xCCA9, 0xC0AC, 0xC0AD, 0xC0AE, 0xC0AF -> {
                    return true;
                }
                default -> { }
            }
        }
        return false;
    }

    /** An ECDSA scheme in the signature_algorithms body at {@code p} ({@code len} bytes, inside the buffer). */
    static boolean listsEcdsaScheme(ByteBuf hello, int p, int len) {
        int listEnd = Math.min(p + len, p + 2 + hello.getUnsignedShort(p));
        for (int q = p + 2; q + 2 <= listEnd; q += 2) {
            int scheme = hello.getUnsignedShort(q);
            int hash = scheme >>> 8;
            // ecdsa_sha1 (0x0203), ecdsa_secp256r1_sha256 (0x0403), ..._sha384 (0x0503), ..._sha512 (0x0603)
            if ((scheme & 0xff) == 0x03 && (hash == 2 || hash == 4 || hash == 5 || hash == 6)) {
                return true;
            }
        }
        return false;
    }
}
