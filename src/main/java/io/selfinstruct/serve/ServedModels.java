package io.selfinstruct.serve;

import io.selfinstruct.finetune.TrainedModels;
import io.selfinstruct.finetune.data.PromptFormat;
import io.selfinstruct.models.ModelRoots;
import io.selfinstruct.models.ModelsProperties;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.springframework.stereotype.Component;

/**
 * The models the OpenAI-compatible server knows by name: every model directory (one holding config.json) found
 * under the model roots, named by its path relative to its root ({@code tiny-llama/model}); every completed
 * fine-tune job as {@code job-<id>} (its adapter over its base, as vLLM serves LoRA adapters); and the configured
 * aliases. Listed whether loaded or not; a model loads on first use.
 */
@Component
public class ServedModels {

    private static final Pattern JOB = Pattern.compile("job-(\\d{1,18})");

    private final ModelRoots roots;
    private final TrainedModels trained;
    private final ServeProperties properties;

    ServedModels(ModelsProperties models, TrainedModels trained, ServeProperties properties) {
        this.roots = new ModelRoots(models.roots());
        this.trained = trained;
        this.properties = properties;
    }

    /**
     * @param format the prompt format of a fine-tuned job, or null for a base model (its own chat template)
     */
    public record Served(String id, Path base, Path adapter, PromptFormat format, Instant created) {}

    public List<Served> list() {
        List<Served> served = new ArrayList<>();
        for (Path root : roots.roots()) {
            if (!Files.isDirectory(root)) {
                continue;
            }
            try (Stream<Path> walk = Files.walk(root, properties.maxDepth())) {
                walk.filter(dir -> !dir.equals(root) && Files.isRegularFile(dir.resolve("config.json")))
                        .sorted()
                        .forEach(dir -> served.add(new Served(name(root, dir), dir, null, null, modified(dir))));
            } catch (IOException | UncheckedIOException e) {
                // an unreadable root lists nothing
            }
        }
        for (TrainedModels.TrainedModel job : trained.completed()) {
            served.add(served(job));
        }
        properties
                .aliases()
                .forEach((alias, target) -> find(target)
                        .ifPresent(model -> served.add(
                                new Served(alias, model.base(), model.adapter(), model.format(), model.created()))));
        return served;
    }

    /** The model of that name, or a 404 in OpenAI's shape. */
    public Served resolve(String name) {
        if (name == null || name.isBlank()) {
            throw OpenAiException.invalid("model", "model is required");
        }
        String target = properties.aliases().getOrDefault(name, name);
        return find(target)
                .map(m -> new Served(name, m.base(), m.adapter(), m.format(), m.created()))
                .orElseThrow(() -> OpenAiException.modelNotFound(name));
    }

    /** Whether a model of that name (or alias) is served, loaded or not. */
    public boolean serves(String name) {
        return name != null
                && !name.isBlank()
                && find(properties.aliases().getOrDefault(name, name)).isPresent();
    }

    private Optional<Served> find(String name) {
        Matcher job = JOB.matcher(name);
        if (job.matches()) {
            return trained.completed(Long.parseLong(job.group(1))).map(ServedModels::served);
        }
        for (Path root : roots.roots()) {
            Path dir;
            try {
                dir = root.resolve(name).normalize();
            } catch (java.nio.file.InvalidPathException e) {
                return Optional.empty();
            }
            if (!dir.startsWith(root) || dir.equals(root) || !Files.isRegularFile(dir.resolve("config.json"))) {
                continue;
            }
            Path real;
            try {
                real = roots.resolve(dir.toString(), "model"); // symbolic links must stay under the roots too
            } catch (io.selfinstruct.problem.InvalidRequestException e) {
                continue;
            }
            return Optional.of(new Served(name(root, dir), real, null, null, modified(dir)));
        }
        return Optional.empty();
    }

    private static Served served(TrainedModels.TrainedModel job) {
        return new Served("job-" + job.jobId(), job.base(), job.adapter(), job.format(), job.finishedAt());
    }

    private static String name(Path root, Path dir) {
        return root.relativize(dir).toString().replace('\\', '/');
    }

    private static Instant modified(Path dir) {
        try {
            return Files.getLastModifiedTime(dir.resolve("config.json")).toInstant();
        } catch (IOException e) {
            return Instant.EPOCH;
        }
    }
}
