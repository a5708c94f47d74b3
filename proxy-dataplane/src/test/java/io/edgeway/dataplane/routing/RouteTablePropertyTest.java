package io.edgeway.dataplane.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** The compiled table must agree with the obvious linear matcher on any route set. */
class RouteTablePropertyTest {
    private static final List<String> HOSTS = List.of("a.com", "b.a.com", "x.b.a.com", "*.a.com", "*.b.a.com",
            "*.com", "other.net");
    private static final List<String> REQUEST_HOSTS = List.of("a.com", "b.a.com", "c.b.a.com", "x.b.a.com",
            "z.com", "other.net", "none");
    private static final List<String> PATHS = List.of("/", "/a", "/ab", "/a/b", "/b", "/a/bc",
            "~/a[b/]", "~/a/b?c$", "~/(a+)+$", "~/[a-z]$");
    private static final List<String> REQUEST_PATHS = List.of("/", "/a", "/ab", "/abc", "/a/b/c", "/b", "",
            "/a/bc?q=1", "/z", "/aaaa", "/a/c", "/aaa!");
    private static final List<String> METHODS = List.of("GET", "POST", "PUT");

    record Request(String host, String path, String method) {}

    @Provide
    Arbitrary<List<RouteRule>> routes() {
        Arbitrary<RouteRule> route = Combinators.combine(
                Arbitraries.of(HOSTS).list().ofMaxSize(2),
                Arbitraries.of(PATHS).list().ofMaxSize(2),
                Arbitraries.of(METHODS).set().ofMaxSize(2))
                .as((h, p, m) -> new RouteRule("r", h, p, m, null, RouteTimeouts.DEFAULTS));
        return route.list().ofMaxSize(12).map(list -> {
            List<RouteRule> named = new ArrayList<>();
            for (int i = 0; i < list.size(); i++) {
                RouteRule r = list.get(i);
                named.add(new RouteRule("r" + i, r.hosts(), r.paths(), r.methods(), null, r.timeouts()));
            }
            return named;
        });
    }

    @Provide
    Arbitrary<List<Request>> requests() {
        return Combinators.combine(Arbitraries.of(REQUEST_HOSTS), Arbitraries.of(REQUEST_PATHS),
                Arbitraries.of(METHODS)).as(Request::new).list().ofMinSize(1).ofMaxSize(20);
    }

    @Property(tries = 500)
    void compiledTableAgreesWithLinearScan(@ForAll("routes") List<RouteRule> routes,
            @ForAll("requests") List<Request> requests) {
        RouteTable table = RouteTable.compile(routes);
        for (Request req : requests) {
            RouteRule expected = naive(routes, req);
            RouteRule actual = table.match(req.host(), req.path(), req.method());
            assertThat(actual == null ? null : actual.name())
                    .as("%s on %s", req, routes)
                    .isEqualTo(expected == null ? null : expected.name());
        }
    }

    /**
     * The admin API's explain (issue 22) runs the router's own loop with a trace: it returns what the proxy's match
     * returns, every step it reports is true of the request (a regex said to match does match, a prefix offered is a
     * prefix of the path, the method verdicts are the route's), and the one step marked as won is the last, naming
     * the returned route; no route, no winner.
     */
    @Property(tries = 300)
    void explainReturnsWhatMatchReturnsAndItsTraceIsTrue(@ForAll("routes") List<RouteRule> routes,
            @ForAll("requests") List<Request> requests) {
        RouteTable table = RouteTable.compile(routes);
        for (Request req : requests) {
            List<String> steps = new ArrayList<>();
            List<RouteRule> winners = new ArrayList<>();
            String path = req.path().indexOf('?') < 0 ? req.path() : req.path().substring(0, req.path().indexOf('?'));
            RouteRule explained = table.explain(req.host(), req.path(), req.method(), new RouteTrace() {
                @Override
                public void bucket(Bucket kind, String key, boolean present) {
                    steps.add("bucket " + kind + " " + key);
                }

                @Override
                public void regex(RouteRule route, String regex, boolean pathMatches, boolean methodAllowed) {
                    assertThat(pathMatches).as("%s on %s", regex, path)
                            .isEqualTo(java.util.regex.Pattern.compile(regex.substring(1)).matcher(path).lookingAt());
                    assertThat(methodAllowed).isEqualTo(route.allowsMethod(req.method()));
                    steps.add("regex " + regex);
                    if (pathMatches && methodAllowed) {
                        winners.add(route);
                    }
                }

                @Override
                public void prefix(RouteRule route, String prefix, boolean methodAllowed) {
                    assertThat(path).startsWith(prefix);
                    assertThat(route.paths().isEmpty() || route.paths().contains(prefix)).as("%s of %s", prefix, route).isTrue();
                    assertThat(methodAllowed).isEqualTo(route.allowsMethod(req.method()));
                    steps.add("prefix " + prefix);
                    if (methodAllowed) {
                        winners.add(route);
                    }
                }
            });
            RouteRule matched = table.match(req.host(), req.path(), req.method());
            assertThat(explained).as("%s on %s", req, routes).isSameAs(matched);
            if (matched == null) {
                assertThat(winners).as("%s: %s", req, steps).isEmpty();
                assertThat(steps).contains("bucket ANY *"); // every bucket was tried, down to the routes without hosts
            } else {
                assertThat(winners).as("%s: %s", req, steps).containsExactly(matched);
                assertThat(steps.get(steps.size() - 1)).doesNotStartWith("bucket"); // it won last: nothing after it
            }
        }
    }

    /**
     * Best by (host rank, regex before prefix, then earlier index for regexes and the longer prefix for
     * prefixes, then earlier index). A regex path matches when it matches at the path's start.
     */
    static RouteRule naive(List<RouteRule> routes, Request req) {
        String path = req.path();
        int q = path.indexOf('?');
        if (q >= 0) {
            path = path.substring(0, q);
        }
        RouteRule best = null;
        int bestHost = -1;
        int bestPrefix = -1;
        for (RouteRule r : routes) {
            int host = hostRank(r, req.host());
            int prefix = prefixLength(r, path);
            if (host < 0 || prefix < 0 || !r.allowsMethod(req.method())) {
                continue;
            }
            if (host > bestHost || (host == bestHost && prefix > bestPrefix)) {
                best = r;
                bestHost = host;
                bestPrefix = prefix;
            }
        }
        return best;
    }

    private static int hostRank(RouteRule r, String host) {
        if (r.hosts().isEmpty()) {
            return 0;
        }
        int rank = -1;
        for (String h : new LinkedHashSet<>(r.hosts())) {
            if (h.equals(host)) {
                rank = Math.max(rank, 1_000_000);
            } else if (h.startsWith("*.")) {
                String suffix = h.substring(1);
                if (host.endsWith(suffix) && host.length() > suffix.length()) {
                    rank = Math.max(rank, suffix.length());
                }
            }
        }
        return rank;
    }

    private static int prefixLength(RouteRule r, String path) {
        if (r.paths().isEmpty()) {
            return 0;
        }
        int best = -1;
        for (String p : r.paths()) {
            if (p.startsWith("~")) {
                if (java.util.regex.Pattern.compile(p.substring(1)).matcher(path).lookingAt()) {
                    return Integer.MAX_VALUE; // any regex match beats every prefix; the earlier route wins
                }
            } else if (path.startsWith(p)) {
                best = Math.max(best, p.length());
            }
        }
        return best;
    }
}
