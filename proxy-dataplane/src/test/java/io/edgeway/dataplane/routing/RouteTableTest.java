package io.edgeway.dataplane.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RouteTableTest {

    static RouteRule route(String name, List<String> hosts, List<String> paths, Set<String> methods) {
        return new RouteRule(name, hosts, paths, methods, null, RouteTimeouts.DEFAULTS);
    }

    private static String match(RouteTable t, String host, String uri, String method) {
        RouteRule r = t.match(RouteTable.normalizeHost(host), uri, method);
        return r == null ? null : r.name();
    }

    @Test
    void exactHostBeatsWildcardAndLongestSuffixWins() {
        RouteTable t = RouteTable.compile(List.of(
                route("wild", List.of("*.example.com"), List.of(), Set.of()),
                route("wild-deep", List.of("*.api.example.com"), List.of(), Set.of()),
                route("exact", List.of("a.example.com"), List.of(), Set.of())));
        assertThat(match(t, "a.example.com", "/", "GET")).isEqualTo("exact");
        assertThat(match(t, "b.example.com", "/", "GET")).isEqualTo("wild");
        assertThat(match(t, "x.y.example.com", "/", "GET")).isEqualTo("wild");
        assertThat(match(t, "v1.api.example.com", "/", "GET")).isEqualTo("wild-deep");
        assertThat(match(t, "example.com", "/", "GET")).isNull();
    }

    @Test
    void hostIsNormalized() {
        RouteTable t = RouteTable.compile(List.of(route("r", List.of("Example.COM"), List.of(), Set.of())));
        assertThat(match(t, "EXAMPLE.com:8000", "/", "GET")).isEqualTo("r");
        assertThat(match(t, "example.com.", "/", "GET")).isEqualTo("r");
        assertThat(RouteTable.normalizeHost("[::1]:8000")).isEqualTo("[::1]");
        assertThat(RouteTable.normalizeHost(null)).isEmpty();
    }

    @Test
    void longestPathPrefixWinsAsPlainStringPrefix() {
        RouteTable t = RouteTable.compile(List.of(
                route("root", List.of(), List.of("/"), Set.of()),
                route("api", List.of(), List.of("/api"), Set.of()),
                route("v2", List.of(), List.of("/api/v2"), Set.of())));
        assertThat(match(t, "h", "/api/v2/users?x=/api/v2", "GET")).isEqualTo("v2");
        assertThat(match(t, "h", "/api/v1", "GET")).isEqualTo("api");
        assertThat(match(t, "h", "/apis", "GET")).isEqualTo("api"); // plain prefix, like Kong
        assertThat(match(t, "h", "/other", "GET")).isEqualTo("root");
        assertThat(match(t, "h", "http://h/api/v2", "GET")).isEqualTo("v2");
    }

    @Test
    void methodsFilterAndFallBackToShorterPrefix() {
        RouteTable t = RouteTable.compile(List.of(
                route("any", List.of(), List.of("/"), Set.of()),
                route("post-only", List.of(), List.of("/items"), Set.of("POST"))));
        assertThat(match(t, "h", "/items", "POST")).isEqualTo("post-only");
        assertThat(match(t, "h", "/items", "GET")).isEqualTo("any");
    }

    @Test
    void emptyHostsPathsAndMethodsMatchAnything() {
        RouteTable t = RouteTable.compile(List.of(route("all", List.of(), List.of(), Set.of())));
        assertThat(match(t, "whatever.test", "/x/y", "DELETE")).isEqualTo("all");
        assertThat(match(t, null, "", "GET")).isEqualTo("all");
    }

    @Test
    void hostSpecificBucketFallsThroughToCatchAll() {
        RouteTable t = RouteTable.compile(List.of(
                route("host-api", List.of("a.test"), List.of("/api"), Set.of()),
                route("catch-all", List.of(), List.of(), Set.of())));
        assertThat(match(t, "a.test", "/api/x", "GET")).isEqualTo("host-api");
        assertThat(match(t, "a.test", "/web", "GET")).isEqualTo("catch-all");
    }

    @Test
    void noMatch() {
        RouteTable t = RouteTable.compile(List.of(
                route("a", List.of("a.test"), List.of("/a"), Set.of("GET"))));
        assertThat(match(t, "b.test", "/a", "GET")).isNull();
        assertThat(match(t, "a.test", "/b", "GET")).isNull();
        assertThat(match(t, "a.test", "/a", "PUT")).isNull();
        assertThat(RouteTable.EMPTY.match("a.test", "/", "GET")).isNull();
    }

    @Test
    void firstRouteWinsOnEqualPrefix() {
        RouteTable t = RouteTable.compile(List.of(
                route("first", List.of(), List.of("/x"), Set.of()),
                route("second", List.of(), List.of("/x"), Set.of())));
        assertThat(match(t, "h", "/x", "GET")).isEqualTo("first");
    }

    @Test
    void manyRoutesStillMatch() {
        List<RouteRule> routes = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            routes.add(route("r" + i, List.of("h" + i + ".test"), List.of("/p" + i), Set.of()));
        }
        RouteTable t = RouteTable.compile(routes);
        assertThat(match(t, "h9999.test", "/p9999/x", "GET")).isEqualTo("r9999");
        assertThat(match(t, "h9999.test", "/p1", "GET")).isNull();
    }

    @Test
    void regexPathsComeBeforePrefixesInSnapshotOrderAnchoredAtTheStart() {
        RouteTable t = RouteTable.compile(List.of(
                route("long-prefix", List.of(), List.of("/users/4"), Set.of()),
                route("user", List.of(), List.of("~/users/[0-9]+$"), Set.of()),
                route("any-user", List.of(), List.of("~/users/"), Set.of("GET")),
                route("posts", List.of(), List.of("/posts", "~/p/[a-z]+"), Set.of())));
        assertThat(match(t, "h", "/users/42", "GET")).isEqualTo("user");
        assertThat(match(t, "h", "/users/42?q=1", "GET")).isEqualTo("user");
        assertThat(match(t, "h", "/users/42/x", "GET")).isEqualTo("any-user");
        assertThat(match(t, "h", "/users/42/x", "POST")).isEqualTo("long-prefix");
        assertThat(match(t, "h", "/x/users/42", "GET")).isNull();
        assertThat(match(t, "h", "/p/abc/1", "GET")).isEqualTo("posts");
        assertThat(match(t, "h", "/posts", "GET")).isEqualTo("posts");
        assertThat(match(t, "h", "http://h/users/7", "GET")).isEqualTo("user");
    }

    @Test
    void aMoreSpecificHostBucketWinsOverARegexInALessSpecificOne() {
        RouteTable t = RouteTable.compile(List.of(
                route("any-regex", List.of(), List.of("~/a"), Set.of()),
                route("host-prefix", List.of("h.test"), List.of("/"), Set.of())));
        assertThat(match(t, "h.test", "/a", "GET")).isEqualTo("host-prefix");
        assertThat(match(t, "other", "/a", "GET")).isEqualTo("any-regex");
    }

    @Test
    void catastrophicRegexMatchesInLinearTime() {
        RouteTable t = RouteTable.compile(List.of(
                route("evil", List.of(), List.of("~/(a+)+$"), Set.of()),
                route("rest", List.of(), List.of("/"), Set.of())));
        assertThat(match(t, "h", "/" + "a".repeat(100_000) + "!", "GET")).isEqualTo("rest");
        assertThat(match(t, "h", "/" + "a".repeat(100_000), "GET")).isEqualTo("evil");
    }

    @Test
    void regexCompilationRefusesNestedRepetitionAndBadSyntax() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> PathRegex.compile("~/(((a{1000}){1000}){1000})"))
                .hasMessageContaining("nested repetition");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> PathRegex.compile("~/(a"))
                .hasMessageContaining("invalid regular expression");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> PathRegex.compile("~"))
                .hasMessageContaining("empty");
        assertThat(PathRegex.repeatProduct("/[0-9]{4}-[0-9]{2}")).isEqualTo(4);
        assertThat(PathRegex.repeatProduct("/(a{10}b{5}){20}")).isEqualTo(200);
        assertThat(PathRegex.repeatProduct("/[{]{999}\\{5}")).isEqualTo(999);
        assertThat(PathRegex.compile("~/(a{10}){100}").matcher("/" + "a".repeat(1000)).matches()).isTrue();
    }
}
