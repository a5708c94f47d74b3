package io.edgeway.controlplane.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code explain URL [-X METHOD] [-H 'Name: value']... [--node ID]}: what a proxy would do with that request and
 * why (GET /api/v1/explain), as a short report: the answer, the route and each bucket and path tried in order,
 * the upstream with each target's health per node, the certificate and the route's rules. {@code --json} prints
 * the API's answer whole.
 */
@Command(name = "explain", mixinStandardHelpOptions = true,
        description = "Explain which route, upstream, targets, certificate and rules a proxy applies to a request.")
final class ExplainCommand implements Callable<Integer> {
    @Mixin
    AdminCall api = new AdminCall();

    @Parameters(index = "0", paramLabel = "URL", description = "The request's absolute URL, e.g. https://shop.example.com/api/x.")
    String url;

    @Option(names = {"-X", "--request"}, paramLabel = "METHOD", defaultValue = "GET", description = "The method (default: ${DEFAULT-VALUE}).")
    String method;

    @Option(names = {"-H", "--header"}, paramLabel = "'NAME: VALUE'", description = "A request header (repeatable), like curl's -H.")
    List<String> headers = new ArrayList<>();

    @Option(names = "--node", paramLabel = "ID", description = "Only this node's view of target health.")
    String node;

    @Option(names = "--json", description = "Print the admin API's JSON answer as it is.")
    boolean json;

    @Override
    public Integer call() throws JsonProcessingException {
        StringBuilder q = new StringBuilder("/api/v1/explain?url=").append(enc(url)).append("&method=").append(enc(method));
        headers.forEach(h -> q.append("&header=").append(enc(h)));
        if (node != null) {
            q.append("&node=").append(enc(node));
        }
        JsonNode e = AdminClient.require(api.client().get(q.toString(), "application/json")).json();
        PrintWriter out = api.out();
        if (json) {
            api.print(e);
        } else {
            print(e, out);
        }
        out.flush();
        return 0;
    }

    private static void print(JsonNode e, PrintWriter out) {
        out.printf("%s %s  (config version %s, request target %s)%n", e.path("method").asText(), e.path("url").asText(),
                e.path("version").asText(), e.path("request").path("target").asText());
        JsonNode a = e.path("answer");
        out.printf("answer: %s%s%s%n", a.has("status") ? a.path("status").asText() + " " : "", a.path("reason").asText(),
                a.has("location") ? " -> " + a.path("location").asText() : "");
        JsonNode route = e.path("route");
        out.println("route: " + (route.isObject() ? route.path("name").asText() + " (hosts " + list(route.path("hosts"))
                + ", paths " + list(route.path("paths")) + ", methods " + list(route.path("methods")) + ")" : "none"));
        if (e.has("routing")) {
            out.println("tried, in order:");
        }
        for (JsonNode b : e.path("routing")) {
            out.printf("  %s %s%s%n", b.path("bucket").asText(), b.path("host").asText(),
                    b.path("has_routes").asBoolean() ? "" : ": no routes");
            for (JsonNode t : b.path("tried")) {
                String verdict = t.path("won").asBoolean() ? "MATCH"
                        : !t.path("path_matches").asBoolean() ? "path does not match" : "method not allowed";
                out.printf("    %-6s %-24s route %-20s %s%n", t.path("kind").asText(), t.path("path").asText(),
                        t.path("route").asText(), verdict);
            }
        }
        JsonNode up = e.path("upstream");
        if (up.isObject()) {
            out.printf("upstream: %s (%s)%n", up.path("name").asText(), up.path("policy").asText());
            for (JsonNode t : up.path("targets")) {
                List<String> health = new ArrayList<>();
                t.path("health_by_node").forEach(h -> health.add(h.path("node").asText() + " "
                        + (h.path("healthy").asBoolean() ? "healthy" : "UNHEALTHY")
                        + (h.path("reason").asText().isEmpty() ? "" : " (" + h.path("reason").asText() + ")")));
                out.printf("  %s weight %s: %s%n", t.path("target").asText(), t.path("weight").asText(),
                        health.isEmpty() ? "no node has reported" : String.join(", ", health));
            }
        }
        JsonNode tls = e.path("tls");
        if (tls.isObject()) {
            out.printf("certificate: %s%s; ECDSA clients get %s, RSA-only clients get %s%s%n", tls.path("match").asText(),
                    tls.path("matched_name").isNull() ? "" : " " + tls.path("matched_name").asText(),
                    text(tls.path("for_ecdsa_clients")), text(tls.path("for_rsa_only_clients")),
                    tls.has("fallback") ? " (" + tls.path("fallback").asText() + ")" : "");
        }
        JsonNode rules = e.path("rules");
        if (rules.isObject()) {
            List<String> set = new ArrayList<>();
            rules.fields().forEachRemaining(r -> {
                if (!r.getValue().isNull() && !(r.getValue().isBoolean() && !r.getValue().asBoolean())) {
                    set.add(r.getKey() + "=" + r.getValue());
                }
            });
            out.println("rules: " + String.join(" ", set));
        }
    }

    private static String list(JsonNode n) {
        List<String> values = new ArrayList<>();
        n.forEach(v -> values.add(v.asText()));
        return values.isEmpty() ? "*" : String.join(",", values);
    }

    private static String text(JsonNode n) {
        return n.isNull() || n.isMissingNode() ? "-" : n.asText();
    }

    private static String enc(String s) {
        return AdminCall.segment(s);
    }
}
