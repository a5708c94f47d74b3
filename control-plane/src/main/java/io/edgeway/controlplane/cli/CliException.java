package io.edgeway.controlplane.cli;

/** A failure the CLI explains in one message and answers with exit code 1; no stack trace for the operator. */
final class CliException extends RuntimeException {
    CliException(String message) {
        super(message);
    }
}
