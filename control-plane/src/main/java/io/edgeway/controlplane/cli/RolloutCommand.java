package io.edgeway.controlplane.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code rollout list|show|pause|resume|promote|abort}: the canary rollouts of /api/v1/rollouts. */
@Command(name = "rollout", mixinStandardHelpOptions = true, description = "Watch and steer canary rollouts of config.",
        subcommands = {RolloutCommand.ListRollouts.class, RolloutCommand.Show.class, RolloutCommand.Pause.class,
                RolloutCommand.Resume.class, RolloutCommand.Promote.class, RolloutCommand.Abort.class})
final class RolloutCommand extends CommandGroup {

    /** One line per rollout: id, state, revision (from previous), selector, reason. */
    static void printLine(PrintWriter out, JsonNode r) {
        out.println(r.path("id").asLong() + "  " + r.path("state").asText() + "  revision " + r.path("revision").asLong()
                + " (from " + r.path("previous_revision").asLong() + ")  selector " + r.path("selector").asText()
                + "  bake " + r.path("bake").asText()
                + "  limits 5xx " + r.path("max_error_ratio").asText() + " p99 " + r.path("max_p99_ratio").asText() + "x"
                + " min " + r.path("min_requests").asText()
                + (r.path("fallback_node").isTextual() ? "  fallback node " + r.path("fallback_node").asText() : "")
                + (r.path("reason").isNull() || r.path("reason").isMissingNode() ? "" : "  reason: " + r.path("reason").asText()));
    }

    abstract static class Sub implements Callable<Integer> {
        @Mixin
        AdminCall api = new AdminCall();

        AdminClient client() {
            return api.client();
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Rollouts, newest first.")
    static final class ListRollouts extends Sub {
        @Override
        public Integer call() {
            PrintWriter out = api.out();
            for (JsonNode r : AdminClient.require(client().get("/api/v1/rollouts", "application/json")).json().path("data")) {
                printLine(out, r);
            }
            out.flush();
            return 0;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "One rollout and where each node stands.")
    static final class Show extends Sub {
        @Parameters(index = "0", paramLabel = "ID", description = "The rollout's number.")
        long id;

        @Override
        public Integer call() {
            JsonNode r = AdminClient.require(client().get("/api/v1/rollouts/" + id, "application/json")).json();
            PrintWriter out = api.out();
            printLine(out, r);
            for (JsonNode n : r.path("nodes")) {
                out.println("  " + (n.path("canary").asBoolean() ? "canary " : "other  ") + n.path("id").asText()
                        + "  desired " + n.path("desired_version").asLong() + "  applied " + n.path("applied_version").asLong()
                        + (n.path("rejected_version").isNumber() ? "  rejected " + n.path("rejected_version").asLong() : "")
                        + (n.path("quarantined").isEmpty() ? "" : "  quarantined " + GetCommand.quarantined(n))
                        + (n.path("connected").asBoolean() ? "" : "  (disconnected)"));
            }
            out.flush();
            return 0;
        }
    }

    /** pause, resume, promote, abort: a POST that answers with the rollout. */
    abstract static class Move extends Sub {
        @Parameters(index = "0", paramLabel = "ID", description = "The rollout's number.")
        long id;

        abstract String action();

        @Override
        public Integer call() {
            JsonNode r = AdminClient.require(client().post("/api/v1/rollouts/" + id + "/" + action(), "application/json", "")).json();
            printLine(api.out(), r);
            api.out().flush();
            return 0;
        }
    }

    @Command(name = "pause", mixinStandardHelpOptions = true, description = "Stop the bake clock and the automatic decisions.")
    static final class Pause extends Move {
        String action() {
            return "pause";
        }
    }

    @Command(name = "resume", mixinStandardHelpOptions = true, description = "Bake again, from the start.")
    static final class Resume extends Move {
        String action() {
            return "resume";
        }
    }

    @Command(name = "promote", mixinStandardHelpOptions = true, description = "Send the revision to every node now.")
    static final class Promote extends Move {
        String action() {
            return "promote";
        }
    }

    @Command(name = "abort", mixinStandardHelpOptions = true,
            description = "Roll back: the previous content returns as a new revision on every node.")
    static final class Abort extends Move {
        String action() {
            return "abort";
        }
    }
}
