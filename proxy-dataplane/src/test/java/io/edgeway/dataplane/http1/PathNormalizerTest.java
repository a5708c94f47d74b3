package io.edgeway.dataplane.http1;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class PathNormalizerTest {
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "/|/",
        "/a/b|/a/b",
        "//admin|//admin",
        "/a//b/|/a//b/",
        "/public/../admin|/admin",
        "/a/./b|/a/b",
        "/a/.|/a/",
        "/a/..|/",
        "/a/b/..|/a/",
        "/a/b/../../c|/c",
        "/x/%2e%2e/y|/y",
        "/a/%2E%2e/b|/b",
        "/%61dmin|/admin",
        "/%7euser|/~user",
        "/a%2a|/a%2A",
        "/a%c0%ae|/a%C0%AE",
        "/%252e|/%252e",
        "/admin;x|/admin;x",
        "/.well-known/x|/.well-known/x",
        "/a/.b/..c|/a/.b/..c",
        "/ADMIN|/ADMIN",
    })
    void normalises(String in, String out) {
        assertThat(PathNormalizer.normalize(in)).isEqualTo(out);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/..", "/../x", "/a/../../x", "/%2e%2e/x", "/a%2Fb", "/a%2f", "/a%5Cb", "/a%5c",
        "/a%00", "/a\\b", "/a%", "/a%2", "/a%zz", "", "a/b"})
    void refuses(String in) {
        assertThat(PathNormalizer.normalize(in)).isNull();
    }

    @org.junit.jupiter.api.Test
    void aPlainPathIsReturnedAsIsWithoutAllocating() {
        String p = "/api/v1/users/42/style.css";
        assertThat(PathNormalizer.normalize(p)).isSameAs(p);
    }

    /**
     * Paths the normaliser must accept: segments with dot segments (plain and encoded), encoded unreserved and
     * reserved characters, but no encoded separator, NUL, backslash or broken escape; as many plain segments
     * in front as there are segments, so no {@code ..} climbs above the root.
     */
    @Provide
    Arbitrary<String> acceptedPaths() {
        Arbitrary<String> segment = Arbitraries.oneOf(
                Arbitraries.of("", ".", "..", "%2e", "%2E%2e", ".%2e", "a", "B", "%41", "%7e", "%7E", "%2a",
                        "%20", "%25", "x.y", "..a", "~"),
                Arbitraries.strings().withChars("abc.~-_").ofMaxLength(4));
        return segment.list().ofMaxSize(8).map(list -> "/p".repeat(list.size()) + "/" + String.join("/", list));
    }

    /** What makes a path refused wherever it appears: an encoded separator or NUL, a backslash, a broken escape. */
    @Provide
    Arbitrary<String> refusedSegments() {
        return Arbitraries.of("%2f", "%2F", "%5c", "%5C", "%00", "\\", "a\\b", "%", "%2", "%g1", "%zz");
    }

    @Property(tries = 2000)
    void everyAcceptablePathIsAccepted(@ForAll("acceptedPaths") String path) {
        assertThat(PathNormalizer.normalize(path)).as(path).isNotNull();
    }

    @Property(tries = 2000)
    void normalisingTwiceIsNormalisingOnce(@ForAll("acceptedPaths") String path) {
        String once = PathNormalizer.normalize(path);
        assertThat(once).as(path).isNotNull();
        assertThat(PathNormalizer.normalize(once)).isEqualTo(once);
    }

    @Property(tries = 2000)
    void noDotSegmentSurvives(@ForAll("acceptedPaths") String path) {
        String out = PathNormalizer.normalize(path);
        assertThat(out).as(path).isNotNull().startsWith("/").doesNotContain("/./", "/../").doesNotEndWith("/.")
                .doesNotEndWith("/..").doesNotContain("\\");
        assertThat(out.split("/", -1)).doesNotContain(".", "..");
        assertThat(out.toLowerCase(java.util.Locale.ROOT)).doesNotContain("%2e", "%41", "%7e"); // unreserved: decoded
    }

    @Property(tries = 2000)
    void aRefusedPieceAnywhereRefusesThePath(@ForAll("acceptedPaths") String path,
            @ForAll("refusedSegments") String refused, @ForAll boolean asSegment) {
        String attacked = asSegment ? path + "/" + refused + "/x" : path + refused;
        assertThat(PathNormalizer.normalize(attacked)).as(attacked).isNull();
    }
}
