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

    @Provide
    Arbitrary<String> paths() {
        Arbitrary<String> segment = Arbitraries.oneOf(
                Arbitraries.of("", ".", "..", "%2e", "%2E%2e", ".%2e", "a", "B", "%41", "%7e", "%7E", "%2a",
                        "%20", "%25", "%2f", "%5c", "%00", "%", "%g1", "\\", "x.y", "..a", "~"),
                Arbitraries.strings().withChars("abc.%~-_").ofMaxLength(4));
        return segment.list().ofMaxSize(8).map(list -> "/" + String.join("/", list));
    }

    @Property(tries = 2000)
    void normalisingTwiceIsNormalisingOnce(@ForAll("paths") String path) {
        String once = PathNormalizer.normalize(path);
        if (once != null) {
            assertThat(PathNormalizer.normalize(once)).isEqualTo(once);
        }
    }

    @Property(tries = 2000)
    void noDotSegmentSurvives(@ForAll("paths") String path) {
        String out = PathNormalizer.normalize(path);
        if (out != null) {
            assertThat(out).startsWith("/").doesNotContain("/./", "/../").doesNotEndWith("/.")
                    .doesNotEndWith("/..").doesNotContainIgnoringCase("%2f").doesNotContain("\\");
            assertThat(out.split("/", -1)).doesNotContain(".", "..");
        }
    }
}
