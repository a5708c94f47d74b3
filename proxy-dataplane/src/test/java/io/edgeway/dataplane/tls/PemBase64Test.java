package io.edgeway.dataplane.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * {@link PemBase64} decodes a range of a text exactly as the MIME decoder decodes its substring: the same bytes,
 * or the same exception, for texts made of base64 quanta, partial quanta, padding, line breaks, spaces, and the
 * characters the decoder skips or refuses; and for whole random byte bodies.
 */
class PemBase64Test {
    private static final List<String> PIECES = List.of("QUJD", "TWFu", "+/9z", "QQ==", "TWE=", "Q", "QU", "QUI", "=", "==",
            "\n", "\r\n", " ", "\t", "-", "!", "é", "\u0000");

    @Property(tries = 5000)
    void decodesAsTheMimeDecoderDoes(@ForAll("bodies") String body, @ForAll("margins") String before, @ForAll("margins") String after) {
        String text = before + body + after;
        int from = before.length(), to = from + body.length();
        assertThat(outcome(() -> PemBase64.decode(text, from, to))).as("%s", body.replace("\n", "\\n"))
                .isEqualTo(outcome(() -> Base64.getMimeDecoder().decode(text.substring(from, to))));
    }

    @Property(tries = 500)
    void decodesWhatAPemWriterWrites(@ForAll byte[] der) {
        String body = "\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der) + "\n";
        assertThat(PemBase64.decode("-" + body + "-", 1, body.length() + 1)).isEqualTo(der);
    }

    @Example
    void aPaddedQuantumAndLineBreaks() {
        assertThat(PemBase64.decode("xTWFu\r\nTWE=x", 1, 11)).containsExactly('M', 'a', 'n', 'M', 'a');
    }

    /** Found by the property above in CI: the MIME decoder wants a two-'=' ending written together. */
    @Example
    void paddingSplitByALineBreakIsRefusedAsTheMimeDecoderRefusesIt() {
        String text = "QUITWE=\n=";
        assertThat(outcome(() -> PemBase64.decode(text, 0, text.length()))).isEqualTo(IllegalArgumentException.class);
        assertThat(PemBase64.decode("QUITWE==\n", 0, 9)).containsExactly(65, 66, 19, 88);
    }

    @Provide
    Arbitrary<String> bodies() {
        return Arbitraries.of(PIECES).list().ofMaxSize(10).map(parts -> String.join("", parts));
    }

    @Provide
    Arbitrary<String> margins() {
        return Arbitraries.of("", "QUJD", "=", "-----", "\n");
    }

    /** The bytes as a list, or the exception's class: the two must agree on both. */
    private static Object outcome(java.util.function.Supplier<byte[]> read) {
        try {
            return Arrays.toString(read.get());
        } catch (RuntimeException e) {
            return e.getClass();
        }
    }
}
