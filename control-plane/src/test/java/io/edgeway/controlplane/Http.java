package io.edgeway.controlplane;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** A small JSON client for the admin API over a real loopback socket, sending a bearer token. */
public final class Http {
    static final ObjectMapper JSON = new ObjectMapper();
    /** The admin token every test control plane is started with (see {@link TestDatabase#settings()}). */
    public static final String ADMIN_TOKEN = "ew_test-admin-token-0123456789abcdef";

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final String base;
    private final String token;

    /** A client with the test admin token. */
    public Http(int port) {
        this(port, ADMIN_TOKEN);
    }

    /** A client sending {@code token} as Bearer, or no Authorization at all when null. */
    public Http(int port, String token) {
        this.base = "http://127.0.0.1:" + port;
        this.token = token;
    }

    /** One answer: status, body and its headers. */
    public record Response(int status, String body, String contentType, String revision, HttpHeaders headers) {
        public String header(String name) {
            return headers.firstValue(name).orElse(null);
        }

        public String etag() {
            return header("ETag");
        }

        public JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (JsonProcessingException e) {
                throw new AssertionError("not JSON: " + body, e);
            }
        }

        public long revisionNumber() {
            if (revision == null) {
                throw new AssertionError("no Edgeway-Revision header; status " + status + " body " + body);
            }
            return Long.parseLong(revision);
        }
    }

    public Response get(String path) {
        return send("GET", path, null, null);
    }

    public Response delete(String path) {
        return send("DELETE", path, null, null);
    }

    public Response post(String path, String json) {
        return send("POST", path, "application/json", json);
    }

    public Response put(String path, String json) {
        return send("PUT", path, "application/json", json);
    }

    public Response patch(String path, String json) {
        return send("PATCH", path, "application/json", json);
    }

    public Response send(String method, String path, String contentType, String body) {
        return send(method, path, contentType, body, Map.of());
    }

    public Response send(String method, String path, String contentType, String body, Map<String, String> headers) {
        return publish(method, path, contentType,
                body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body), headers);
    }

    /** Sends {@code body} chunked (Transfer-Encoding: chunked, no Content-Length), over HTTP/1.1. */
    public Response sendChunked(String method, String path, String contentType, String body) {
        return publish(method, path, contentType,
                HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofString(body)), Map.of());
    }

    /** Sends raw bytes, for bodies that are not valid UTF-8. */
    public Response sendBytes(String method, String path, String contentType, byte[] body) {
        return publish(method, path, contentType, HttpRequest.BodyPublishers.ofByteArray(body), Map.of());
    }

    /**
     * Sends over a plain socket with {@code Expect: 100-continue}, writing the body only once the server
     * asks for it. A body the server refuses up front (413) is then never sent; otherwise its close while a
     * large body is still arriving can reset the connection before the answer is read (and the JDK 17
     * client does not handle a final answer to Expect).
     */
    public Response sendExpectingContinue(String method, String path, String contentType, String body) {
        URI uri = URI.create(base + path);
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        try (Socket socket = new Socket(uri.getHost(), uri.getPort())) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            StringBuilder head = new StringBuilder(method + " " + path + " HTTP/1.1\r\nHost: " + uri.getHost() + ":" + uri.getPort()
                    + "\r\nContent-Length: " + bytes.length + "\r\nExpect: 100-continue\r\nConnection: close\r\n");
            if (contentType != null) {
                head.append("Content-Type: ").append(contentType).append("\r\n");
            }
            if (token != null) {
                head.append("Authorization: Bearer ").append(token).append("\r\n");
            }
            out.write(head.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            while (true) {
                int status = Integer.parseInt(line(in).split(" ")[1]);
                Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
                for (String h = line(in); !h.isEmpty(); h = line(in)) {
                    int colon = h.indexOf(':');
                    headers.computeIfAbsent(h.substring(0, colon).trim(), k -> new ArrayList<>()).add(h.substring(colon + 1).trim());
                }
                if (status == 100) {
                    out.write(bytes);
                    out.flush();
                    continue;
                }
                List<String> length = headers.get("Content-Length");
                byte[] answer = length == null ? in.readAllBytes() : in.readNBytes(Integer.parseInt(length.get(0)));
                HttpHeaders hs = HttpHeaders.of(headers, (a, b) -> true);
                return new Response(status, new String(answer, StandardCharsets.UTF_8), hs.firstValue("Content-Type").orElse(null),
                        hs.firstValue("Edgeway-Revision").orElse(null), hs);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String line(DataInputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) {
                throw new IOException("connection closed mid-line: " + sb);
            }
            if (c != '\r') {
                sb.append((char) c);
            }
        }
        return sb.toString();
    }

    private Response publish(String method, String path, String contentType, HttpRequest.BodyPublisher body,
                          Map<String, String> headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(Long.getLong("edgeway.test.httpTimeoutSeconds", 30))) // longer for a bench on a loaded machine
                .method(method, body);
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        headers.forEach(b::header);
        try {
            HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new Response(r.statusCode(), r.body(), r.headers().firstValue("Content-Type").orElse(null),
                    r.headers().firstValue("Edgeway-Revision").orElse(null), r.headers());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
