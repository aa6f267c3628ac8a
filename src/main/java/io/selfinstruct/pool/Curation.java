package io.selfinstruct.pool;

import io.selfinstruct.problem.ConflictException;
import io.selfinstruct.problem.InvalidRequestException;
import io.selfinstruct.problem.NotFoundException;
import io.selfinstruct.rouge.RougeL;
import java.util.Locale;
import java.util.Optional;
import org.springframework.stereotype.Service;

/**
 * People fixing the pool by hand: editing an instruction's text, rejecting it, restoring it. An edit or a restore
 * puts text into the pool, so it passes the same ROUGE-L rule admission applies, against the pool without the
 * instruction itself, at the threshold of the instruction's batch.
 */
@Service
public class Curation {

    public static final String MANUAL = "manual";
    private static final int MAX_TEXT = 10_000;
    private static final int MAX_REASON = 64;

    private final InstructionRepository instructions;
    private final Admission admission;
    private final BatchPools batches;

    public Curation(InstructionRepository instructions, Admission admission, BatchPools batches) {
        this.instructions = instructions;
        this.admission = admission;
        this.batches = batches;
    }

    public Instruction edit(long id, InstructionPatch patch) {
        if (patch == null || (patch.text() == null && patch.status() == null && patch.rejectReason() == null)) {
            throw new InvalidRequestException("Send text, status (ACCEPTED or REJECTED) or rejectReason");
        }
        String text = patch.text() == null ? null : patch.text().strip();
        if (text != null && text.isEmpty()) {
            throw new InvalidRequestException("text must not be blank");
        }
        if (text != null && text.length() > MAX_TEXT) {
            throw new InvalidRequestException("text may be at most " + MAX_TEXT + " characters");
        }
        InstructionStatus status = status(patch.status());
        String reason = patch.rejectReason() == null || patch.rejectReason().isBlank()
                ? null
                : patch.rejectReason().strip();
        if (reason != null && reason.length() > MAX_REASON) {
            throw new InvalidRequestException("rejectReason may be at most " + MAX_REASON + " characters");
        }
        // under the admission lock: no batch or import, on any instance, can admit a similar instruction between
        // the check and the save
        return admission.locked(() -> {
            Instruction instruction =
                    instructions.findById(id).orElseThrow(() -> new NotFoundException("Instruction", id));
            InstructionStatus target = status == null ? instruction.getStatus() : status;
            if (reason != null && target != InstructionStatus.REJECTED) {
                throw new InvalidRequestException("rejectReason goes with status REJECTED");
            }
            boolean textChanged = text != null && !text.equals(instruction.getText());
            if (target == InstructionStatus.REJECTED) {
                if (textChanged) {
                    instruction.setText(text);
                }
                if (instruction.getStatus() != InstructionStatus.REJECTED || reason != null) {
                    instruction.reject(reason == null ? MANUAL : reason);
                }
            } else {
                boolean restoring = instruction.getStatus() == InstructionStatus.REJECTED;
                if (textChanged || restoring) {
                    String newText = textChanged ? text : instruction.getText();
                    admitAgain(instruction, newText);
                    instruction.setText(newText);
                }
                if (restoring) {
                    instruction.accept();
                }
            }
            Instruction saved = instructions.save(instruction);
            admission.invalidate();
            return saved;
        });
    }

    private void admitAgain(Instruction instruction, String text) {
        Admission.Pool pool = poolOf(instruction);
        Admission.Recheck recheck = admission.recheck(pool, instruction.getId(), text);
        if (recheck.max() > pool.threshold()) {
            Admission.Neighbor similar = recheck.mostSimilar();
            String what = similar.instructionId() == null ? "seed task" : "instruction " + similar.instructionId();
            throw new ConflictException(String.format(
                    Locale.ROOT,
                    "Too similar to %s (ROUGE-L %.3f, above the threshold %.2f): \"%s\"",
                    what,
                    recheck.max(),
                    pool.threshold(),
                    similar.text()));
        }
        instruction.setMaxRouge(recheck.max());
        instruction.setAvgRouge(recheck.mean());
        instruction.setMostSimilarJson(recheck.mostSimilarJson());
    }

    /** The pool the instruction belongs to: its batch's, else the language's seed set at the default threshold. */
    private Admission.Pool poolOf(Instruction instruction) {
        PoolLanguage language =
                instruction.getLanguage() == null ? PoolLanguage.EN : PoolLanguage.of(instruction.getLanguage());
        Optional<Admission.Pool> batch =
                instruction.getBatchId() == null ? Optional.empty() : batches.poolOf(instruction.getBatchId());
        return batch.orElseGet(
                () -> new Admission.Pool(language.defaultSeedSet(), language, RougeL.SELF_INSTRUCT_THRESHOLD));
    }

    private static InstructionStatus status(String status) {
        if (status == null || status.isBlank()) {
            return null;
        }
        return switch (status.strip().toUpperCase(Locale.ROOT)) {
            case "ACCEPTED" -> InstructionStatus.ACCEPTED;
            case "REJECTED" -> InstructionStatus.REJECTED;
            default ->
                throw new InvalidRequestException(
                        "status must be ACCEPTED (restore) or REJECTED, not '" + status + "'");
        };
    }
}
