package io.edgeway.controlplane.cli;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;

/** The admin API over HTTP, as the CLI uses it: every call carries the bearer token when there is one. */
final class AdminClient {
    static final ObjectMapper JSON = new ObjectMapper();

    /** One answer from the admin API. */
    record Response(int status, String body, String contentType) {
        boolean ok() {
            return status / 100 == 2;
        }

        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (JsonProcessingException e) {
                throw new CliException("the admin API answered " + status + " with a body that is not JSON: " + abbreviate(body));
            }
        }
    }

    private final HttpClient client;
    private final String server;
    private final String token;

    AdminClient(String server, String token) {
        this(server, token, null);
    }

    /** With {@code trusting} (from --cacert), an https:// server is verified against those CAs only. */
    AdminClient(String server, String token, SSLContext trusting) {
        this.server = requireNonNull(server, "server").replaceAll("/+$", "");
        this.token = token == null || token.isBlank() ? null : token;
        HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10));
        this.client = (trusting == null ? b : b.sslContext(trusting)).build();
    }

    Response get(String path, String accept) {
        return send(HttpRequest.newBuilder(uri(path)).header("Accept", accept).GET());
    }

    Response post(String path, String contentType, String body) {
        return send(HttpRequest.newBuilder(uri(path)).header("Content-Type", contentType).header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    /** A binary body (a static site's file). */
    Response put(String path, String contentType, byte[] body) {
        return send(HttpRequest.newBuilder(uri(path)).header("Content-Type", contentType).header("Accept", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(body)));
    }

    Response delete(String path) {
        return send(HttpRequest.newBuilder(uri(path)).header("Accept", "application/json").DELETE());
    }

    /** The answer when it is a 2xx; otherwise a CliException with the problem's detail and field errors. */
    static Response require(Response r) {
        if (r.ok()) {
            return r;
        }
        StringBuilder msg = new StringBuilder("the admin API refused (" + r.status() + ")");
        try {
            JsonNode p = JSON.readTree(r.body());
            if (p.hasNonNull("detail")) {
                msg.append(": ").append(p.get("detail").asText());
            }
            for (JsonNode e : p.path("errors")) {
                msg.append("\n  ").append(e.path("field").asText()).append("  ").append(e.path("message").asText());
            }
        } catch (JsonProcessingException e) {
            msg.append(": ").append(abbreviate(r.body()));
        }
        if (r.status() == 401 || r.status() == 403) {
            msg.append("\n(set --token or EDGEWAY_ADMIN_TOKEN to a token allowed to do this)");
        }
        throw new CliException(msg.toString());
    }

    private URI uri(String path) {
        try {
            return URI.create(server + path);
        } catch (IllegalArgumentException e) {
            throw new CliException("--server: " + server + " (expected: a URL like http://127.0.0.1:8001)");
        }
    }

    private Response send(HttpRequest.Builder b) {
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        HttpRequest request = b.timeout(Duration.ofSeconds(60)).build();
        try {
            HttpResponse<String> r = client.send(request, HttpResponse.BodyHandlers.ofString());
            return new Response(r.statusCode(), r.body(), r.headers().firstValue("Content-Type").orElse(""));
        } catch (SSLException e) {
            throw new CliException("TLS with the admin API at " + server + " failed (" + e.getMessage()
                    + "); for a certificate from a private CA, give that CA with --cacert FILE or EDGEWAY_ADMIN_CA_FILE");
        } catch (IOException e) {
            throw new CliException("cannot reach the admin API at " + server + " (" + e + "); set --server or EDGEWAY_ADMIN_URL");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException("interrupted");
        }
    }

    private static String abbreviate(String s) {
        return s.length() > 200 ? s.substring(0, 197) + "..." : s;
    }
}
