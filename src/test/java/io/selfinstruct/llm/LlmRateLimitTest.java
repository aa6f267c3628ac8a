package io.selfinstruct.llm;

import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

/** The rates the issue asks for, against a server that takes 200 ms per answer. */
@SpringBootTest
class LlmRateLimitTest {

    static WireMockServer server;

    @Autowired
    LlmCallRepository calls;

    LlmClient client;

    @BeforeAll
    static void startServer() {
        server = OpenAiStub.start();
    }

    @AfterAll
    static void stopServer() {
        server.stop();
    }

    @BeforeEach
    void reset() {
        server.resetAll();
        calls.deleteAll();
        server.stubFor(post(urlEqualTo(OpenAiStub.CHAT))
                .willReturn(OpenAiStub.chatReply("ok", "stop", 10, 2).withFixedDelay(200)));
        client = new LlmClient(
                new LlmProperties(
                        null,
                        OpenAiStub.baseUrl(server),
                        "local-model",
                        "chat",
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        Map.of(),
                        null,
                        null),
                calls,
                new SimpleMeterRegistry());
    }

    /** The one slow test: the limit has to be watched over a long enough run to mean something. */
    @Test
    void sixtyRequestsPerMinuteSendThirtyRequestsInThirtySeconds() throws Exception {
        AtomicInteger succeeded = new AtomicInteger();
        ExecutorService workers = Executors.newFixedThreadPool(4);
        try (LlmSession llm = client.open(
                client.defaults().withConcurrency(4).withRequestsPerMinute(60).withTokensPerMinute(0))) {
            for (int w = 0; w < 4; w++) {
                workers.submit(() -> {
                    while (!Thread.currentThread().isInterrupted()) {
                        try {
                            llm.call(new LlmRequest("s", null, "p", null));
                            succeeded.incrementAndGet();
                        } catch (LlmException.Cancelled stop) {
                            return;
                        }
                    }
                });
            }
            Thread.sleep(30_000);
            workers.shutdownNow();
            assertThat(workers.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }

        int sent = server.findAll(postRequestedFor(urlEqualTo(OpenAiStub.CHAT))).size();
        System.out.printf("llm rate limit, 60/min for 30 s against a 200 ms server: %d requests sent%n", sent);
        assertThat(sent).isBetween(28, 32);
        // every answered call has its row; the stop may cut one call off, stored as FAILED
        assertThat(calls.findAll())
                .filteredOn(c -> c.getStatus().equals("SUCCEEDED"))
                .hasSize(succeeded.get());
        assertThat(calls.count()).isBetween((long) sent, sent + 1L);
        assertThat(succeeded.get()).isBetween(sent - 1, sent);
    }

    @Test
    void sixteenSlotsSendAtLeastTwelveTimesTheRequestsOfOne() throws Exception {
        WireMockServer quiet = OpenAiStub.start(false);
        double one;
        double sixteen;
        try {
            quiet.stubFor(post(urlEqualTo(OpenAiStub.CHAT))
                    .willReturn(OpenAiStub.chatReply("ok", "stop", 10, 2).withFixedDelay(200)));
            LlmSettings settings = client.defaults().withBaseUrl(OpenAiStub.baseUrl(quiet));
            requestsPerSecond(settings.withConcurrency(16), 64); // warm up the client, the stub and the database
            one = requestsPerSecond(settings.withConcurrency(1), 8);
            sixteen = requestsPerSecond(settings.withConcurrency(16), 160);
        } finally {
            quiet.stop();
        }

        System.out.printf(
                "llm throughput, 200 ms server: concurrency 1 %.2f req/s, 16 %.2f req/s, ratio %.1f%n",
                one, sixteen, sixteen / one);
        assertThat(sixteen).isGreaterThanOrEqualTo(12 * one);
    }

    private double requestsPerSecond(LlmSettings settings, int total) throws Exception {
        ExecutorService callers = Executors.newFixedThreadPool(settings.concurrency());
        try (LlmSession llm = client.open(settings)) {
            long start = System.nanoTime();
            List<Future<LlmResult>> results = new ArrayList<>();
            for (int i = 0; i < total; i++) {
                results.add(callers.submit(() -> llm.call(new LlmRequest("s", null, "p", null))));
            }
            for (Future<LlmResult> result : results) {
                assertThat(result.get().text()).isEqualTo("ok");
            }
            double seconds = Duration.ofNanos(System.nanoTime() - start).toMillis() / 1000.0;
            assertThat(llm.usage().requests()).isEqualTo(total);
            return total / seconds;
        } finally {
            callers.shutdownNow();
        }
    }
}
