package io.github.t2i4j.core.io;

/** A checkpoint that cannot be read or written, or does not fit the model it is loaded into. */
public class CheckpointException extends RuntimeException {
    public CheckpointException(String message) {
        super(message);
    }

    public CheckpointException(String message, Throwable cause) {
        super(message, cause);
    }
}
