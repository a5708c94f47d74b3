package io.edgeway.controlplane.cli;

import static java.util.Objects.requireNonNull;

import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code edgeway ctl}: the declarative config and admin tasks from a terminal or CI. Exit codes: 0 success,
 * 1 error or invalid input, and for {@code diff} 2 when the file differs from the running config (like decK),
 * so picocli's default of 2 for a usage error is moved to 1.
 */
@Command(name = "edgeway ctl", mixinStandardHelpOptions = true, version = "edgeway ctl 0.1.0",
        description = "Manage an Edgeway control plane through its admin API.",
        subcommands = {ConfigCommands.Apply.class, ConfigCommands.Diff.class, ConfigCommands.Validate.class,
                ConfigCommands.Export.class, GetCommand.class, TokenCommand.class, JoinTokenCommand.class,
                SiteCommand.class, ExplainCommand.class, RolloutCommand.class})
public final class EdgewayCtl implements Runnable {
    static final String DEFAULT_SERVER = "http://127.0.0.1:8001";

    /** Where the admin API is and who we are; on the top command and on each subcommand. */
    static class AdminOptions {
        @Option(names = "--server", paramLabel = "URL",
                description = "Admin API base URL (default: $EDGEWAY_ADMIN_URL, else " + DEFAULT_SERVER + ").")
        String server;

        @Option(names = "--token", paramLabel = "TOKEN",
                description = "Admin API token, sent as 'Authorization: Bearer' (default: $EDGEWAY_ADMIN_TOKEN).")
        String token;

        @Option(names = "--cacert", paramLabel = "FILE",
                description = "PEM file of the CA certificate(s) to trust for an https:// server instead of the JDK's "
                        + "defaults, e.g. the private CA that signed the admin API's certificate (default: $EDGEWAY_ADMIN_CA_FILE).")
        String caFile;
    }

    private final Map<String, String> env;

    @Mixin
    AdminOptions admin = new AdminOptions();

    @Spec
    CommandLine.Model.CommandSpec spec;

    public EdgewayCtl(Map<String, String> env) {
        this.env = Map.copyOf(requireNonNull(env, "env"));
    }

    public static void main(String[] args) {
        System.exit(commandLine(System.getenv()).execute(args));
    }

    /** The configured command line; tests call {@code execute} on it with their own output writers. */
    public static CommandLine commandLine(Map<String, String> env) {
        CommandLine cl = new CommandLine(new EdgewayCtl(env));
        setExitCodes(cl);
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (e instanceof CliException) {
                cmd.getErr().println("edgeway ctl: " + e.getMessage());
                cmd.getErr().flush();
                return 1;
            }
            throw e;
        });
        return cl;
    }

    private static void setExitCodes(CommandLine cl) {
        cl.getCommandSpec().exitCodeOnInvalidInput(1).exitCodeOnExecutionException(1);
        cl.getSubcommands().values().forEach(EdgewayCtl::setExitCodes);
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** A client for the subcommand's options, falling back to the top command's, then the environment. */
    AdminClient client(AdminOptions own) {
        String server = first(own.server, admin.server, env.get("EDGEWAY_ADMIN_URL"), DEFAULT_SERVER);
        String token = first(own.token, admin.token, env.get("EDGEWAY_ADMIN_TOKEN"), null);
        String caFile = first(own.caFile, admin.caFile, env.get("EDGEWAY_ADMIN_CA_FILE"), null);
        return new AdminClient(server, token, caFile == null ? null : TrustedCas.sslContext(caFile));
    }

    private static String first(String a, String b, String c, String d) {
        return a != null && !a.isBlank() ? a : b != null && !b.isBlank() ? b : c != null && !c.isBlank() ? c : d;
    }
}
