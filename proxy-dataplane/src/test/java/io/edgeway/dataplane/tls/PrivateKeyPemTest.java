package io.edgeway.dataplane.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * {@link PrivateKeyPem} finds the same key block as the pattern it replaced, on texts made of the pieces that decide
 * a match: BEGIN and END lines, base64, whitespace, a '-' and other characters, in any order and number.
 */
class PrivateKeyPemTest {
    /** The pattern NewCertificateCheck and ParsedCertificate used, as the reference. */
    private static final Pattern REFERENCE = Pattern.compile(
            "-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END PRIVATE KEY-----");
    private static final List<String> PIECES = List.of("-----BEGIN PRIVATE KEY-----", "-----END PRIVATE KEY-----",
            "-----BEGIN CERTIFICATE-----", "QUJD", "QQ==", "TWFu", "=", "\n", "\r\n", " ", "\t", "\u000B", "-", "!", "é",
            "-----BEGIN PRIVATE KEY", "PRIVATE KEY-----");

    @Property(tries = 3000)
    void findsWhatTheRegexFound(@ForAll("pems") String pem) {
        assertThat(outcome(() -> PrivateKeyPem.der(pem))).as("%s", pem.replace("\n", "\\n"))
                .isEqualTo(outcome(() -> reference(pem)));
    }

    @Example
    void aBadFirstBlockLeavesTheSecondToBeFound() {
        String pem = "-----BEGIN PRIVATE KEY-----\n!\n-----END PRIVATE KEY-----\n"
                + "-----BEGIN PRIVATE KEY-----\nTWFu\n-----END PRIVATE KEY-----\n";
        assertThat(PrivateKeyPem.der(pem)).containsExactly('M', 'a', 'n');
    }

    @Example
    void aBlockWithoutBodyOrEndIsNone() {
        assertThat(PrivateKeyPem.der("-----BEGIN PRIVATE KEY----------END PRIVATE KEY-----")).isNull();
        assertThat(PrivateKeyPem.der("-----BEGIN PRIVATE KEY-----\nTWFu\n")).isNull();
        assertThat(PrivateKeyPem.der("")).isNull();
    }

    @Provide
    Arbitrary<String> pems() {
        return Arbitraries.of(PIECES).list().ofMaxSize(12).map(parts -> String.join("", parts));
    }

    private static byte[] reference(String pem) {
        Matcher m = REFERENCE.matcher(pem);
        return m.find() ? Base64.getMimeDecoder().decode(m.group(1)) : null;
    }

    /** The bytes as a list (or "none"), or the exception's class: the two must agree on all three. */
    private static Object outcome(java.util.function.Supplier<byte[]> read) {
        try {
            byte[] der = read.get();
            return der == null ? "none" : Arrays.toString(der);
        } catch (RuntimeException e) {
            return e.getClass();
        }
    }
}
