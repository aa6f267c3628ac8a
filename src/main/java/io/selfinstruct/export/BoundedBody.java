package io.selfinstruct.export;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * A request body that refuses to be read past a size limit, so an oversized upload fails early instead of
 * filling memory: reading byte {@code limit + 1} throws {@link TooLarge}.
 */
final class BoundedBody extends FilterInputStream {

    /** The body is larger than the limit; becomes a 413 problem detail. */
    static final class TooLarge extends RuntimeException {
        TooLarge(long limit) {
            super("The import is larger than the limit of " + limit + " bytes (selfinstruct.import.max-bytes); "
                    + "split the file or raise the limit.");
        }
    }

    private final long limit;
    private long read;

    BoundedBody(InputStream in, long limit) {
        super(in);
        this.limit = limit;
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        if (b >= 0) {
            count(1);
        }
        return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        int n = super.read(buffer, offset, length);
        if (n > 0) {
            count(n);
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        long skipped = super.skip(n);
        count(skipped);
        return skipped;
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    private void count(long n) {
        read += n;
        if (read > limit) {
            throw new TooLarge(limit);
        }
    }
}
