package io.edgeway.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * A chunked body over the limit is read to its end before the 413 goes out (a bounded lingering drain, as nginx
 * does), so the answer cannot be lost to a reset from unread bytes, and the connection stays usable: the next
 * request on the same socket is answered. Without the drain the server answers and closes with the rest unread.
 */
class ChunkedRefusalTest extends RunningControlPlane {
    @Test
    void aRefusedChunkedBodyIsReadToItsEndAndTheConnectionAnswersTheNextRequest() throws Exception {
        long revision = db.revision();
        try (Socket s = new Socket("127.0.0.1", cp.adminPort())) {
            s.setSoTimeout(20_000);
            OutputStream out = s.getOutputStream();
            out.write(("POST /api/v1/upstreams HTTP/1.1\r\nHost: cp\r\nAuthorization: Bearer " + Http.ADMIN_TOKEN
                    + "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            byte[] chunk = "a".repeat(64 * 1024).getBytes(StandardCharsets.US_ASCII);
            for (int i = 0; i < 32; i++) { // 2 MiB, twice the limit
                out.write((Integer.toHexString(chunk.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(chunk);
                out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
            }
            out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            String refused = readAnswer(in);
            assertThat(refused).startsWith("HTTP/1.1 413").contains("application/problem+json");

            out.write("GET /healthz HTTP/1.1\r\nHost: cp\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            assertThat(readAnswer(in)).startsWith("HTTP/1.1 200");
        }
        assertThat(db.revision()).isEqualTo(revision);
    }

    /** One answer with a Content-Length body (what the admin API sends), head and body. */
    private static String readAnswer(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed after: " + head.toString(StandardCharsets.ISO_8859_1));
            }
            head.write(b);
        }
        String h = head.toString(StandardCharsets.ISO_8859_1);
        int length = 0;
        for (String line : h.split("\r\n")) {
            if (line.toLowerCase().startsWith("content-length:")) {
                length = Integer.parseInt(line.substring(15).trim());
            }
        }
        return h + new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }
}
