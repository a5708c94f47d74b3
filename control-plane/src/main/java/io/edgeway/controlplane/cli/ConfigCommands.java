package io.edgeway.controlplane.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** apply, diff, validate and export: the declarative config file against POST/GET /api/v1/config. */
final class ConfigCommands {
    private ConfigCommands() {}

    /** What every file command shares: the options, the file, and printing a plan. */
    abstract static class FileCommand implements Callable<Integer> {
        @Mixin
        AdminCall api = new AdminCall();

        @Option(names = {"-f", "--file"}, required = true, paramLabel = "FILE",
                description = "The config document: YAML, or JSON when the name ends in .json.")
        Path file;

        /** The server's dry-run plan (or the applied plan) for the file. */
        JsonNode send(boolean dryRun) {
            return send(dryRun ? "?dry_run=true" : "");
        }

        JsonNode send(String query) {
            String body;
            try {
                body = Files.readString(file, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new CliException("cannot read " + file + ": " + e.getMessage());
            }
            String type = file.toString().endsWith(".json") ? "application/json" : "application/yaml";
            AdminClient.Response r = api.client().post("/api/v1/config" + query, type, body);
            return AdminClient.require(r).json();
        }

        /** Prints problems to stderr; true when there were any. */
        boolean printProblems(JsonNode plan) {
            if (plan.path("problems").isEmpty()) {
                return false;
            }
            PrintWriter err = api.err();
            err.println(file + " is invalid:");
            for (JsonNode p : plan.path("problems")) {
                err.println("  " + p.path("field").asText() + "  " + p.path("message").asText());
            }
            err.flush();
            return true;
        }

        /** Terraform-like lines: + create, ~ update (fields), - delete; unchanged entities only counted. */
        void printPlan(JsonNode plan) {
            PrintWriter out = api.out();
            for (JsonNode c : plan.path("created")) {
                out.println("+ " + c.path("kind").asText() + " " + c.path("name").asText());
            }
            for (JsonNode c : plan.path("updated")) {
                out.println("~ " + c.path("kind").asText() + " " + c.path("name").asText() + " (" + String.join(", ",
                        AdminClient.JSON.convertValue(c.path("fields"), String[].class)) + ")");
            }
            for (JsonNode c : plan.path("deleted")) {
                out.println("- " + c.path("kind").asText() + " " + c.path("name").asText());
            }
            out.println(plan.path("created").size() + " to create, " + plan.path("updated").size() + " to update, "
                    + plan.path("deleted").size() + " to delete, " + plan.path("unchanged").size() + " unchanged");
            out.flush();
        }

        static boolean changes(JsonNode plan) {
            return !plan.path("created").isEmpty() || !plan.path("updated").isEmpty() || !plan.path("deleted").isEmpty();
        }
    }

    @Command(name = "apply", mixinStandardHelpOptions = true,
            description = "Make the file the whole config: create, update and delete to match, in one revision.")
    static final class Apply extends FileCommand {
        @Option(names = "--canary", description = "Roll the revision out to the canary nodes first (see 'rollout').")
        boolean canary;

        @Option(names = "--selector", paramLabel = "SELECTOR",
                description = "With --canary: the canary nodes, key=value[,key=value] or N% (server default canary=true).")
        String selector;

        @Option(names = "--bake", paramLabel = "DURATION",
                description = "With --canary: how long the canary nodes are watched before promotion (server default 60s).")
        String bake;

        @Option(names = "--max-p99-ratio", paramLabel = "RATIO",
                description = "With --canary: roll back when a route's p99 on the canaries exceeds RATIO times the others' (server default 2).")
        String maxP99Ratio;

        @Option(names = "--max-error-ratio", paramLabel = "RATIO",
                description = "With --canary: roll back when a route's 5xx ratio on the canaries exceeds RATIO (server default 0.05).")
        String maxErrorRatio;

        @Option(names = "--min-requests", paramLabel = "N",
                description = "With --canary: requests a route needs on the canaries before it can decide (server default 20).")
        String minRequests;

        @Override
        public Integer call() {
            java.util.Map<String, String> params = new java.util.LinkedHashMap<>();
            params.put("selector", selector);
            params.put("bake", bake);
            params.put("max_p99_ratio", maxP99Ratio);
            params.put("max_error_ratio", maxErrorRatio);
            params.put("min_requests", minRequests);
            params.values().removeIf(java.util.Objects::isNull);
            if (!canary && !params.isEmpty()) {
                throw new CliException("--selector, --bake and the limits need --canary");
            }
            StringBuilder query = new StringBuilder(canary ? "?rollout=canary" : "");
            params.forEach((k, v) -> query.append('&').append(k).append('=')
                    .append(java.net.URLEncoder.encode(v, java.nio.charset.StandardCharsets.UTF_8)));
            JsonNode plan = send(query.toString()); // a 422 comes back as a CliException listing every problem
            printPlan(plan);
            if (canary && changes(plan)) {
                api.out().println("canary rollout started: see 'edgeway ctl rollout list'");
            }
            api.out().println((changes(plan) ? "applied as revision " : "nothing to apply; revision ")
                    + plan.path("revision").asLong());
            api.out().flush();
            return 0;
        }
    }

    @Command(name = "diff", mixinStandardHelpOptions = true,
            description = "Show what apply would change. Exit 0: no difference, 2: differs, 1: error or invalid file.")
    static final class Diff extends FileCommand {
        @Override
        public Integer call() {
            JsonNode plan = send(true);
            if (printProblems(plan)) {
                return 1;
            }
            printPlan(plan);
            return changes(plan) ? 2 : 0;
        }
    }

    @Command(name = "validate", mixinStandardHelpOptions = true,
            description = "Check the file on the server (a dry run) without changing anything. Exit 0: valid, 1: invalid.")
    static final class Validate extends FileCommand {
        @Override
        public Integer call() {
            if (printProblems(send(true))) {
                return 1;
            }
            api.out().println(file + " is valid");
            api.out().flush();
            return 0;
        }
    }

    @Command(name = "export", mixinStandardHelpOptions = true,
            description = "Write the current config as a YAML document that apply takes back unchanged.")
    static final class Export implements Callable<Integer> {
        @Mixin
        AdminCall api = new AdminCall();

        @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write to FILE instead of stdout.")
        Path output;

        @Override
        public Integer call() {
            String yaml = AdminClient.require(api.client().get("/api/v1/config?format=yaml", "application/yaml")).body();
            if (output == null) {
                api.out().print(yaml);
                api.out().flush();
                return 0;
            }
            try {
                Files.writeString(output, yaml, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new CliException("cannot write " + output + ": " + e.getMessage());
            }
            return 0;
        }
    }
}
