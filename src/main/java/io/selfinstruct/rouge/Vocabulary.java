package io.selfinstruct.rouge;

import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Token strings to dense int ids, so that pool items are tokenized once and compared as int arrays. Thread-safe;
 * ids are never reused.
 */
final class Vocabulary {

    static final int UNKNOWN = -1;

    private final ConcurrentHashMap<String, Integer> ids = new ConcurrentHashMap<>();
    private final AtomicInteger next = new AtomicInteger();

    /** Ids for these tokens, adding the ones not seen before. */
    int[] encodeAdding(List<String> tokens) {
        int[] encoded = new int[tokens.size()];
        for (int i = 0; i < encoded.length; i++) {
            encoded[i] = ids.computeIfAbsent(tokens.get(i), t -> next.getAndIncrement());
        }
        return encoded;
    }

    /** Ids for these tokens without growing the vocabulary; unseen tokens get {@link #UNKNOWN}. */
    int[] encode(List<String> tokens) {
        int[] encoded = new int[tokens.size()];
        for (int i = 0; i < encoded.length; i++) {
            encoded[i] = ids.getOrDefault(tokens.get(i), UNKNOWN);
        }
        return encoded;
    }

    int size() {
        return next.get();
    }
}
