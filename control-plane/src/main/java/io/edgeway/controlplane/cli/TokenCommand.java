package io.edgeway.controlplane.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code token create}: asks the admin API for a new API token (POST /api/v1/tokens) and prints it once. */
@Command(name = "token", mixinStandardHelpOptions = true, description = "Manage admin API tokens.",
        subcommands = TokenCommand.Create.class)
final class TokenCommand extends CommandGroup {
    @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a token; its secret is shown only now.")
    static final class Create implements Callable<Integer> {
        @Mixin
        AdminCall api = new AdminCall();

        @Option(names = "--name", required = true, description = "A name for the token, e.g. ci-deploy.")
        String name;

        @Option(names = "--role", defaultValue = "read-only", description = "The token's role, e.g. admin or read-only (default: ${DEFAULT-VALUE}).")
        String role;

        @Override
        public Integer call() throws JsonProcessingException {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("name", name);
            body.put("role", role);
            JsonNode created = AdminClient.require(api.client().post("/api/v1/tokens", "application/json",
                    AdminClient.JSON.writeValueAsString(body))).json();
            api.print(created);
            return 0;
        }
    }
}
