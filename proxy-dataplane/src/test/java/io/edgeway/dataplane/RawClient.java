package io.edgeway.dataplane;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * An HTTP/1.1 client on a raw socket that shows what came over the wire: interim (1xx) heads, the final
 * head, the body as framed (Content-Length, chunked or until close) and chunked trailers. For the cases
 * where the exact bytes matter and the JDK client would hide them.
 */
final class RawClient implements AutoCloseable {
    /** Header names are lower-cased; {@code chunked} tells how the body was framed. */
    record Response(List<String> interim, int status, Map<String, String> headers, byte[] body, boolean chunked,
            Map<String, String> trailers) {
        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    RawClient(int port) throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(20_000);
        in = socket.getInputStream();
        out = socket.getOutputStream();
    }

    RawClient send(String text) throws IOException {
        return send(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    RawClient send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
        return this;
    }

    /** The next head, interim or final: status line and headers, without the blank line. */
    String readHead() throws IOException {
        StringBuilder head = new StringBuilder();
        String line;
        while (!(line = readLine()).isEmpty()) {
            head.append(line).append("\r\n");
        }
        return head.toString();
    }

    /** Reads 1xx heads until the final response, then its body; {@code head} for the answer to a HEAD. */
    Response read(boolean head) throws IOException {
        List<String> interim = new ArrayList<>();
        String h = readHead();
        while (status(h) < 200 && status(h) != 101) {
            interim.add(h);
            h = readHead();
        }
        int status = status(h);
        Map<String, String> headers = fields(h.substring(h.indexOf("\r\n") + 2));
        Map<String, String> trailers = new LinkedHashMap<>();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        boolean chunked = "chunked".equalsIgnoreCase(headers.get("transfer-encoding"));
        if (head || status == 204 || status == 304) {
            // no body, whatever the framing headers say
        } else if (chunked) {
            int size;
            while ((size = Integer.parseInt(readLine().split(";", 2)[0].trim(), 16)) > 0) {
                body.write(readN(size));
                readLine();
            }
            StringBuilder t = new StringBuilder();
            String line;
            while (!(line = readLine()).isEmpty()) {
                t.append(line).append("\r\n");
            }
            trailers = fields(t.toString());
        } else if (headers.containsKey("content-length")) {
            body.write(readN(Integer.parseInt(headers.get("content-length"))));
        } else {
            body.write(in.readAllBytes());
        }
        return new Response(interim, status, headers, body.toByteArray(), chunked, trailers);
    }

    /** Whether the server closed the connection (read returns EOF) rather than sending more. */
    boolean closedByPeer() throws IOException {
        try {
            return in.read() < 0;
        } catch (java.net.SocketException e) {
            return true; // reset: closed too
        }
    }

    static int status(String head) {
        return Integer.parseInt(head.split(" ", 3)[1]);
    }

    private static Map<String, String> fields(String lines) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String line : lines.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                m.merge(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim(),
                        (a, b) -> a + ", " + b);
            }
        }
        return m;
    }

    private byte[] readN(int n) throws IOException {
        byte[] b = in.readNBytes(n);
        if (b.length < n) {
            throw new EOFException("expected " + n + " bytes, got " + b.length);
        }
        return b;
    }

    private String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != '\n') {
            if (b < 0) {
                throw new EOFException("connection closed mid-line: " + line);
            }
            line.write(b);
        }
        String s = line.toString(StandardCharsets.ISO_8859_1);
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
