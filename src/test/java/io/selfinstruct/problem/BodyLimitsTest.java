package io.selfinstruct.problem;

import static org.assertj.core.api.Assertions.assertThat;

import io.selfinstruct.generate.BatchRepository;
import io.selfinstruct.seed.SeedSets;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Each endpoint's body limit holds before the body is read, over real HTTP, with a Content-Length and with a
 * chunked body that has none: 413 problem detail, nothing stored.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "selfinstruct.limits.batches=2KB",
            "selfinstruct.limits.seed-tasks=4KB",
            "selfinstruct.limits.rouge=8KB"
        })
class BodyLimitsTest {

    @LocalServerPort
    int port;

    @Autowired
    BatchRepository batches;

    @Autowired
    SeedSets seedSets;

    final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<String> post(String path, String type, byte[] body, boolean chunked) throws Exception {
        HttpRequest.BodyPublisher publisher = chunked
                ? HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body))
                : HttpRequest.BodyPublishers.ofByteArray(body);
        return http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                        .header("X-API-Key", "test-key")
                        .header("Content-Type", type)
                        .POST(publisher)
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aDeclaredLengthPastTheLimitIsRefusedAtOnce() throws Exception {
        long before = batches.count();
        byte[] big = ("{\"targetInstructions\": 5, \"blocklist\": [\"" + "w".repeat(3000) + "\"]}")
                .getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> response = post("/api/batches", "application/json", big, false);
        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(response.body()).contains("2048 bytes for /api/batches");
        assertThat(batches.count()).isEqualTo(before);
    }

    @Test
    void aChunkedBodyStopsBeingReadAtTheLimit() throws Exception {
        StringBuilder jsonl = new StringBuilder();
        for (int i = 0; i < 100; i++) {
            jsonl.append("{\"id\": \"t")
                    .append(i)
                    .append("\", \"instruction\": \"Say number ")
                    .append(i)
                    .append(".\", \"instances\": [{\"input\": \"\", \"output\": \"")
                    .append(i)
                    .append("\"}]}\n");
        }
        byte[] seeds = jsonl.toString().getBytes(StandardCharsets.UTF_8);
        assertThat(seeds.length).isGreaterThan(4096);
        HttpResponse<String> response = post("/api/seed-tasks?set=too-big", "application/x-ndjson", seeds, true);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(413);
        assertThat(seedSets.exists("too-big")).isFalse();

        byte[] pairs = ("{\"pairs\": [" + "{\"a\": \"one two three\", \"b\": \"one two four\"},".repeat(400)
                        + "{\"a\": \"x\", \"b\": \"y\"}]}")
                .getBytes(StandardCharsets.UTF_8);
        response = post("/api/rouge/score", "application/json", pairs, true);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(413);
        assertThat(response.body()).contains("Payload too large");
    }

    @Test
    void bodiesUnderTheLimitPass() throws Exception {
        byte[] small = "{\"pairs\": [{\"a\": \"x y\", \"b\": \"x y\"}]}".getBytes(StandardCharsets.UTF_8);
        assertThat(post("/api/rouge/score", "application/json", small, true).statusCode())
                .isEqualTo(200);
        assertThat(post("/api/rouge/score", "application/json", small, false).statusCode())
                .isEqualTo(200);
    }
}
