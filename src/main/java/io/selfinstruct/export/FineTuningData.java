package io.selfinstruct.export;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Random;
import tools.jackson.databind.json.JsonMapper;

/**
 * The GPT-3 fine-tuning file {@code gpt3_finetuning_data_{N}.jsonl}: instances encoded with random templates,
 * duplicate prompt/completion pairs removed, the rest shuffled, all from one seeded {@link Random} so the same
 * pool and seed give the same file. The file name needs N and the shuffle needs every line, so lines are
 * spooled to a temporary file; memory holds only an offset, a length and a 64-bit fingerprint per line
 * (about 40 bytes), not the text.
 */
final class FineTuningData implements AutoCloseable {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final FineTuningTemplates templates;
    private final Random random;
    private final Path spool;
    private final OutputStream spoolOut;
    private final MessageDigest sha256;
    private long spoolSize;
    private long[] offsets = new long[1024];
    private int[] lengths = new int[1024];
    private int size;
    /** Open addressing over fingerprints; 0 marks an empty slot. */
    private long[] fingerprints = new long[2048];

    FineTuningData(FineTuningTemplates templates, long seed) {
        this.templates = templates;
        this.random = new Random(seed);
        try {
            this.sha256 = MessageDigest.getInstance("SHA-256");
            this.spool = Files.createTempFile("gpt3_finetuning_data", ".jsonl");
            this.spoolOut = new BufferedOutputStream(Files.newOutputStream(spool), 1 << 16);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    void add(ExportRecord record) throws IOException {
        FineTuningTemplates.PromptCompletion pair = templates.encode(record, random);
        byte[] line = JSON.writeValueAsBytes(
                JSON.createObjectNode().put("prompt", pair.prompt()).put("completion", pair.completion()));
        // equal pairs serialise to equal bytes; two different pairs share a 64-bit fingerprint with
        // probability about n^2 / 2^65 (3e-8 for a million lines)
        if (!addFingerprint(fingerprint(line))) {
            return;
        }
        if (size == offsets.length) {
            offsets = Arrays.copyOf(offsets, size * 2);
            lengths = Arrays.copyOf(lengths, size * 2);
        }
        offsets[size] = spoolSize;
        lengths[size] = line.length;
        size++;
        spoolOut.write(line);
        spoolSize += line.length;
    }

    int size() {
        return size;
    }

    String fileName() {
        return "gpt3_finetuning_data_" + size + ".jsonl";
    }

    /** Writes the kept lines in a seeded random order, one JSON object per line. */
    void writeShuffled(OutputStream out) throws IOException {
        spoolOut.flush();
        int[] order = new int[size];
        for (int i = 0; i < size; i++) {
            order[i] = i;
        }
        for (int i = size - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        ByteBuffer buffer = ByteBuffer.allocate(1 << 16);
        try (FileChannel lines = FileChannel.open(spool, StandardOpenOption.READ)) {
            for (int index : order) {
                if (buffer.capacity() < lengths[index]) {
                    buffer = ByteBuffer.allocate(lengths[index]);
                }
                buffer.clear().limit(lengths[index]);
                long position = offsets[index];
                while (buffer.hasRemaining()) {
                    int read = lines.read(buffer, position);
                    if (read < 0) {
                        throw new IOException("spooled fine-tuning data ended early");
                    }
                    position += read;
                }
                out.write(buffer.array(), 0, lengths[index]);
                out.write('\n');
            }
        }
        out.flush();
    }

    private long fingerprint(byte[] line) {
        byte[] digest = sha256.digest(line);
        long value = 0;
        for (int i = 0; i < 8; i++) {
            value = value << 8 | (digest[i] & 0xff);
        }
        return value == 0 ? 1 : value;
    }

    /** False when the fingerprint was already there. */
    private boolean addFingerprint(long value) {
        if (size * 2 >= fingerprints.length) {
            long[] old = fingerprints;
            fingerprints = new long[old.length * 2];
            for (long f : old) {
                if (f != 0) {
                    insert(f);
                }
            }
        }
        return insert(value);
    }

    private boolean insert(long value) {
        int mask = fingerprints.length - 1;
        int slot = (int) (value ^ value >>> 32) & mask;
        while (fingerprints[slot] != 0) {
            if (fingerprints[slot] == value) {
                return false;
            }
            slot = slot + 1 & mask;
        }
        fingerprints[slot] = value;
        return true;
    }

    @Override
    public void close() {
        try {
            spoolOut.close();
            Files.deleteIfExists(spool);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
