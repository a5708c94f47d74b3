package io.edgeway.dataplane.tls;

import io.netty.buffer.ByteBuf;
import java.util.Set;

/**
 * Reads from a ClientHello whether the client can take an ECDSA certificate, so that a name served by an
 * ECDSA and an RSA certificate gets the ECDSA one (smaller, cheaper to sign) exactly when the client can
 * verify it: it offers an ECDSA signature scheme (signature_algorithms, RFC 8446 4.2.3) and either TLS 1.3
 * (where the suite says nothing about the key) or an ECDHE_ECDSA suite for TLS 1.2. Parses untrusted bytes:
 * every length is checked against the buffer, and anything malformed or absent answers "RSA" (the engine
 * then refuses a malformed hello itself).
 *
 * <p>Done here, before a context is chosen, because BoringSSL holds one certificate per connection: a
 * key manager offering both keys to netty-tcnative ends with whichever it set last.
 */
final class ClientHelloKeyType {
    private static final int EXT_SIGNATURE_ALGORITHMS = 13;
    private static final int EXT_SUPPORTED_VERSIONS = 43;
    private static final int TLS13 = 0x0304;
    private static final Set<Integer> ECDHE_ECDSA_SUITES = Set.of(
            0xC009, 0xC00A, 0xC023, 0xC024, 0xC02B, 0xC02C, 0xCCA9, 0xC0AC, 0xC0AD, 0xC0AE, 0xC0AF);

    private ClientHelloKeyType() {}

    /** {@code hello}: the ClientHello body from client_version on, as Netty's SNI handler hands it over. */
    static boolean acceptsEcdsa(ByteBuf hello) {
        int suites = ClientHelloLayout.suites(hello);
        if (suites < 0) {
            return false;
        }
        int suitesEnd = suites + 2 + hello.getUnsignedShort(suites);
        boolean ecdsaSuite = false;
        for (int q = suites + 2; q + 2 <= suitesEnd; q += 2) {
            ecdsaSuite |= ECDHE_ECDSA_SUITES.contains(hello.getUnsignedShort(q));
        }
        boolean[] ecdsaSchemeAndTls13 = {false, false};
        boolean wellFormed = ClientHelloLayout.forEachExtension(hello, (type, p, len) -> {
            if (type == EXT_SIGNATURE_ALGORITHMS && len >= 2) {
                int listEnd = Math.min(p + len, p + 2 + hello.getUnsignedShort(p));
                for (int q = p + 2; q + 2 <= listEnd; q += 2) {
                    int scheme = hello.getUnsignedShort(q);
                    int hash = scheme >>> 8;
                    // ecdsa_sha1 (0x0203), ecdsa_secp256r1_sha256 (0x0403), ..._sha384 (0x0503), ..._sha512 (0x0603)
                    ecdsaSchemeAndTls13[0] |= (scheme & 0xff) == 0x03 && (hash == 2 || hash == 4 || hash == 5 || hash == 6);
                }
            } else if (type == EXT_SUPPORTED_VERSIONS && len >= 1) {
                int listEnd = Math.min(p + len, p + 1 + hello.getUnsignedByte(p));
                for (int q = p + 1; q + 2 <= listEnd; q += 2) {
                    ecdsaSchemeAndTls13[1] |= hello.getUnsignedShort(q) == TLS13;
                }
            }
            return true;
        });
        return wellFormed && ecdsaSchemeAndTls13[0] && (ecdsaSchemeAndTls13[1] || ecdsaSuite);
    }
}
