package io.selfinstruct.finetune;

import io.selfinstruct.finetune.data.PromptFormat;
import io.selfinstruct.llama.sampling.Generation;
import io.selfinstruct.llama.sampling.GenerationOptions;
import io.selfinstruct.models.ModelRuntime;
import io.selfinstruct.models.ModelsProperties;
import io.selfinstruct.models.SequenceOptions;
import io.selfinstruct.problem.ConflictException;
import io.selfinstruct.problem.InvalidRequestException;
import io.selfinstruct.problem.NotFoundException;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import lombok.RequiredArgsConstructor;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestPart;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.multipart.MultipartFile;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Fine-tune jobs over HTTP: submit (JSON, or multipart with an uploaded alpaca file), watch, cancel, download
 * the adapter, and sample the trained model. Jobs run on {@link FineTuneWorker}, one at a time.
 */
@RequiredArgsConstructor
@RestController
@RequestMapping("/api/finetune-jobs")
public class FineTuneJobController {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final FineTuneJobRepository jobs;
    private final FineTuneWorker worker;
    private final FineTuneSubmissions submissions;
    private final ModelRuntime runtime;
    private final ModelsProperties models;

    public record Submitted(long id, FineTuneStatus status) {}

    public record JobView(
            long id,
            FineTuneStatus status,
            String baseModel,
            String method,
            int step,
            int totalSteps,
            JsonNode metrics,
            Instant eta,
            Long etaSeconds,
            JsonNode samples,
            String outputDir,
            String error,
            int resumedFromStep,
            DataSnapshotView dataSnapshot,
            Instant createdAt,
            Instant startedAt,
            Instant finishedAt,
            JsonNode config) {}

    /** The size and text hash of the examples the job trains on; null before it first starts. */
    public record DataSnapshotView(int examples, String sha256) {}

    /** The sequence options as on {@code /api/models/generate} ({@link SequenceOptions}). */
    public record GenerateRequest(
            String instruction,
            String input,
            Integer maxNewTokens,
            Double temperature,
            Long seed,
            List<SequenceOptions.Biased> sequenceBias,
            List<SequenceOptions.Banned> badWords,
            List<SequenceOptions.Suppressed> suppress) {}

    public record GenerateResponse(String text, List<Long> tokenIds) {}

    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
    public ResponseEntity<Submitted> submit(@RequestBody FineTuneRequest request) {
        if (request == null) {
            throw new InvalidRequestException("a job request body is required");
        }
        return accept(request, null);
    }

    /** Multipart: part {@code job} (the JSON request) and part {@code file} (alpaca_data.json or JSONL). */
    @PostMapping(consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
    public ResponseEntity<Submitted> submitWithFile(
            @RequestPart("job") FineTuneRequest request, @RequestPart("file") MultipartFile file) {
        if (request.data() != null || request.dataFile() != null) {
            throw new InvalidRequestException("an uploaded file replaces data and dataFile: give neither");
        }
        Path stored = worker.uploads().resolve(UUID.randomUUID() + ".json");
        try {
            Files.createDirectories(stored.getParent());
            file.transferTo(stored);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot store the upload", e);
        }
        return accept(request, stored);
    }

    private ResponseEntity<Submitted> accept(FineTuneRequest request, Path uploaded) {
        FineTuneJob job = submissions.submit(request, uploaded);
        return ResponseEntity.status(HttpStatus.ACCEPTED).body(new Submitted(job.getId(), job.getStatus()));
    }

    @GetMapping
    public List<JobView> list() {
        return jobs.findAll().stream().map(this::view).toList();
    }

    @GetMapping("/{id}")
    public JobView get(@PathVariable long id) {
        return view(find(id));
    }

    @PostMapping("/{id}/cancel")
    public ResponseEntity<JobView> cancel(@PathVariable long id) {
        FineTuneJob job = find(id);
        if (job.getStatus() == FineTuneStatus.QUEUED
                && jobs.transition(id, FineTuneStatus.QUEUED, FineTuneStatus.CANCELLED, Instant.now()) == 1) {
            FineTuneJob cancelled = find(id);
            cancelled.setFinishedAt(Instant.now());
            return ResponseEntity.ok(view(jobs.save(cancelled)));
        }
        job = find(id);
        if (job.getStatus() != FineTuneStatus.RUNNING && job.getStatus() != FineTuneStatus.QUEUED) {
            throw new ConflictException("job " + id + " is " + job.getStatus() + " and cannot be cancelled");
        }
        worker.requestCancel(id);
        return ResponseEntity.status(HttpStatus.ACCEPTED).body(view(job));
    }

    /** The output directory (PEFT adapter, or the tuned model for method freeze) as a zip, streamed. */
    @GetMapping("/{id}/adapter")
    public void adapter(@PathVariable long id, HttpServletResponse response) throws IOException {
        Path directory = completedOutput(find(id));
        response.setContentType("application/zip");
        response.setHeader(
                HttpHeaders.CONTENT_DISPOSITION, "attachment; filename=\"finetune-job-" + id + "-adapter.zip\"");
        try (ZipOutputStream zip = new ZipOutputStream(response.getOutputStream());
                var files = Files.list(directory)) {
            for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
                zip.putNextEntry(new ZipEntry(file.getFileName().toString()));
                Files.copy(file, zip);
                zip.closeEntry();
            }
        }
    }

    @PostMapping("/{id}/generate")
    public GenerateResponse generate(@PathVariable long id, @RequestBody GenerateRequest request) {
        FineTuneJob job = find(id);
        Path output = completedOutput(job);
        if (request == null
                || request.instruction() == null
                || request.instruction().isBlank()) {
            throw new InvalidRequestException("instruction is required");
        }
        int maxNewTokens = request.maxNewTokens() == null ? 128 : request.maxNewTokens();
        if (maxNewTokens < 1 || maxNewTokens > models.maxNewTokens()) {
            throw new InvalidRequestException("maxNewTokens must be between 1 and " + models.maxNewTokens());
        }
        double temperature = request.temperature() == null ? 0 : request.temperature();
        if (temperature < 0 || temperature > 10) {
            throw new InvalidRequestException("temperature must be between 0 and 10");
        }
        PromptFormat format = PromptFormat.parse(
                JSON.readValue(job.getConfigJson(), FineTuneRequest.class).template());
        boolean lora = "lora".equals(job.getMethod());
        Path base = lora ? Path.of(job.getBaseModel()) : output;
        Generation generation = runtime.withModel(base, lora ? output : null, loaded -> {
            long[] prompt = format.promptIds(loaded.tokenizer(), request.instruction(), request.input());
            SequenceOptions.Resolved sequences = new SequenceOptions(
                            request.sequenceBias(), request.badWords(), request.suppress())
                    .resolve(loaded.tokenizer(), loaded.model().config().vocabSize());
            GenerationOptions options = sequences
                    .applyTo(GenerationOptions.builder(maxNewTokens))
                    .temperature(temperature)
                    .eosTokenIds(loaded.eosTokenIds())
                    .seed(request.seed())
                    .build();
            return ModelRuntime.generate(loaded, prompt, options);
        });
        return new GenerateResponse(
                generation.text(),
                java.util.Arrays.stream(generation.tokenIds()).boxed().toList());
    }

    private Path completedOutput(FineTuneJob job) {
        if (job.getStatus() != FineTuneStatus.COMPLETED || job.getOutputDir() == null) {
            throw new ConflictException(
                    "job " + job.getId() + " is " + job.getStatus() + ": it has no trained output yet");
        }
        Path directory = Path.of(job.getOutputDir());
        if (!Files.isDirectory(directory)) {
            throw new ConflictException("the output of job " + job.getId() + " is gone from " + directory);
        }
        return directory;
    }

    private FineTuneJob find(long id) {
        return jobs.findById(id).orElseThrow(() -> new NotFoundException("fine-tune job", id));
    }

    private JobView view(FineTuneJob job) {
        OptionalLong eta =
                job.getStatus() == FineTuneStatus.RUNNING ? worker.etaSeconds(job.getId()) : OptionalLong.empty();
        return new JobView(
                job.getId(),
                job.getStatus(),
                job.getBaseModel(),
                job.getMethod(),
                job.getStep(),
                job.getTotalSteps(),
                JSON.readTree(job.getMetricsJson()),
                eta.isPresent() ? Instant.now().plusSeconds(eta.getAsLong()) : null,
                eta.isPresent() ? eta.getAsLong() : null,
                JSON.readTree(job.getSamplesJson()),
                job.getOutputDir(),
                job.getError(),
                job.getResumedFromStep(),
                job.getSnapshotSha256() == null
                        ? null
                        : new DataSnapshotView(job.getSnapshotExamples(), job.getSnapshotSha256()),
                job.getCreatedAt(),
                job.getStartedAt(),
                job.getFinishedAt(),
                JSON.readTree(job.getConfigJson()));
    }
}
