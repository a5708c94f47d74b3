package io.edgeway.dataplane.routing;

import com.google.re2j.Pattern;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;

/**
 * One host bucket's paths. Regex paths ({@code ~...}, see {@link PathRegex}) are tried first, one after
 * the other in snapshot order, each anchored at the path's start; the first whose route allows the method
 * wins. Then a character trie of path prefixes with parent links: a lookup walks down the request path
 * once, then back up from the deepest node, so the longest prefix whose route allows the method wins
 * without recursion or allocation, whatever the number of prefix routes.
 */
final class PathTree {
    private static final RouteRule[] NO_ROUTES = new RouteRule[0];
    private static final Pattern[] NO_REGEXES = new Pattern[0];
    private static final char[] NO_KEYS = new char[0];
    private static final PathTree[] NO_CHILDREN = new PathTree[0];

    private final PathTree parent;
    /** The length of this node's prefix: only an explanation reads it, to name the prefix. */
    private final int depth;
    private char[] keys = NO_KEYS;
    private PathTree[] children = NO_CHILDREN;
    private RouteRule[] routes = NO_ROUTES;
    /** Regex paths of the bucket, in snapshot order; only set on the root. */
    private Pattern[] regexes = NO_REGEXES;
    private RouteRule[] regexRoutes = NO_ROUTES;

    private PathTree(PathTree parent) {
        this.parent = parent;
        this.depth = parent == null ? 0 : parent.depth + 1;
    }

    /**
     * The route for the path {@code path[start, end)} and {@code method}, or null. {@code trace} (null on the
     * proxy's hot path, where it costs one null check per candidate) hears each candidate as it is tried.
     */
    RouteRule match(String path, int start, int end, String method, RouteTrace trace) {
        if (regexes.length > 0) {
            CharSequence p = path.subSequence(start, end);
            for (int i = 0; i < regexes.length; i++) {
                if (trace != null) {
                    trace.regex(regexRoutes[i], PathRegex.MARKER + regexes[i].pattern(),
                            regexes[i].matcher(p).lookingAt(), regexRoutes[i].allowsMethod(method));
                }
                if (regexRoutes[i].allowsMethod(method) && regexes[i].matcher(p).lookingAt()) {
                    return regexRoutes[i];
                }
            }
        }
        PathTree node = this;
        for (int i = start; i < end; i++) {
            PathTree child = node.child(path.charAt(i));
            if (child == null) {
                break;
            }
            node = child;
        }
        for (PathTree n = node; n != null; n = n.parent) {
            for (RouteRule r : n.routes) {
                if (trace != null) {
                    trace.prefix(r, path.substring(start, start + n.depth), r.allowsMethod(method));
                }
                if (r.allowsMethod(method)) {
                    return r;
                }
            }
        }
        return null;
    }

    /** No route at all in this bucket (for an explanation). */
    boolean isEmpty() {
        return routes.length == 0 && keys.length == 0 && regexes.length == 0;
    }

    private PathTree child(char c) {
        char[] k = keys;
        if (k.length < 8) {
            for (int i = 0; i < k.length; i++) {
                if (k[i] == c) {
                    return children[i];
                }
            }
            return null;
        }
        int i = Arrays.binarySearch(k, c);
        return i < 0 ? null : children[i];
    }

    static final class Builder {
        private final TreeMap<Character, Builder> children = new TreeMap<>();
        private final List<RouteRule> routes = new ArrayList<>();
        private final List<Pattern> regexes = new ArrayList<>();
        private final List<RouteRule> regexRoutes = new ArrayList<>();

        void add(RouteRule route) {
            if (route.paths().isEmpty()) {
                addPath("", route);
            } else {
                for (String p : route.paths()) {
                    addPath(p, route);
                }
            }
        }

        private void addPath(String path, RouteRule route) {
            if (PathRegex.isRegex(path)) {
                regexes.add(PathRegex.compile(path));
                regexRoutes.add(route);
                return;
            }
            Builder node = this;
            for (int i = 0; i < path.length(); i++) {
                node = node.children.computeIfAbsent(path.charAt(i), c -> new Builder());
            }
            if (!node.routes.contains(route)) {
                node.routes.add(route);
            }
        }

        PathTree build() {
            PathTree root = build(null);
            root.regexes = regexes.toArray(NO_REGEXES);
            root.regexRoutes = regexRoutes.toArray(NO_ROUTES);
            return root;
        }

        private PathTree build(PathTree parent) {
            PathTree tree = new PathTree(parent);
            tree.routes = routes.isEmpty() ? NO_ROUTES : routes.toArray(NO_ROUTES);
            if (!children.isEmpty()) {
                tree.keys = new char[children.size()];
                tree.children = new PathTree[children.size()];
                int i = 0;
                for (var e : children.entrySet()) {
                    tree.keys[i] = e.getKey();
                    tree.children[i] = e.getValue().build(tree);
                    i++;
                }
            }
            return tree;
        }
    }
}
