package io.selfinstruct.finetune;

import io.selfinstruct.finetune.data.TrainingExamples;
import io.selfinstruct.models.ModelRoots;
import io.selfinstruct.models.ModelsProperties;
import io.selfinstruct.problem.InvalidRequestException;
import java.nio.file.Path;
import java.util.Locale;
import org.springframework.stereotype.Service;
import tools.jackson.databind.json.JsonMapper;

/**
 * Queues fine-tune jobs for the API and the admin form alike: the request is checked whole (a 400 naming the
 * field), its data must hold more examples than the validation split, and the job is stored for the worker.
 */
@Service
public class FineTuneSubmissions {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final FineTuneJobRepository jobs;
    private final FineTuneWorker worker;
    private final TrainingExamples examples;
    private final ModelRoots roots;

    public FineTuneSubmissions(
            FineTuneJobRepository jobs, FineTuneWorker worker, TrainingExamples examples, ModelsProperties models) {
        this.jobs = jobs;
        this.worker = worker;
        this.examples = examples;
        this.roots = new ModelRoots(models.roots());
    }

    /**
     * @param uploaded an alpaca file the service stored from an upload, replacing {@code data} and
     *                 {@code dataFile}; or null
     */
    public FineTuneJob submit(FineTuneRequest request, Path uploaded) {
        if (request == null) {
            throw new InvalidRequestException("a job request body is required");
        }
        FineTuneRequest stored = uploaded == null ? request : request.withUploadedFile(uploaded);
        FineTuneSpec spec = stored.toSpec(roots, worker.uploads());
        int size;
        try {
            size = examples.take(spec.data(), spec.dataFile()).size();
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException(e.getMessage());
        }
        if (size <= spec.valSetSize()) {
            throw new InvalidRequestException("the data selection holds " + size + " examples: more than valSetSize "
                    + spec.valSetSize() + " are needed");
        }
        String selection = JSON.writeValueAsString(stored.data() == null ? JSON.createObjectNode() : stored.data());
        return jobs.save(new FineTuneJob(
                spec.baseModel().toString(),
                spec.method().name().toLowerCase(Locale.ROOT),
                selection,
                JSON.writeValueAsString(stored),
                spec.device().name().toLowerCase(Locale.ROOT)));
    }
}
