package io.selfinstruct.finetune.data;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * The examples a job trains on, fixed when it first starts: their ids (pool instance ids, or record positions in
 * a data file) in training order and a SHA-256 of their text, so a resumed job trains on exactly the same data
 * however the pool has changed since.
 *
 * <p>The hash covers, for every example in order, its instruction, input and output, each as a 4-byte big-endian
 * length followed by its UTF-8 bytes.
 */
public record DataSnapshot(List<Long> ids, List<Example> examples, String sha256) {

    public DataSnapshot {
        if (ids.size() != examples.size()) {
            throw new IllegalArgumentException(ids.size() + " ids for " + examples.size() + " examples");
        }
        ids = List.copyOf(ids);
        examples = List.copyOf(examples);
    }

    public static DataSnapshot of(List<Long> ids, List<Example> examples) {
        return new DataSnapshot(ids, examples, sha256(examples));
    }

    public int size() {
        return examples.size();
    }

    /** The ids as stored with the job: decimal, comma-separated. */
    public String encodedIds() {
        StringBuilder out = new StringBuilder(ids.size() * 7);
        for (Long id : ids) {
            if (!out.isEmpty()) {
                out.append(',');
            }
            out.append(id);
        }
        return out.toString();
    }

    public static List<Long> decodeIds(String encoded) {
        if (encoded == null || encoded.isEmpty()) {
            return List.of();
        }
        return java.util.Arrays.stream(encoded.split(",")).map(Long::valueOf).toList();
    }

    public static String sha256(List<Example> examples) {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        for (Example example : examples) {
            for (String field : new String[] {example.instruction(), example.input(), example.output()}) {
                byte[] bytes = field.getBytes(StandardCharsets.UTF_8);
                digest.update(ByteBuffer.allocate(4).putInt(bytes.length).array());
                digest.update(bytes);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}
