package io.edgeway.controlplane;

import java.util.Comparator;
import java.util.List;
import java.util.Set;

/** The admin app's own route table, read from Javalin's router: tests cover what is registered, not a hand list. */
record Routes(String method, String path) {
    static final Set<String> MUTATING = Set.of("POST", "PUT", "PATCH", "DELETE");

    static List<Routes> of(ControlPlane cp) {
        return cp.adminApp().unsafe.internalRouter.allHttpHandlers().stream()
                .map(p -> p.endpoint)
                .filter(e -> e.method.isHttpMethod())
                .map(e -> new Routes(e.method.name(), e.path))
                .distinct()
                .sorted(Comparator.comparing(Routes::path).thenComparing(Routes::method))
                .toList();
    }

    boolean mutating() {
        return MUTATING.contains(method);
    }

    /** A concrete path: every {param} becomes {@code value}. */
    String concrete(String value) {
        return path.replaceAll("\\{[^}]+}", value);
    }

    @Override
    public String toString() {
        return method + " " + path;
    }
}
