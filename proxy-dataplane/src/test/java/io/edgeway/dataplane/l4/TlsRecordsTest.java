package io.edgeway.dataplane.l4;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.edgeway.dataplane.tls.ClientHelloSni;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Finding a ClientHello across TLS records, and its server name, from untrusted first bytes. */
class TlsRecordsTest {
    /** A ClientHello body (client_version on) with one server_name extension naming {@code name}. */
    static byte[] helloBody(String name) {
        byte[] host = name.getBytes(StandardCharsets.US_ASCII);
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(3); b.write(3);
        b.writeBytes(new byte[32]);             // random
        b.write(0);                             // session id
        b.write(0); b.write(2); b.write(0x13); b.write(0x01); // one suite
        b.write(1); b.write(0);                 // compression: null
        int sniLen = 2 + 3 + host.length;
        int extLen = 4 + sniLen;
        b.write(extLen >> 8); b.write(extLen);
        b.write(0); b.write(0);                 // server_name
        b.write(sniLen >> 8); b.write(sniLen);
        b.write((sniLen - 2) >> 8); b.write(sniLen - 2);
        b.write(0);                             // host_name
        b.write(host.length >> 8); b.write(host.length);
        b.writeBytes(host);
        return b.toByteArray();
    }

    /** The handshake message split over records of at most {@code recordSize} bytes. */
    static byte[] records(byte[] body, int recordSize) {
        ByteArrayOutputStream hs = new ByteArrayOutputStream();
        hs.write(1); hs.write(body.length >> 16); hs.write(body.length >> 8); hs.write(body.length);
        hs.writeBytes(body);
        byte[] msg = hs.toByteArray();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int at = 0; at < msg.length; at += recordSize) {
            int n = Math.min(recordSize, msg.length - at);
            out.write(22); out.write(3); out.write(1); out.write(n >> 8); out.write(n);
            out.write(msg, at, n);
        }
        return out.toByteArray();
    }

    @Test
    void aHelloSplitOverSeveralRecordsIsFoundOnceWholeAndNotBefore() throws Exception {
        byte[] wire = records(helloBody("Shop.Example.com"), 7);
        for (int prefix = 0; prefix < wire.length; prefix++) {
            assertThat(TlsRecords.clientHello(Unpooled.wrappedBuffer(wire, 0, prefix))).as("prefix %d", prefix).isNull();
        }
        ByteBuf hello = TlsRecords.clientHello(Unpooled.wrappedBuffer(wire));
        try {
            assertThat(ClientHelloSni.serverName(hello)).isEqualTo("shop.example.com");
        } finally {
            hello.release();
        }
    }

    @Test
    void bytesThatAreNoHandshakeRecordAreRefusedAtOnce() {
        assertThatThrownBy(() -> TlsRecords.clientHello(Unpooled.copiedBuffer("GET / HTTP/1.1\r\n", StandardCharsets.US_ASCII)))
                .isInstanceOf(TlsRecords.NotAHello.class);
        byte[] alert = {21, 3, 3, 0, 2, 2, 40};
        assertThatThrownBy(() -> TlsRecords.clientHello(Unpooled.wrappedBuffer(alert))).isInstanceOf(TlsRecords.NotAHello.class);
        byte[] serverHelloFirst = records(helloBody("a.test"), 1000);
        serverHelloFirst[5] = 2;
        assertThatThrownBy(() -> TlsRecords.clientHello(Unpooled.wrappedBuffer(serverHelloFirst)))
                .isInstanceOf(TlsRecords.NotAHello.class);
    }

    @Test
    void aServerNameWithBytesNoHostNameHasIsRefused() {
        byte[] body = helloBody("evil/name");
        assertThatThrownBy(() -> ClientHelloSni.serverName(Unpooled.wrappedBuffer(body))).isInstanceOf(IllegalArgumentException.class);
        byte[] nul = helloBody("a.test");
        nul[nul.length - 1] = 0;
        assertThatThrownBy(() -> ClientHelloSni.serverName(Unpooled.wrappedBuffer(nul))).isInstanceOf(IllegalArgumentException.class);
    }
}
