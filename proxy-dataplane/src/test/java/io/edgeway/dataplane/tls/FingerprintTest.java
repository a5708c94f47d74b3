package io.edgeway.dataplane.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/**
 * The fingerprint that lets an unchanged certificate keep its context is encoded without copying the PEM text:
 * still the SHA-256 of the UTF-8 chain, a zero byte and the UTF-8 key, for ASCII text longer than the encoding
 * buffer and for text with other characters anywhere (a chain and key that differ only there differ).
 */
class FingerprintTest {
    private static String expected(String chain, String key) throws Exception {
        MessageDigest d = MessageDigest.getInstance("SHA-256");
        d.update(chain.getBytes(StandardCharsets.UTF_8));
        d.update((byte) 0);
        d.update(key.getBytes(StandardCharsets.UTF_8));
        return Base64.getEncoder().encodeToString(d.digest());
    }

    @Test
    void isTheDigestOfTheUtf8TextWhateverItHolds() throws Exception {
        String ascii = "-----BEGIN CERTIFICATE-----\n" + "QUJD".repeat(700) + "\n-----END CERTIFICATE-----\n";
        String[] texts = {"", ascii, "é" + ascii, ascii.substring(0, 1500) + "\u00e9\u4e2d\ud83d\ude00" + ascii.substring(1500),
                ascii + "\u00ff"};
        for (String chain : texts) {
            for (String key : texts) {
                assertThat(ParsedCertificate.fingerprint(chain, key)).isEqualTo(expected(chain, key));
            }
        }
        assertThat(ParsedCertificate.fingerprint(ascii + "\u00e9", "k")).isNotEqualTo(ParsedCertificate.fingerprint(ascii + "\u00e8", "k"));
    }
}
