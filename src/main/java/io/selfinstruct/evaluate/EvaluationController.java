package io.selfinstruct.evaluate;

import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import lombok.RequiredArgsConstructor;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;

@RequiredArgsConstructor
@RestController
public class EvaluationController {

    private final Evaluations evaluations;

    /** 202: the evaluation is queued with its instructions fixed; a scheduler tick starts it. */
    @PostMapping("/api/evaluations")
    public ResponseEntity<Evaluations.EvaluationView> create(@RequestBody JsonNode request) {
        Evaluations.EvaluationView view = evaluations.create(request);
        return ResponseEntity.status(HttpStatus.ACCEPTED)
                .header("Location", "/api/evaluations/" + view.id())
                .body(view);
    }

    @GetMapping("/api/evaluations")
    public List<Evaluations.EvaluationView> list() {
        return evaluations.list();
    }

    @GetMapping("/api/evaluations/{id}")
    public Evaluations.EvaluationView get(@PathVariable long id) {
        return evaluations.view(id);
    }

    @GetMapping("/api/evaluations/{id}/items")
    public Object items(
            @PathVariable long id,
            @RequestParam(defaultValue = "0") int page,
            @RequestParam(defaultValue = "50") int size,
            @RequestParam(required = false) String format,
            HttpServletResponse response)
            throws IOException {
        if ("jsonl".equals(format)) {
            jsonl(id, response);
            return null;
        }
        return evaluations.items(id, page, size);
    }

    @GetMapping("/api/evaluations/{id}/items.jsonl")
    public void jsonl(@PathVariable long id, HttpServletResponse response) throws IOException {
        evaluations.view(id);
        response.setContentType("application/x-ndjson;charset=UTF-8");
        response.setHeader("Content-Disposition", "attachment; filename=\"evaluation-" + id + ".jsonl\"");
        evaluations.writeJsonl(id, response.getOutputStream());
    }

    /** A paused evaluation continues; the body may raise or lift its budget: {@code {"maxCostUsd": 5}}. */
    @PostMapping("/api/evaluations/{id}/resume")
    public Evaluations.EvaluationView resume(@PathVariable long id, @RequestBody(required = false) JsonNode request) {
        return evaluations.resume(id, request);
    }

    @PostMapping("/api/evaluations/{id}/cancel")
    public Evaluations.EvaluationView cancel(@PathVariable long id) {
        return evaluations.cancel(id);
    }
}
