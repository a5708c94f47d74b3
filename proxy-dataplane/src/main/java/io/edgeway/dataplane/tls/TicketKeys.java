package io.edgeway.dataplane.tls;

import com.google.protobuf.ByteString;
import io.edgeway.dataplane.config.ConfigError;
import io.edgeway.proto.v1.SessionTicketKey;
import io.edgeway.proto.v1.Snapshot;
import io.netty.handler.ssl.OpenSslSessionContext;
import io.netty.handler.ssl.OpenSslSessionTicketKey;
import io.netty.handler.ssl.SslContext;
import java.util.ArrayList;
import java.util.List;

/**
 * The session ticket keys the control plane pushes, newest first: the first encrypts new tickets, every one
 * decrypts. Every proxy holds the same list, so a ticket issued by one resumes on any other. Set on each
 * OpenSSL context (the JDK engine takes no keys: it keeps its own per process). Never printed.
 */
final class TicketKeys {
    static final TicketKeys NONE = new TicketKeys(List.of(), List.of());

    private final List<OpenSslSessionTicketKey> keys;
    private final List<ByteString> material; // for equals: the same keys in a new snapshot need not be set again

    private TicketKeys(List<OpenSslSessionTicketKey> keys, List<ByteString> material) {
        this.keys = List.copyOf(keys);
        this.material = List.copyOf(material);
    }

    static TicketKeys parse(Snapshot snapshot, List<ConfigError> errors) {
        List<OpenSslSessionTicketKey> keys = new ArrayList<>();
        List<ByteString> material = new ArrayList<>();
        for (int i = 0; i < snapshot.getSessionTicketKeysCount(); i++) {
            SessionTicketKey k = snapshot.getSessionTicketKeys(i);
            if (k.getName().size() != OpenSslSessionTicketKey.NAME_SIZE
                    || k.getHmacKey().size() != OpenSslSessionTicketKey.HMAC_KEY_SIZE
                    || k.getAesKey().size() != OpenSslSessionTicketKey.AES_KEY_SIZE) {
                errors.add(new ConfigError("session_ticket_key", "#" + i, "name/hmac_key/aes_key",
                        "wrong sizes (expected: 16 bytes each)"));
                continue;
            }
            keys.add(new OpenSslSessionTicketKey(k.getName().toByteArray(), k.getHmacKey().toByteArray(),
                    k.getAesKey().toByteArray()));
            material.add(k.getName().concat(k.getHmacKey()).concat(k.getAesKey()));
        }
        return keys.isEmpty() ? NONE : new TicketKeys(keys, material);
    }

    /** Without pushed keys a context keeps the random keys the engine made for it. */
    void applyTo(SslContext ctx) {
        if (!keys.isEmpty() && ctx.sessionContext() instanceof OpenSslSessionContext s) {
            s.setTicketKeys(keys.toArray(OpenSslSessionTicketKey[]::new));
        }
    }

    /** The same keys in the same order (compared, never printed). */
    @Override
    public boolean equals(Object o) {
        return o instanceof TicketKeys t && material.equals(t.material);
    }

    @Override
    public int hashCode() {
        return material.hashCode();
    }

    @Override
    public String toString() {
        return "TicketKeys[" + keys.size() + "]";
    }
}
