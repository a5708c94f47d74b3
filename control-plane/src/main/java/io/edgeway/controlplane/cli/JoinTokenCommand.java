package io.edgeway.controlplane.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code join-token create|list|delete}: the tokens new proxies join the fleet with (/api/v1/join-tokens). */
@Command(name = "join-token", mixinStandardHelpOptions = true, description = "Manage join tokens for new proxies.",
        subcommands = {JoinTokenCommand.Create.class, JoinTokenCommand.List.class, JoinTokenCommand.Delete.class})
final class JoinTokenCommand extends CommandGroup {
    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Create a join token; it is shown only now. Give it to proxies as EDGEWAY_JOIN_TOKEN.")
    static final class Create implements Callable<Integer> {
        @Mixin
        AdminCall api = new AdminCall();

        @Option(names = "--name", description = "A name for the token (default: join-<current time>).")
        String name;

        @Option(names = "--ttl", defaultValue = "24h", description = "How long it can be used, e.g. 1h, 24h, 7d (default: ${DEFAULT-VALUE}).")
        String ttl;

        @Override
        public Integer call() throws JsonProcessingException {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("name", name != null ? name : "join-" + System.currentTimeMillis() / 1000);
            body.put("ttl", ttl);
            api.print(AdminClient.require(api.client().post("/api/v1/join-tokens", "application/json",
                    AdminClient.JSON.writeValueAsString(body))).json());
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List join tokens (never their secrets).")
    static final class List implements Callable<Integer> {
        @Mixin
        AdminCall api = new AdminCall();

        @Override
        public Integer call() throws JsonProcessingException {
            api.print(AdminClient.require(api.client().get("/api/v1/join-tokens", "application/json")).json());
            return 0;
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true,
            description = "Revoke a join token; proxies that already joined keep their certificates.")
    static final class Delete implements Callable<Integer> {
        @Mixin
        AdminCall api = new AdminCall();

        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Override
        public Integer call() {
            AdminClient.require(api.client().delete("/api/v1/join-tokens/" + AdminCall.segment(name)));
            return 0;
        }
    }
}
