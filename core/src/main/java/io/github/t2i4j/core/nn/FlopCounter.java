package io.github.t2i4j.core.nn;

/**
 * Counts the floating-point operations of the dense layers while enabled on the current thread:
 * 2 x multiply-adds of every convolution and linear layer plus the two attention matmuls, the
 * convention of the project's benchmark figures (elementwise ops and norms are not counted).
 */
public final class FlopCounter implements AutoCloseable {
    private static final ThreadLocal<FlopCounter> ACTIVE = new ThreadLocal<>();

    private final FlopCounter previous;
    private long flops;

    private FlopCounter() {
        previous = ACTIVE.get();
    }

    /** Starts counting on this thread until {@link #close()}. */
    public static FlopCounter start() {
        FlopCounter c = new FlopCounter();
        ACTIVE.set(c);
        return c;
    }

    /** Adds to the active counter, if any. */
    static void add(long n) {
        FlopCounter c = ACTIVE.get();
        if (c != null) {
            c.flops += n;
        }
    }

    static boolean active() {
        return ACTIVE.get() != null;
    }

    public long flops() {
        return flops;
    }

    @Override
    public void close() {
        ACTIVE.set(previous);
        if (previous != null) {
            previous.flops += flops;
        }
    }
}
