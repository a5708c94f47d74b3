package io.edgeway.dataplane;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** Sends bytes the JDK client would refuse to send and reads back the head of the answer. */
final class RawHttp {
    private RawHttp() {}

    /** The response's status line and headers, up to the blank line, plus whether the server then closed. */
    record Answer(String head, boolean closed) {
        int status() {
            return Integer.parseInt(head.split(" ", 3)[1]);
        }
    }

    static Answer send(int port, String request) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            s.getOutputStream().flush();
            InputStream in = s.getInputStream();
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            int b;
            while ((b = in.read()) >= 0) {
                head.write(b);
                if (head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
                    break;
                }
            }
            String h = head.toString(StandardCharsets.ISO_8859_1);
            int len = 0;
            for (String line : h.split("\r\n")) {
                if (line.toLowerCase().startsWith("content-length:")) {
                    len = Integer.parseInt(line.substring(15).trim());
                }
            }
            in.readNBytes(len);
            boolean closed = in.read() < 0;
            return new Answer(h, closed);
        }
    }
}
