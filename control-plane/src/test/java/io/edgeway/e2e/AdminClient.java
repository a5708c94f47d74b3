package io.edgeway.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;

/** Talks to the admin API the way an operator's script would: JSON over HTTP. */
final class AdminClient {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    /** The admin token the tests start every control plane with. */
    static final String TOKEN = "e2e-admin-token-0123456789";

    private final String base;

    AdminClient(String base) {
        this.base = base;
    }

    record Reply(int status, long revision, JsonNode body) {}

    Reply get(String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(base + path)).GET());
    }

    Reply post(String path, String json) throws IOException, InterruptedException {
        return send(withJson(path, json).POST(BodyPublishers.ofString(json)));
    }

    Reply put(String path, String json) throws IOException, InterruptedException {
        return send(withJson(path, json).PUT(BodyPublishers.ofString(json)));
    }

    Reply delete(String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(base + path)).DELETE());
    }

    private HttpRequest.Builder withJson(String path, String json) {
        return HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/json");
    }

    private Reply send(HttpRequest.Builder request) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(request.timeout(Duration.ofSeconds(10))
                        .header("Authorization", "Bearer " + TOKEN).build(),
                BodyHandlers.ofString());
        long revision = response.headers().firstValueAsLong("Edgeway-Revision").orElse(-1);
        String body = response.body();
        return new Reply(response.statusCode(), revision, body.isEmpty() ? null : JSON.readTree(body));
    }
}
