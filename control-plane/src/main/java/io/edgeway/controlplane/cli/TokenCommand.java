package io.edgeway.controlplane.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code token create}: asks the admin API for a new API token (POST /api/v1/tokens) and prints it once. */
@Command(name = "token", mixinStandardHelpOptions = true, description = "Manage admin API tokens.",
        subcommands = TokenCommand.Create.class)
final class TokenCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a token; its secret is shown only now.")
    static final class Create implements Callable<Integer> {
        @ParentCommand
        TokenCommand token;

        @Mixin
        EdgewayCtl.AdminOptions admin = new EdgewayCtl.AdminOptions();

        @Spec
        CommandSpec spec;

        @Option(names = "--name", required = true, description = "A name for the token, e.g. ci-deploy.")
        String name;

        @Option(names = "--role", defaultValue = "read-only", description = "The token's role, e.g. admin or read-only (default: ${DEFAULT-VALUE}).")
        String role;

        @Override
        public Integer call() throws JsonProcessingException {
            EdgewayCtl ctl = (EdgewayCtl) token.spec.parent().userObject();
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("name", name);
            body.put("role", role);
            JsonNode created = AdminClient.require(ctl.client(admin).post("/api/v1/tokens", "application/json",
                    AdminClient.JSON.writeValueAsString(body))).json();
            // The body's shape belongs to the tokens API; print it whole so nothing it says is lost.
            EdgewayCtl.out(spec).println(AdminClient.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(created));
            EdgewayCtl.out(spec).flush();
            return 0;
        }
    }
}
