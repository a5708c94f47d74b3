package io.edgeway.controlplane.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code get routes|upstreams|nodes}: one table row per entity, columns padded to fit. */
@Command(name = "get", mixinStandardHelpOptions = true, description = "List routes, upstreams or nodes as a table.")
final class GetCommand implements Callable<Integer> {
    enum Kind { routes, upstreams, nodes }

    private static final Map<Kind, List<Column>> COLUMNS = Map.of(
            Kind.routes, List.of(new Column("NAME", n -> text(n, "name")), new Column("HOSTS", n -> list(n, "hosts", "*")),
                    new Column("PATHS", n -> list(n, "paths", "*")), new Column("METHODS", n -> list(n, "methods", "*")),
                    new Column("UPSTREAM", n -> text(n, "upstream"))),
            Kind.upstreams, List.of(new Column("NAME", n -> text(n, "name")), new Column("TARGETS", GetCommand::targets),
                    new Column("TAGS", n -> list(n, "tags", "-"))),
            Kind.nodes, List.of(new Column("ID", n -> text(n, "id")), new Column("ADDRESS", n -> text(n, "address")),
                    new Column("CONNECTED", n -> text(n, "connected")), new Column("APPLIED", n -> text(n, "applied_version")),
                    new Column("DESIRED", n -> text(n, "desired_version")), new Column("QUARANTINED", GetCommand::quarantined),
                    new Column("LAST_ERROR", n -> text(n, "last_error"))));

    private record Column(String title, Function<JsonNode, String> value) {}

    @Mixin
    AdminCall api = new AdminCall();

    @Parameters(paramLabel = "KIND", description = "One of: ${COMPLETION-CANDIDATES}.")
    Kind kind;

    @Override
    public Integer call() {
        JsonNode items = AdminClient.require(api.client().get("/api/v1/" + kind, "application/json")).json().path("data");
        List<Column> columns = COLUMNS.get(kind);
        List<List<String>> rows = new ArrayList<>();
        rows.add(columns.stream().map(Column::title).toList());
        items.forEach(item -> rows.add(columns.stream().map(c -> c.value().apply(item)).toList()));
        int[] widths = new int[columns.size()];
        rows.forEach(r -> {
            for (int i = 0; i < r.size(); i++) {
                widths[i] = Math.max(widths[i], r.get(i).length());
            }
        });
        PrintWriter out = api.out();
        for (List<String> r : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < r.size(); i++) {
                line.append(i == r.size() - 1 ? r.get(i) : String.format("%-" + (widths[i] + 2) + "s", r.get(i)));
            }
            out.println(line.toString().stripTrailing());
        }
        out.flush();
        return 0;
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.path(field);
        return v.isMissingNode() || v.isNull() ? "-" : v.asText();
    }

    /** Comma-separated values; {@code none} when empty ("*" where an empty match list means any). */
    private static String list(JsonNode n, String field, String none) {
        List<String> values = new ArrayList<>();
        n.path(field).forEach(v -> values.add(v.asText()));
        return values.isEmpty() ? none : String.join(",", values);
    }

    /**
     * What the applied version left out (issue 22), e.g. "2 (route shop,upstream pay)"; "-" when it applied whole.
     * Shown so "applied 42" is never read as "42 applied whole".
     */
    static String quarantined(JsonNode n) {
        List<String> values = new ArrayList<>();
        n.path("quarantined").forEach(q -> values.add(q.path("kind").asText() + " " + q.path("name").asText()));
        return values.isEmpty() ? "-" : values.size() + " (" + String.join(",", values) + ")";
    }

    private static String targets(JsonNode n) {
        List<String> values = new ArrayList<>();
        n.path("targets").forEach(t -> values.add(t.path("host").asText() + ":" + t.path("port").asText()
                + (t.path("weight").asInt(1) == 1 ? "" : "*" + t.path("weight").asText())));
        return values.isEmpty() ? "-" : String.join(",", values);
    }
}
