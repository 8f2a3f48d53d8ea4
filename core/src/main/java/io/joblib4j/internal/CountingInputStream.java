package io.joblib4j.internal;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * An input stream that counts the bytes read or skipped through it and tells {@link #counted(long)} of each step,
 * so that a subclass can refuse input past a limit (an expansion budget) by throwing from it.
 */
public class CountingInputStream extends FilterInputStream {
    private long count;

    public CountingInputStream(InputStream in) {
        super(in);
    }

    /** The bytes read or skipped so far. */
    public final long count() {
        return count;
    }

    /**
     * Called after each read or skip with the bytes it took ({@link #count()} already includes them); does nothing
     * unless overridden.
     *
     * @throws IOException to refuse the input read so far
     */
    protected void counted(long n) throws IOException {}

    @Override
    public int read() throws IOException {
        int b = in.read();
        if (b >= 0) {
            add(1);
        }
        return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = in.read(b, off, len);
        if (n > 0) {
            add(n);
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        long k = in.skip(n);
        if (k > 0) {
            add(k);
        }
        return k;
    }

    private void add(long n) throws IOException {
        count += n;
        counted(n);
    }
}
