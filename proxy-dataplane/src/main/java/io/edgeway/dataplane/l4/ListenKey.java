package io.edgeway.dataplane.l4;

/** A port with its protocol: TCP and UDP on one port number are two listeners. */
record ListenKey(int port, boolean udp) {
    ListenKey {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port: " + port + " (expected: 1-65535)");
        }
    }

    @Override
    public String toString() {
        return port + (udp ? "/udp" : "/tcp");
    }
}
