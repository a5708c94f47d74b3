package io.edgeway.controlplane.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code join-token create|list|delete}: the tokens new proxies join the fleet with (/api/v1/join-tokens). */
@Command(name = "join-token", mixinStandardHelpOptions = true, description = "Manage join tokens for new proxies.",
        subcommands = {JoinTokenCommand.Create.class, JoinTokenCommand.List.class, JoinTokenCommand.Delete.class})
final class JoinTokenCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    private static AdminClient client(JoinTokenCommand parent, EdgewayCtl.AdminOptions admin) {
        return ((EdgewayCtl) parent.spec.parent().userObject()).client(admin);
    }

    private static void print(CommandSpec spec, JsonNode json) throws JsonProcessingException {
        EdgewayCtl.out(spec).println(AdminClient.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(json));
        EdgewayCtl.out(spec).flush();
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Create a join token; it is shown only now. Give it to proxies as EDGEWAY_JOIN_TOKEN.")
    static final class Create implements Callable<Integer> {
        @ParentCommand
        JoinTokenCommand parent;

        @Mixin
        EdgewayCtl.AdminOptions admin = new EdgewayCtl.AdminOptions();

        @Spec
        CommandSpec spec;

        @Option(names = "--name", description = "A name for the token (default: join-<current time>).")
        String name;

        @Option(names = "--ttl", defaultValue = "24h", description = "How long it can be used, e.g. 1h, 24h, 7d (default: ${DEFAULT-VALUE}).")
        String ttl;

        @Override
        public Integer call() throws JsonProcessingException {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("name", name != null ? name : "join-" + System.currentTimeMillis() / 1000);
            body.put("ttl", ttl);
            print(spec, AdminClient.require(client(parent, admin).post("/api/v1/join-tokens", "application/json",
                    AdminClient.JSON.writeValueAsString(body))).json());
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List join tokens (never their secrets).")
    static final class List implements Callable<Integer> {
        @ParentCommand
        JoinTokenCommand parent;

        @Mixin
        EdgewayCtl.AdminOptions admin = new EdgewayCtl.AdminOptions();

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws JsonProcessingException {
            print(spec, AdminClient.require(client(parent, admin).get("/api/v1/join-tokens", "application/json")).json());
            return 0;
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true,
            description = "Revoke a join token; proxies that already joined keep their certificates.")
    static final class Delete implements Callable<Integer> {
        @ParentCommand
        JoinTokenCommand parent;

        @Mixin
        EdgewayCtl.AdminOptions admin = new EdgewayCtl.AdminOptions();

        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Override
        public Integer call() {
            AdminClient.require(client(parent, admin).delete("/api/v1/join-tokens/" + URLEncoder.encode(name, StandardCharsets.UTF_8)));
            return 0;
        }
    }
}
