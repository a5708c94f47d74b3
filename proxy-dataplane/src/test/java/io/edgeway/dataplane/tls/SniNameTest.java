package io.edgeway.dataplane.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * {@link SniName} accepts exactly what the regular expression it replaced accepts: for names built from labels
 * around the 63-character limit, hyphens at either end, wildcards in and out of place, empty labels, upper case
 * and non-ASCII letters; and for arbitrary short strings.
 */
class SniNameTest {
    /** The certificate SNI check before {@link SniName}: the reference. */
    private static final Pattern REFERENCE = Pattern.compile(
            "(\\*\\.)?[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*");

    @Property(tries = 5000)
    void acceptsWhatTheRegexAccepts(@ForAll("names") String name) {
        assertThat(SniName.isHostOrWildcard(name)).as("'%s'", name).isEqualTo(REFERENCE.matcher(name).matches());
    }

    @Property(tries = 2000)
    void acceptsWhatTheRegexAcceptsForAnyShortString(@ForAll("shortStrings") String name) {
        assertThat(SniName.isHostOrWildcard(name)).as("'%s'", name).isEqualTo(REFERENCE.matcher(name).matches());
    }

    @Example
    void labelLimitsAndWildcards() {
        String label63 = "a".repeat(63);
        assertThat(SniName.isHostOrWildcard(label63 + ".example.com")).isTrue();
        assertThat(SniName.isHostOrWildcard("a".repeat(64) + ".example.com")).isFalse();
        assertThat(SniName.isHostOrWildcard("*.example.com")).isTrue();
        assertThat(SniName.isHostOrWildcard("x-1.example.com")).isTrue();
        for (String bad : List.of("", "*", "*.", ".a", "a.", "a..b", "-a.b", "a-.b", "a.*.b", "**.a", "*a.b", "A.b", "é.b")) {
            assertThat(SniName.isHostOrWildcard(bad)).as("'%s'", bad).isFalse();
        }
    }

    @Provide
    Arbitrary<String> names() {
        Arbitrary<String> label = Arbitraries.oneOf(
                Arbitraries.strings().withChars("ab09-").ofMinLength(0).ofMaxLength(4),
                Arbitraries.strings().withChars("z-").ofMinLength(60).ofMaxLength(66),
                Arbitraries.of("*", "-", "A", "é", "", "a*", "_"));
        Arbitrary<String> labels = label.list().ofMinSize(1).ofMaxSize(5).map(parts -> String.join(".", parts));
        return Arbitraries.of("", "*.", "*", ".", "*..").flatMap(prefix -> labels.map(rest -> prefix + rest));
    }

    @Provide
    Arbitrary<String> shortStrings() {
        return Arbitraries.strings().withChars("a0-.*Z").ofMaxLength(8);
    }
}
