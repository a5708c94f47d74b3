package io.edgeway.controlplane.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code site deploy|list|deployments|rollback}: static sites (/api/v1/sites). */
@Command(name = "site", mixinStandardHelpOptions = true, description = "Deploy and roll back static sites.",
        subcommands = {SiteCommand.Deploy.class, SiteCommand.List.class, SiteCommand.Deployments.class,
                SiteCommand.Rollback.class})
final class SiteCommand extends CommandGroup {
    @Command(name = "deploy", mixinStandardHelpOptions = true,
            description = "Upload a build directory as a new deployment: only files the control plane lacks are sent.")
    static final class Deploy implements Callable<Integer> {
        @Mixin
        AdminCall api = new AdminCall();

        @Option(names = "--name", required = true, description = "The site's name, e.g. shop.")
        String name;

        @Option(names = "--activate", description = "Make it the deployment the site serves once uploaded.")
        boolean activate;

        @Parameters(index = "0", paramLabel = "DIR", description = "The build output directory, e.g. ./dist.")
        Path dir;

        @Override
        public Integer call() throws IOException {
            SiteDirectory site = SiteDirectory.read(dir);
            AdminClient client = api.client();
            Map<String, Object> manifest = Map.of("files", site.files().stream().map(f -> {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("path", f.path());
                m.put("sha256", f.sha256());
                m.put("size", f.size());
                return m;
            }).toList());
            JsonNode created = AdminClient.require(client.post("/api/v1/sites/" + AdminCall.segment(name) + "/deployments",
                    "application/json", AdminClient.JSON.writeValueAsString(manifest))).json();
            String id = created.path("id").asText();
            Map<String, SiteDirectory.Entry> byHash = new HashMap<>();
            site.files().forEach(f -> byHash.putIfAbsent(f.sha256(), f));
            long bytes = 0;
            int uploaded = 0;
            for (JsonNode missing : created.path("missing")) {
                SiteDirectory.Entry f = byHash.get(missing.asText());
                if (f == null) {
                    throw new CliException("the control plane asked for " + missing.asText() + ", which is no file of " + dir);
                }
                byte[] content = Files.readAllBytes(f.file());
                AdminClient.require(client.put("/api/v1/sites/blobs/" + f.sha256(), "application/octet-stream", content));
                bytes += content.length;
                uploaded++;
            }
            PrintWriter out = api.out();
            out.printf("deployment %s of site %s: %d files, uploaded %d (%d bytes), %d already stored%n", id, name,
                    site.files().size(), uploaded, bytes, byHash.size() - uploaded);
            if (activate) {
                JsonNode active = AdminClient.require(client.post("/api/v1/sites/" + AdminCall.segment(name) + "/deployments/"
                        + AdminCall.segment(id) + "/activate", "application/json", "")).json();
                out.printf("active: %s%n", active.path("active_deployment").asText());
            }
            out.flush();
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List sites and their active deployments.")
    static final class List implements Callable<Integer> {
        @Mixin
        AdminCall api = new AdminCall();

        @Override
        public Integer call() throws JsonProcessingException {
            api.print(AdminClient.require(api.client().get("/api/v1/sites", "application/json")).json());
            return 0;
        }
    }

    @Command(name = "deployments", mixinStandardHelpOptions = true, description = "List a site's deployments, newest first.")
    static final class Deployments implements Callable<Integer> {
        @Mixin
        AdminCall api = new AdminCall();

        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Override
        public Integer call() throws JsonProcessingException {
            api.print(AdminClient.require(api.client().get("/api/v1/sites/" + AdminCall.segment(name) + "/deployments",
                    "application/json")).json());
            return 0;
        }
    }

    @Command(name = "rollback", mixinStandardHelpOptions = true,
            description = "Serve the previously active deployment again, or the one given with --to.")
    static final class Rollback implements Callable<Integer> {
        @Mixin
        AdminCall api = new AdminCall();

        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Option(names = "--to", paramLabel = "ID", description = "The deployment to serve (default: the one active before).")
        String to;

        @Override
        public Integer call() throws JsonProcessingException {
            String body = to == null ? "" : AdminClient.JSON.writeValueAsString(Map.of("to", to));
            api.print(AdminClient.require(api.client().post("/api/v1/sites/" + AdminCall.segment(name) + "/rollback",
                    "application/json", body)).json());
            return 0;
        }
    }
}
