package io.selfinstruct.pool;

import io.selfinstruct.rouge.RougeIndex;
import io.selfinstruct.rouge.RougeL;
import io.selfinstruct.rouge.Similarity;
import io.selfinstruct.seed.SeedTaskRepository;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import lombok.RequiredArgsConstructor;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;

/**
 * Where candidate instructions enter the pool. A candidate is admitted only when its ROUGE-L F-measure against
 * every instruction already in the pool (the batch's seed set plus all accepted and pending machine
 * instructions of the language) is at most the threshold. Admission is serialized through a database lock
 * (the {@code admission_lock} row), so two concurrent responses can never admit two instructions that are too
 * similar to each other, whichever instances on one database made them. Each admitted instruction keeps its 10 most
 * similar pool instructions and its mean similarity, as self-instruct records them.
 */
@RequiredArgsConstructor
@Component
public class Admission {

    public static final String ROUGE_SIMILAR = "rouge_similar";
    public static final String OVER_TARGET = "over_target";
    private static final int MOST_SIMILAR = 10;

    private final JdbcTemplate jdbc;
    private final TransactionTemplate transaction;
    private final InstructionRepository instructions;
    private final InstanceRepository instances;
    private final SeedTaskRepository seedTasks;
    private final JsonMapper json;
    private final Map<String, PoolIndex> indexes = new HashMap<>();

    /**
     * Stores every candidate of one LLM response: the ones a filter already rejected as REJECTED with their
     * reason, the others as {@code admittedStatus} when they pass the ROUGE-L rule and a slot is left, else as
     * REJECTED ({@code rouge_similar} or {@code over_target}). One transaction per call.
     *
     * @param slots how many more instructions the batch may admit (it stops exactly at its target)
     */
    public synchronized Outcome admit(
            Pool pool,
            Long batchId,
            Long llmCallId,
            List<Candidate> candidates,
            int slots,
            InstructionStatus admittedStatus) {
        List<Instruction> admitted = new ArrayList<>();
        List<Instruction> rejected = new ArrayList<>();
        try {
            transaction.executeWithoutResult(tx -> {
                lock();
                // after the lock: the index catches up with what every instance committed before it
                PoolIndex index = index(pool);
                for (Candidate candidate : candidates) {
                    Instruction row = new Instruction(
                            candidate.text(),
                            Origin.GENERATED,
                            batchId,
                            pool.language().code(),
                            InstructionStatus.REJECTED);
                    row.setLlmCallId(llmCallId);
                    row.setClassification(candidate.classification());
                    String reason = candidate.rejectReason();
                    Similarity similarity = null;
                    if (reason == null && index.rouge.anyAbove(candidate.text(), pool.threshold())) {
                        reason = ROUGE_SIMILAR;
                    } else if (reason == null && admitted.size() >= slots) {
                        reason = OVER_TARGET;
                    } else if (reason == null) {
                        similarity = index.rouge.similarity(candidate.text(), MOST_SIMILAR);
                    }
                    if (reason != null) {
                        row.reject(reason);
                        rejected.add(instructions.save(row));
                        continue;
                    }
                    row.setStatus(admittedStatus);
                    row.setMaxRouge(similarity.max());
                    row.setAvgRouge(Double.isNaN(similarity.mean()) ? null : similarity.mean());
                    row.setMostSimilarJson(mostSimilarJson(index, similarity));
                    Instruction saved = instructions.save(row);
                    index.add(candidate.text(), saved.getId());
                    admitted.add(saved);
                    for (int i = 0; i < candidate.instances().size(); i++) {
                        Candidate.Example e = candidate.instances().get(i);
                        instances.save(new Instance(saved.getId(), e.input(), e.output(), admittedStatus, i));
                    }
                }
            });
        } catch (RuntimeException e) {
            // the index may hold texts whose rows were rolled back: rebuild it from the database next time
            indexes.remove(pool.key());
            throw e;
        }
        return new Outcome(List.copyOf(admitted), List.copyOf(rejected));
    }

    /**
     * The similarity of {@code text} to the pool leaving out the instruction {@code instructionId} itself: what an
     * edited or restored instruction must pass. Serialized with {@link #admit}, so it sees every admitted
     * instruction. The index still holds the instruction's stored text (when it is in the pool), hence the
     * exclusion; call {@link #invalidate()} after saving the change.
     */
    public synchronized Recheck recheck(Pool pool, long instructionId, String text) {
        PoolIndex index = index(pool);
        int self = index.instructionIds.indexOf(instructionId);
        Similarity similarity = index.rouge.similarity(text, MOST_SIMILAR + 1);
        List<Similarity.Neighbor> neighbors = similarity.mostSimilar().stream()
                .filter(n -> n.id() != self)
                .limit(MOST_SIMILAR)
                .toList();
        double max = neighbors.isEmpty() ? 0 : neighbors.get(0).fmeasure();
        int size = index.rouge.size();
        double mean = similarity.mean();
        if (self >= 0) {
            // the mean over the others: take the instruction's own score back out of the sum
            double own = RougeL.score(text, index.rouge.text(self), index.rouge.tokenizer())
                    .fmeasure();
            mean = size > 1 ? (mean * size - own) / (size - 1) : Double.NaN;
        }
        Neighbor top = neighbors.isEmpty() ? null : neighbor(index, neighbors.get(0));
        return new Recheck(
                max,
                Double.isNaN(mean) ? null : mean,
                top,
                mostSimilarJson(index, new Similarity(max, mean, neighbors)));
    }

    private static Neighbor neighbor(PoolIndex index, Similarity.Neighbor n) {
        return new Neighbor(index.instructionIds.get(n.id()), n.text(), n.fmeasure());
    }

    /**
     * Runs {@code work} in one transaction holding the admission lock: the database row every check-and-insert of
     * every instance locks, so that nothing enters the pool between a similarity check and its save. Imports and
     * curation use it; {@link #admit} takes it itself.
     */
    public synchronized <T> T locked(Supplier<T> work) {
        try {
            return transaction.execute(tx -> {
                lock();
                return work.get();
            });
        } catch (RuntimeException e) {
            indexes.clear();
            throw e;
        }
    }

    /** Waits for the admission lock; it is held until the surrounding transaction ends. */
    private void lock() {
        jdbc.queryForObject("select id from admission_lock where id = 1 for update", Integer.class);
    }

    /** Forgets the cached indexes, e.g. after instructions were edited; they are rebuilt on next use. */
    public synchronized void invalidate() {
        indexes.clear();
    }

    private String mostSimilarJson(PoolIndex index, Similarity similarity) {
        List<Map<String, Object>> list = new ArrayList<>();
        for (Similarity.Neighbor n : similarity.mostSimilar()) {
            Map<String, Object> item = new HashMap<>();
            item.put("instructionId", index.instructionIds.get(n.id()));
            item.put("text", n.text());
            item.put("score", n.fmeasure());
            list.add(item);
        }
        return json.writeValueAsString(list);
    }

    /** The index of the pool, brought up to date with instructions other paths (imports) stored meanwhile. */
    private PoolIndex index(Pool pool) {
        PoolIndex index = indexes.get(pool.key());
        if (index == null) {
            index = new PoolIndex(new RougeIndex(pool.language().tokenizer()));
            for (var seed : seedTasks.findBySeedSetOrderByPosition(pool.seedSet())) {
                index.add(seed.getInstruction(), null);
            }
            indexes.put(pool.key(), index);
        }
        PoolIndex target = index;
        jdbc.query(
                "select id, text from instruction where id > ? and language = ? and status in (?, ?) order by id",
                rs -> {
                    target.add(rs.getString(2), rs.getLong(1));
                },
                index.lastInstructionId,
                pool.language().code(),
                InstructionStatus.ACCEPTED.name(),
                InstructionStatus.CANDIDATE.name());
        return index;
    }

    /** The pool a batch admits into: its seed set, the instructions of its language, its threshold. */
    public record Pool(String seedSet, PoolLanguage language, double threshold) {
        String key() {
            return seedSet + "|" + language.code();
        }
    }

    /**
     * @param rejectReason set when a filter already rejected it; it is stored, not checked
     * @param instances    examples to store with it (Alpaca mode generates them with the instruction)
     */
    public record Candidate(String text, String rejectReason, Boolean classification, List<Example> instances) {
        public Candidate {
            instances = instances == null ? List.of() : List.copyOf(instances);
        }

        public record Example(String input, String output) {}
    }

    /**
     * @param mostSimilar the most similar pool item, or null for an empty pool
     * @param mostSimilarJson the 10 most similar, in the form {@link Instruction#getMostSimilarJson()} keeps
     */
    public record Recheck(double max, Double mean, Neighbor mostSimilar, String mostSimilarJson) {}

    /** @param instructionId null for a seed task */
    public record Neighbor(Long instructionId, String text, double score) {}

    public record Outcome(List<Instruction> admitted, List<Instruction> rejected) {}

    private static final class PoolIndex {
        final RougeIndex rouge;
        /** Instruction id of each index item; null for seed tasks. */
        final List<Long> instructionIds = new ArrayList<>();

        long lastInstructionId;

        PoolIndex(RougeIndex rouge) {
            this.rouge = rouge;
        }

        void add(String text, Long instructionId) {
            rouge.add(text);
            instructionIds.add(instructionId);
            if (instructionId != null) {
                lastInstructionId = Math.max(lastInstructionId, instructionId);
            }
        }
    }
}
