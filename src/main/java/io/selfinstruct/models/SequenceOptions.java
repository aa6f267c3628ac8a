package io.selfinstruct.models;

import io.selfinstruct.llama.ModelTokenizer;
import io.selfinstruct.llama.sampling.GenerationOptions;
import io.selfinstruct.llama.sampling.SequenceBias;
import io.selfinstruct.problem.InvalidRequestException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * The sequence options of a generate request, the same wherever the service generates, with transformers'
 * semantics (see {@link SequenceBias}, {@link GenerationOptions#badWords()}). Each entry names its tokens by
 * {@code tokenIds} or by {@code text}, encoded with the model's tokenizer without special tokens (transformers'
 * {@code tokenizer(text, add_special_tokens=False)}: no bos; a word inside a sentence usually needs its space,
 * {@code " foo"}).
 *
 * @param sequenceBias {@code bias} added to the last token where the tokens before it end the context
 * @param badWords the last token banned there
 * @param suppress the last token's probability times {@code factor} in (0, 1] there: a bias of log(factor)
 */
public record SequenceOptions(List<Biased> sequenceBias, List<Banned> badWords, List<Suppressed> suppress) {

    /** Most entries in the three lists together. */
    public static final int MAX_ENTRIES = 256;

    /** Most tokens in one sequence. */
    public static final int MAX_TOKENS = 64;

    public static final SequenceOptions NONE = new SequenceOptions(null, null, null);

    /** The tokens of one entry: exactly one of the two. */
    public interface Tokens {
        List<Long> tokenIds();

        String text();
    }

    public record Biased(List<Long> tokenIds, String text, Double bias) implements Tokens {}

    public record Banned(List<Long> tokenIds, String text) implements Tokens {}

    public record Suppressed(List<Long> tokenIds, String text, Double factor) implements Tokens {}

    /** The resolved sequences, ready for {@link GenerationOptions}. */
    public record Resolved(List<SequenceBias> sequenceBias, List<long[]> badWords) {

        public GenerationOptions.GenerationOptionsBuilder applyTo(GenerationOptions.GenerationOptionsBuilder options) {
            return options.sequenceBias(sequenceBias).badWords(badWords);
        }
    }

    public boolean needsTokenizer() {
        return Stream.<List<? extends Tokens>>of(list(sequenceBias), list(badWords), list(suppress))
                .flatMap(List::stream)
                .anyMatch(entry -> entry != null && entry.text() != null);
    }

    /**
     * Checks every entry and gives its token ids; a 400 naming the entry otherwise.
     *
     * @param tokenizer encodes the {@code text} entries; may be null when {@link #needsTokenizer()} is false
     */
    public Resolved resolve(ModelTokenizer tokenizer, int vocabSize) {
        int entries = list(sequenceBias).size()
                + list(badWords).size()
                + list(suppress).size();
        if (entries > MAX_ENTRIES) {
            throw new InvalidRequestException(
                    "at most " + MAX_ENTRIES + " sequenceBias, badWords and suppress entries together, not " + entries);
        }
        List<SequenceBias> biases = new ArrayList<>();
        Map<List<Long>, String> biasedBy = new HashMap<>();
        for (int i = 0; i < list(sequenceBias).size(); i++) {
            String field = "sequenceBias[" + i + "]";
            Biased entry = entry(list(sequenceBias).get(i), field);
            long[] ids = ids(entry, field, tokenizer, vocabSize);
            if (entry.bias() == null || !Double.isFinite(entry.bias())) {
                throw new InvalidRequestException(field + ".bias must be a finite number");
            }
            once(biasedBy, ids, field);
            biases.add(new SequenceBias(ids, entry.bias().floatValue()));
        }
        for (int i = 0; i < list(suppress).size(); i++) {
            String field = "suppress[" + i + "]";
            Suppressed entry = entry(list(suppress).get(i), field);
            long[] ids = ids(entry, field, tokenizer, vocabSize);
            if (entry.factor() == null || !(entry.factor() > 0 && entry.factor() <= 1)) {
                throw new InvalidRequestException(field + ".factor must be in (0, 1]");
            }
            once(biasedBy, ids, field);
            biases.add(SequenceBias.suppression(ids, entry.factor()));
        }
        List<long[]> banned = new ArrayList<>();
        for (int i = 0; i < list(badWords).size(); i++) {
            String field = "badWords[" + i + "]";
            Banned entry = entry(list(badWords).get(i), field);
            banned.add(ids(entry, field, tokenizer, vocabSize));
        }
        return new Resolved(List.copyOf(biases), List.copyOf(banned));
    }

    private static long[] ids(Tokens entry, String field, ModelTokenizer tokenizer, int vocab) {
        List<Long> tokenIds = entry.tokenIds();
        String text = entry.text();
        if ((tokenIds == null) == (text == null)) {
            throw new InvalidRequestException(field + " needs exactly one of tokenIds or text");
        }
        long[] ids;
        if (tokenIds != null) {
            if (tokenIds.stream().anyMatch(Objects::isNull)) {
                throw new InvalidRequestException(field + ".tokenIds must be a list of token ids");
            }
            ids = tokenIds.stream().mapToLong(Long::longValue).toArray();
        } else {
            ids = tokenizer.encodeWithoutSpecialTokens(text);
        }
        if (ids.length == 0) {
            throw new InvalidRequestException(
                    field + (tokenIds != null ? ".tokenIds is empty" : ".text has no tokens"));
        }
        if (ids.length > MAX_TOKENS) {
            throw new InvalidRequestException(
                    field + " has " + ids.length + " tokens; a sequence has at most " + MAX_TOKENS);
        }
        for (long id : ids) {
            if (id < 0 || id >= vocab) {
                throw new InvalidRequestException(
                        field + " holds token id " + id + " outside the vocabulary (size " + vocab + ")");
            }
        }
        return ids;
    }

    /** sequenceBias and suppress are one map of sequence to bias: a sequence given twice would lose a bias. */
    private static void once(Map<List<Long>, String> biasedBy, long[] ids, String field) {
        String earlier = biasedBy.putIfAbsent(Arrays.stream(ids).boxed().toList(), field);
        if (earlier != null) {
            throw new InvalidRequestException(
                    field + " biases the same tokens as " + earlier + "; give each sequence one bias");
        }
    }

    private static <T> T entry(T entry, String field) {
        if (entry == null) {
            throw new InvalidRequestException(field + " is null");
        }
        return entry;
    }

    private static <T> List<T> list(List<T> entries) {
        return entries == null ? List.of() : entries;
    }
}
