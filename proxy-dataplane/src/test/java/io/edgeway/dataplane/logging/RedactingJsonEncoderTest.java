package io.edgeway.dataplane.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.classic.joran.JoranConfigurator;
import com.google.protobuf.ByteString;
import io.edgeway.proto.v1.Certificate;
import io.edgeway.proto.v1.ControlMessage;
import io.edgeway.proto.v1.SessionTicketKey;
import io.edgeway.proto.v1.Snapshot;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * A snapshot holding a private key and session ticket keys, logged whole through the proxy's real logback.xml
 * (so its encoder), as an argument of its own and inside a ControlMessage: no key material reaches the log,
 * while the rest of the message (the certificate's name, the version) does.
 */
class RedactingJsonEncoderTest {
    private static final String KEY_BODY = "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgSECRETSECRETSECRET";
    private static final String KEY_PEM = "-----BEGIN PRIVATE KEY-----\n" + KEY_BODY + "\n-----END PRIVATE KEY-----\n";
    private static final byte[] AES = "aes-key-16-bytes".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] HMAC = "hmac-key-16bytes".getBytes(StandardCharsets.US_ASCII);

    @Test
    void aSnapshotLoggedWholeShowsNoKeyMaterial() throws Exception {
        Snapshot snapshot = Snapshot.newBuilder().setVersion(7).setNonce("n7")
                .addCertificates(Certificate.newBuilder().setName("shop-cert").setCertChainPem("-----BEGIN CERTIFICATE-----")
                        .setPrivateKeyPem(KEY_PEM).addSnis("shop.test"))
                .addSessionTicketKeys(SessionTicketKey.newBuilder().setName(ByteString.copyFromUtf8("ticket-name-0001"))
                        .setHmacKey(ByteString.copyFrom(HMAC)).setAesKey(ByteString.copyFrom(AES)))
                .build();

        String log = logThroughTheProxysLogbackXml(snapshot);

        assertThat(log).contains("shop-cert").contains("version: 7").contains("[REDACTED]");
        assertThat(log).doesNotContain("PRIVATE KEY").doesNotContain("SECRETSECRET").doesNotContain(KEY_BODY.substring(0, 24));
        for (byte[] key : new byte[][] {AES, HMAC}) {
            assertThat(log).doesNotContain(new String(key, StandardCharsets.US_ASCII))
                    .doesNotContain(HexFormat.of().formatHex(key)).doesNotContain(Base64.getEncoder().encodeToString(key));
        }
    }

    /** Encodes three events with the encoder of the proxy's logback.xml (its STDOUT appender), as it would print them. */
    private String logThroughTheProxysLogbackXml(Snapshot snapshot) throws Exception {
        LoggerContext context = new LoggerContext();
        context.setMDCAdapter(new LogbackMDCAdapter());
        try {
            JoranConfigurator config = new JoranConfigurator();
            config.setContext(context);
            config.doConfigure(RedactingJsonEncoderTest.class.getResource("/logback.xml"));
            Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
            var appender = (OutputStreamAppender<ILoggingEvent>) root.getAppender("STDOUT");
            Encoder<ILoggingEvent> encoder = appender.getEncoder();
            assertThat(encoder).isInstanceOf(RedactingJsonEncoder.class);
            StringBuilder out = new StringBuilder();
            for (LoggingEvent e : new LoggingEvent[] {
                    event(root, "applying {}", snapshot),
                    event(root, "sent {} to {}", ControlMessage.newBuilder().setSnapshot(snapshot).build(), "node-1"),
                    event(root, "building {} {} {}", snapshot.toBuilder(), snapshot.getCertificates(0), 3)}) {
                out.append(new String(encoder.encode(e), StandardCharsets.UTF_8));
            }
            assertThat(out.toString().lines()).hasSize(3);
            return out.toString();
        } finally {
            context.stop();
        }
    }

    private static LoggingEvent event(Logger logger, String format, Object... args) {
        return new LoggingEvent(Logger.class.getName(), logger, Level.INFO, format, null, args);
    }
}
