package io.selfinstruct.seed;

import io.selfinstruct.problem.InvalidRequestException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import tools.jackson.databind.json.JsonMapper;

/** Named seed sets: import (replacing a set whole, all or nothing) and reading them back. */
@Service
public class SeedSets {

    public static final String DEFAULT_SET = "default";
    private static final Pattern SET_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,99}");

    private final SeedTaskRepository repository;
    private final SeedFileParser parser;
    private final JsonMapper json;

    public SeedSets(SeedTaskRepository repository, JsonMapper json) {
        this.repository = repository;
        this.parser = new SeedFileParser(json);
        this.json = json;
    }

    /** Parses the whole file first; only a file without errors replaces the set. */
    @Transactional
    public int importSet(String setName, Reader jsonl) {
        String set = checkName(setName);
        List<SeedTaskLine> lines = parser.parse(jsonl);
        List<SeedTask> tasks = new ArrayList<>(lines.size());
        for (int i = 0; i < lines.size(); i++) {
            SeedTaskLine line = lines.get(i);
            tasks.add(new SeedTask(
                    set,
                    line.id(),
                    line.name(),
                    line.instruction(),
                    json.writeValueAsString(line.instances()),
                    line.isClassification(),
                    i));
        }
        repository.deleteBySeedSet(set);
        repository.flush();
        repository.saveAll(tasks);
        return tasks.size();
    }

    @Transactional(readOnly = true)
    public List<SeedTaskLine> tasks(String setName) {
        return repository.findBySeedSetOrderByPosition(checkName(setName)).stream()
                .map(this::toLine)
                .toList();
    }

    @Transactional(readOnly = true)
    public List<SeedSet> sets() {
        return repository.countBySet().stream()
                .map(c -> new SeedSet(c.getName(), c.getCount()))
                .toList();
    }

    public boolean exists(String setName) {
        return repository.countBySeedSet(setName) > 0;
    }

    public SeedTaskLine toLine(SeedTask task) {
        SeedTaskLine.Example[] examples = json.readValue(task.getInstancesJson(), SeedTaskLine.Example[].class);
        return new SeedTaskLine(
                task.getTaskId(), task.getName(), task.getInstruction(), List.of(examples), task.isClassification());
    }

    static String checkName(String setName) {
        if (setName == null || !SET_NAME.matcher(setName).matches()) {
            throw new InvalidRequestException("Seed set names are 1-100 characters of letters, digits, '_', '.' "
                    + "and '-', starting with a letter or digit; got "
                    + (setName == null ? "none" : "'" + setName.substring(0, Math.min(setName.length(), 120)) + "'"));
        }
        return setName;
    }

    public record SeedSet(String name, long count) {}
}
