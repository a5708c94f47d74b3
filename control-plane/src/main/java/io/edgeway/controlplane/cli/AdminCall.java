package io.edgeway.controlplane.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The one mixin of every command that calls the admin API: the admin options ({@code --server}, {@code --token},
 * {@code --cacert}), the {@link AdminClient} they give (falling back to the top command's options and the
 * environment), and the command's output. A command declares {@code @Mixin AdminCall api = new AdminCall();}.
 */
class AdminCall extends EdgewayCtl.AdminOptions {
    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    /** A client for these options; the top command ({@code edgeway ctl}) supplies defaults and the environment. */
    AdminClient client() {
        for (CommandSpec s = command; s != null; s = s.parent()) {
            if (s.userObject() instanceof EdgewayCtl ctl) {
                return ctl.client(this);
            }
        }
        throw new IllegalStateException("no edgeway ctl above " + command.qualifiedName());
    }

    PrintWriter out() {
        return command.commandLine().getOut();
    }

    PrintWriter err() {
        return command.commandLine().getErr();
    }

    /** Prints a JSON answer whole and indented: its shape belongs to the API, so nothing it says is lost. */
    void print(JsonNode json) throws JsonProcessingException {
        out().println(AdminClient.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(json));
        out().flush();
    }

    /** One URL path segment (a name from the command line). */
    static String segment(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
