package io.selfinstruct.generate;

import jakarta.validation.Valid;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
public class BatchController {

    private final Batches batches;

    public BatchController(Batches batches) {
        this.batches = batches;
    }

    /**
     * 202: the batch is queued; a scheduler tick (about a second) starts it. With {@code dryRun=true}: 200 with the
     * expected calls, tokens and cost of the batch, and nothing is stored or called.
     */
    @PostMapping("/api/batches")
    public ResponseEntity<?> create(
            @Valid @RequestBody BatchRequest request, @RequestParam(defaultValue = "false") boolean dryRun) {
        if (dryRun) {
            return ResponseEntity.ok(batches.forecast(request));
        }
        BatchView batch = batches.create(request);
        return ResponseEntity.status(HttpStatus.ACCEPTED)
                .header("Location", "/api/batches/" + batch.id())
                .body(batch);
    }

    @GetMapping("/api/batches")
    public List<BatchView> list() {
        return batches.list();
    }

    @GetMapping("/api/batches/{id}")
    public BatchView get(@PathVariable long id) {
        return batches.view(id);
    }

    @PostMapping("/api/batches/{id}/pause")
    public BatchView pause(@PathVariable long id) {
        return batches.pause(id);
    }

    @PostMapping("/api/batches/{id}/resume")
    public BatchView resume(@PathVariable long id) {
        return batches.resume(id);
    }

    @PostMapping("/api/batches/{id}/cancel")
    public BatchView cancel(@PathVariable long id) {
        return batches.cancel(id);
    }
}
