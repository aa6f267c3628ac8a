package io.selfinstruct.seed;

import io.selfinstruct.problem.InvalidRequestException;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RequestPart;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.multipart.MultipartFile;

@RestController
public class SeedTaskController {

    private final SeedSets seedSets;

    public SeedTaskController(SeedSets seedSets) {
        this.seedSets = seedSets;
    }

    /** A JSONL body (any text content type) replaces the set whole. */
    @PostMapping(
            path = "/api/seed-tasks",
            consumes = {
                "application/x-ndjson",
                "application/jsonl",
                MediaType.TEXT_PLAIN_VALUE,
                MediaType.APPLICATION_JSON_VALUE,
                MediaType.APPLICATION_OCTET_STREAM_VALUE
            })
    @ResponseStatus(HttpStatus.CREATED)
    public Map<String, Object> importBody(
            @RequestParam(defaultValue = SeedSets.DEFAULT_SET) String set, @RequestBody(required = false) byte[] body) {
        if (body == null || body.length == 0) {
            throw new InvalidRequestException("The request body is empty: send the seed tasks as JSONL");
        }
        return imported(set, seedSets.importSet(set, new StringReader(new String(body, StandardCharsets.UTF_8))));
    }

    /** The same as a multipart upload with the part {@code file}. */
    @PostMapping(path = "/api/seed-tasks", consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
    @ResponseStatus(HttpStatus.CREATED)
    public Map<String, Object> importFile(
            @RequestParam(defaultValue = SeedSets.DEFAULT_SET) String set, @RequestPart("file") MultipartFile file)
            throws IOException {
        try (Reader reader = new InputStreamReader(file.getInputStream(), StandardCharsets.UTF_8)) {
            return imported(set, seedSets.importSet(set, reader));
        }
    }

    @GetMapping("/api/seed-tasks")
    public List<SeedTaskLine> list(@RequestParam(defaultValue = SeedSets.DEFAULT_SET) String set) {
        return seedSets.tasks(set);
    }

    @GetMapping("/api/seed-sets")
    public List<SeedSets.SeedSet> sets() {
        return seedSets.sets();
    }

    private static Map<String, Object> imported(String set, int count) {
        return Map.of("set", set, "imported", count);
    }
}
