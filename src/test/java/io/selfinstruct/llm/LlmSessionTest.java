package io.selfinstruct.llm;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.http.Fault;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.selfinstruct.generate.Batch;
import io.selfinstruct.generate.BatchRepository;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

/** The layer over the real openai-java client and real HTTP, against WireMock speaking the OpenAI format. */
@SpringBootTest
class LlmSessionTest {

    static final String SECRET_KEY = "sk-test-secret-0123456789abcdef";
    static WireMockServer server;

    @Autowired
    LlmCallRepository calls;

    @Autowired
    LlmClient springClient;

    @Autowired
    BatchRepository batches;

    SimpleMeterRegistry registry;
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
        registry = new SimpleMeterRegistry();
        // the key is configured for the stub's URL, so it is the one sent there
        client = new LlmClient(properties(Map.of("cent-model", new ModelPrice(0, 10_000))), calls, registry);
    }

    static LlmProperties properties(Map<String, ModelPrice> prices) {
        return new LlmProperties(
                SECRET_KEY,
                OpenAiStub.baseUrl(server),
                "test-model",
                "chat",
                4,
                0,
                0,
                Duration.ofSeconds(2),
                Duration.ofSeconds(5),
                4,
                2,
                Duration.ofMillis(20),
                Duration.ofMillis(200),
                prices,
                null,
                null);
    }

    LlmSession session(LlmApi api) {
        return client.open(client.defaults().withApi(api));
    }

    @Test
    void chatSendsSystemInstructionPromptAndSamplingAndParsesEveryChoice() {
        server.stubFor(post(urlEqualTo(OpenAiStub.CHAT)).willReturn(okJson("""
                {"id":"c","object":"chat.completion","created":1,"model":"test-model",
                 "choices":[{"index":0,"message":{"role":"assistant","content":"10. Sort a list."},"finish_reason":"stop"},
                            {"index":1,"message":{"role":"assistant","content":"10. Name a"},"finish_reason":"length"}],
                 "usage":{"prompt_tokens":57,"completion_tokens":12,"total_tokens":69}}
                """)));
        Sampling sampling =
                new Sampling(0.7, 0.5, 1024, List.of("\n\n", "16", "16."), 2.0, 0.0, 2, Map.of("50256", -100));

        LlmResult result;
        try (LlmSession llm = session(LlmApi.CHAT)) {
            result = llm.call(new LlmRequest("generate_instructions", "b1:gen:1", "1. Do X.\n9.", sampling));
        }

        server.verify(
                1,
                postRequestedFor(urlEqualTo(OpenAiStub.CHAT))
                        .withHeader("Authorization", equalTo("Bearer " + SECRET_KEY))
                        .withRequestBody(equalToJson("""
                        {"model":"test-model",
                         "messages":[{"role":"system","content":"%s"},{"role":"user","content":"1. Do X.\\n9."}],
                         "temperature":0.7,"top_p":0.5,"max_tokens":1024,"stop":["\\n\\n","16","16."],
                         "presence_penalty":2.0,"frequency_penalty":0.0,"n":2,"logit_bias":{"50256":-100}}
                        """.formatted(systemPrompt()))));
        assertThat(result.choices())
                .extracting(LlmResult.LlmChoice::text)
                .containsExactly("10. Sort a list.", "10. Name a");
        assertThat(result.choices())
                .extracting(LlmResult.LlmChoice::finishReason)
                .containsExactly("stop", "length");
        assertThat(result.promptTokens()).isEqualTo(57);
        assertThat(result.completionTokens()).isEqualTo(12);
        assertThat(result.attempts()).isEqualTo(1);

        LlmCall row = calls.findById(result.llmCallId()).orElseThrow();
        assertThat(row.getStatus()).isEqualTo("SUCCEEDED");
        assertThat(row.getStep()).isEqualTo("generate_instructions");
        assertThat(row.getPrompt()).isEqualTo("1. Do X.\n9.");
        assertThat(row.getResponse()).isEqualTo("10. Sort a list.");
        assertThat(row.getFinishReason()).isEqualTo("stop");
        assertThat(row.getPromptTokens()).isEqualTo(57);
        assertThat(row.getCompletionTokens()).isEqualTo(12);
        assertThat(row.getModel()).isEqualTo("test-model");
        assertThat(row.getAttempts()).isEqualTo(1);
        assertThat(registry.get("llm.tokens")
                        .tag("type", "completion")
                        .counter()
                        .count())
                .isEqualTo(12);
        assertThat(registry.get("llm.latency").timer().count()).isEqualTo(1);
    }

    @Test
    void completionsSendsTheRawPromptAndParsesUsageAndFinishReason() {
        server.stubFor(post(urlEqualTo(OpenAiStub.COMPLETIONS))
                .willReturn(OpenAiStub.completionReply(" Write a haiku.\n10.", "length", 30, 8)));
        Sampling sampling = new Sampling(0.0, 1.0, 8, List.of("\n\n"), null, null, null, null);

        LlmResult result;
        try (LlmSession llm = session(LlmApi.COMPLETIONS)) {
            result = llm.call(new LlmRequest("generate_instances", null, "Come up with tasks:\n9.", sampling));
        }

        server.verify(1, postRequestedFor(urlEqualTo(OpenAiStub.COMPLETIONS)).withRequestBody(equalToJson("""
                {"model":"test-model","prompt":"Come up with tasks:\\n9.","temperature":0.0,"top_p":1.0,
                 "max_tokens":8,"stop":["\\n\\n"]}
                """)));
        assertThat(server.getAllServeEvents().get(0).getRequest().getBodyAsString())
                .doesNotContain("presence_penalty", "messages", "\"n\"");
        assertThat(result.text()).isEqualTo(" Write a haiku.\n10.");
        assertThat(result.finishReason()).isEqualTo("length");
        assertThat(result.promptTokens()).isEqualTo(30);
        assertThat(result.completionTokens()).isEqualTo(8);
        assertThat(calls.findById(result.llmCallId()).orElseThrow().getFinishReason())
                .isEqualTo("length");
    }

    static Stream<Arguments> transientFaults() {
        return Stream.of(
                Arguments.of(
                        "429",
                        aResponse()
                                .withStatus(429)
                                .withHeader("Retry-After", "1")
                                .withBody("{\"error\":{\"message\":\"Rate limit reached\"}}"),
                        "rate_limited"),
                Arguments.of("500", OpenAiStub.error(500, "The server had an error"), "server_error"),
                Arguments.of(
                        "502 from a proxy",
                        aResponse().withStatus(502).withBody("<html>Bad Gateway</html>"),
                        "server_error"),
                Arguments.of("slow", OpenAiStub.chatReply("late", "stop", 1, 1).withFixedDelay(2500), "timeout"),
                Arguments.of("malformed", okJson("{\"id\": \"c\", \"choices\": [{\"mess"), "malformed"),
                Arguments.of(
                        "no choices",
                        okJson("{\"id\":\"c\",\"object\":\"chat.completion\",\"choices\":[]}"),
                        "malformed"),
                Arguments.of("reset", aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER), "connection"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("transientFaults")
    void aTransientFaultIsRetriedAndTheCallStoredOnce(String name, ResponseDefinitionBuilder fault, String kind) {
        server.stubFor(post(urlEqualTo(OpenAiStub.CHAT))
                .inScenario("fault")
                .whenScenarioStateIs(STARTED)
                .willReturn(fault)
                .willSetStateTo("healed"));
        server.stubFor(post(urlEqualTo(OpenAiStub.CHAT))
                .inScenario("fault")
                .whenScenarioStateIs("healed")
                .willReturn(OpenAiStub.chatReply("ok", "stop", 5, 2)));

        long start = System.nanoTime();
        LlmResult result;
        try (LlmSession llm = client.open(client.defaults()
                .withConnectTimeout(Duration.ofSeconds(1))
                .withRequestTimeout(Duration.ofMillis(700)))) {
            result = llm.call(new LlmRequest("generate_instructions", "fault:" + name, "p", null));
            assertThat(llm.usage().requests()).isEqualTo(2);
            assertThat(llm.usage().calls()).isEqualTo(1);
        }
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertThat(result.text()).isEqualTo("ok");
        assertThat(result.attempts()).isEqualTo(2);
        server.verify(2, postRequestedFor(urlEqualTo(OpenAiStub.CHAT)));
        assertThat(calls.findAll()).singleElement().satisfies(row -> {
            assertThat(row.getRequestKey()).isEqualTo("fault:" + name);
            assertThat(row.getStatus()).isEqualTo("SUCCEEDED");
            assertThat(row.getAttempts()).isEqualTo(2);
            assertThat(row.getPromptTokens()).isEqualTo(5);
            assertThat(row.getError()).isNull();
        });
        assertThat(registry.get("llm.retries").tag("kind", kind).counter().count())
                .isEqualTo(1);
        assertThat(registry.get("llm.errors").tag("kind", kind).counter().count())
                .isEqualTo(1);
        if (name.equals("429")) {
            assertThat(took).as("Retry-After: 1 is honoured").isGreaterThanOrEqualTo(Duration.ofSeconds(1));
        } else {
            assertThat(took).as("the configured backoff is short").isLessThan(Duration.ofSeconds(3));
        }
    }

    @Test
    void aRejectedKeyFailsFastWithAMessageThatNamesTheServerButNotTheKey() {
        server.stubFor(post(urlEqualTo(OpenAiStub.CHAT))
                .willReturn(OpenAiStub.error(401, "Incorrect API key provided: " + SECRET_KEY + ".")));

        try (LlmSession llm = session(LlmApi.CHAT)) {
            assertThatThrownBy(() -> llm.call(new LlmRequest("generate_instructions", "k1", "p", null)))
                    .isInstanceOf(LlmException.Fatal.class)
                    .hasMessageStartingWith("the API key was rejected by " + OpenAiStub.baseUrl(server))
                    .hasMessageNotContaining(SECRET_KEY)
                    .satisfies(e -> assertThat(((LlmException.Fatal) e).kind()).isEqualTo(FailureKind.UNAUTHORIZED));
            // the session is finished: the next call does not reach the server
            assertThatThrownBy(() -> llm.call(new LlmRequest("generate_instructions", "k2", "p", null)))
                    .isInstanceOf(LlmException.Fatal.class)
                    .hasMessageStartingWith("the API key was rejected by");
        }

        server.verify(1, postRequestedFor(urlEqualTo(OpenAiStub.CHAT)));
        assertThat(calls.findAll()).singleElement().satisfies(row -> {
            assertThat(row.getStatus()).isEqualTo("FAILED");
            assertThat(row.getAttempts()).isEqualTo(1);
            assertThat(row.getError()).contains("rejected").doesNotContain(SECRET_KEY);
        });
    }

    @Test
    void anUnknownModelAndABadRequestFailFastWithTheirOwnMessages() {
        server.stubFor(post(urlEqualTo(OpenAiStub.COMPLETIONS))
                .willReturn(OpenAiStub.error(404, "The model `nope` does not exist")));
        server.stubFor(post(urlEqualTo(OpenAiStub.CHAT))
                .willReturn(OpenAiStub.error(400, "maximum context length is 4097 tokens")));

        try (LlmSession llm =
                client.open(client.defaults().withApi(LlmApi.COMPLETIONS).withModel("nope"))) {
            assertThatThrownBy(() -> llm.call(new LlmRequest("s", null, "p", null)))
                    .isInstanceOf(LlmException.Fatal.class)
                    .hasMessageContaining("has no model 'nope' or no completions endpoint")
                    .hasMessageContaining("does not exist");
        }
        try (LlmSession llm = session(LlmApi.CHAT)) {
            assertThatThrownBy(() -> llm.call(new LlmRequest("s", null, "p", null)))
                    .isInstanceOf(LlmException.Fatal.class)
                    .hasMessageContaining("rejected the request as invalid (HTTP 400: maximum context length");
        }
        server.verify(1, postRequestedFor(urlEqualTo(OpenAiStub.CHAT)));
        server.verify(1, postRequestedFor(urlEqualTo(OpenAiStub.COMPLETIONS)));
    }

    @Test
    void persistentFaultsExhaustTheRetriesAndMalformedRepliesHaveTheirOwnLimit() {
        server.stubFor(post(urlEqualTo(OpenAiStub.CHAT)).willReturn(OpenAiStub.error(503, "overloaded")));
        server.stubFor(post(urlEqualTo(OpenAiStub.COMPLETIONS)).willReturn(okJson("not json at all")));

        try (LlmSession llm = session(LlmApi.CHAT)) {
            assertThatThrownBy(() -> llm.call(new LlmRequest("s", "down", "p", null)))
                    .isInstanceOf(LlmException.RetriesExhausted.class)
                    .hasMessageContaining("after 4 attempts")
                    .hasMessageContaining("HTTP 503: overloaded");
        }
        try (LlmSession llm = session(LlmApi.COMPLETIONS)) {
            assertThatThrownBy(() -> llm.call(new LlmRequest("s", "garbled", "p", null)))
                    .isInstanceOf(LlmException.RetriesExhausted.class)
                    .hasMessageContaining("after 2 attempts")
                    .satisfies(e -> assertThat(((LlmException.RetriesExhausted) e).kind())
                            .isEqualTo(FailureKind.MALFORMED));
        }

        server.verify(4, postRequestedFor(urlEqualTo(OpenAiStub.CHAT)));
        server.verify(2, postRequestedFor(urlEqualTo(OpenAiStub.COMPLETIONS)));
        assertThat(calls.findByRequestKey("down").orElseThrow().getAttempts()).isEqualTo(4);
        assertThat(calls.findByRequestKey("garbled").orElseThrow().getStatus()).isEqualTo("FAILED");
    }

    @Test
    void aResumedBatchReplaysFinishedCallsAndRetriesFailedOnesInTheSameRow() {
        server.stubFor(post(urlEqualTo(OpenAiStub.CHAT))
                .inScenario("run")
                .whenScenarioStateIs(STARTED)
                .willReturn(OpenAiStub.error(401, "bad key"))
                .willSetStateTo("fixed"));
        server.stubFor(post(urlEqualTo(OpenAiStub.CHAT))
                .inScenario("run")
                .whenScenarioStateIs("fixed")
                .willReturn(OpenAiStub.chatReply("answer", "stop", 3, 4)));
        try (LlmSession first = session(LlmApi.CHAT)) {
            assertThatThrownBy(() -> first.call(new LlmRequest("s", "b9:1", "p", null)))
                    .isInstanceOf(LlmException.Fatal.class);
        }

        LlmResult done;
        LlmResult replay;
        try (LlmSession second = session(LlmApi.CHAT)) {
            done = second.call(new LlmRequest("s", "b9:1", "p", null));
        }
        try (LlmSession third = session(LlmApi.CHAT)) {
            replay = third.call(new LlmRequest("s", "b9:1", "p", null));
            assertThat(third.usage().requests()).isZero();
        }

        server.verify(2, postRequestedFor(urlEqualTo(OpenAiStub.CHAT)));
        assertThat(replay.replayed()).isTrue();
        assertThat(replay.choices()).isEqualTo(done.choices());
        assertThat(replay.llmCallId()).isEqualTo(done.llmCallId());
        assertThat(replay.completionTokens()).isEqualTo(4);
        assertThat(calls.countByRequestKey("b9:1")).isEqualTo(1);
        assertThat(calls.findByRequestKey("b9:1").orElseThrow().getAttempts())
                .as("both runs' attempts")
                .isEqualTo(2);
    }

    @Test
    void theBudgetStopsCallsBeforeTheSpendWouldPassIt() throws Exception {
        // 1 completion token at $10,000 per 1M tokens: each call costs exactly $0.01
        server.stubFor(post(urlEqualTo(OpenAiStub.CHAT))
                .willReturn(OpenAiStub.chatReply("x", "length", 20, 1).withFixedDelay(50)));
        Sampling oneToken = new Sampling(null, null, 1, null, null, null, null, null);

        int succeeded = 0;
        int stopped = 0;
        double paid = 0;
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try (LlmSession llm = client.open(
                client.defaults().withModel("cent-model").withConcurrency(8).withMaxCostUsd(0.05))) {
            List<Future<LlmResult>> futures = Stream.iterate(0, i -> i + 1)
                    .limit(20)
                    .map(i -> pool.submit(() -> llm.call(new LlmRequest("s", "budget:" + i, "p", oneToken))))
                    .toList();
            for (Future<LlmResult> f : futures) {
                try {
                    paid += f.get().costUsd();
                    succeeded++;
                } catch (java.util.concurrent.ExecutionException e) {
                    assertThat(e.getCause())
                            .isInstanceOf(LlmException.BudgetReached.class)
                            .hasMessageContaining("budget reached");
                    stopped++;
                }
            }
            assertThat(llm.spentUsd()).isCloseTo(0.05, org.assertj.core.data.Offset.offset(1e-9));
        } finally {
            pool.shutdownNow();
        }

        assertThat(succeeded).isEqualTo(5);
        assertThat(stopped).isEqualTo(15);
        assertThat(paid).isCloseTo(0.05, org.assertj.core.data.Offset.offset(1e-9));
        server.verify(5, postRequestedFor(urlEqualTo(OpenAiStub.CHAT)));
        assertThat(calls.findAll())
                .hasSize(5)
                .allSatisfy(row -> assertThat(row.getCostUsd()).isEqualTo(0.01));
        assertThat(registry.get("llm.calls")
                        .tag("outcome", "budget_reached")
                        .counter()
                        .count())
                .isEqualTo(15);
    }

    @Test
    void aResumedBatchCountsWhatItSpentBeforeAgainstItsBudget() {
        server.stubFor(post(urlEqualTo(OpenAiStub.CHAT)).willReturn(OpenAiStub.chatReply("x", "length", 20, 1)));
        Long batchId = batches.save(new Batch("self-instruct", "default", "cent-model", "chat", null, "en", 10, "{}"))
                .getId();
        LlmCall earlier = new LlmCall(batchId, "s", "spent", "cent-model", "p");
        earlier.setStatus("SUCCEEDED");
        earlier.setCostUsd(0.04);
        calls.save(earlier);
        Sampling oneToken = new Sampling(null, null, 1, null, null, null, null, null);

        try (LlmSession llm = client.open(
                client.defaults().withBatchId(batchId).withModel("cent-model").withMaxCostUsd(0.05))) {
            assertThat(llm.spentUsd()).isCloseTo(0.04, org.assertj.core.data.Offset.offset(1e-9));
            llm.call(new LlmRequest("s", "resumed:1", "p", oneToken));
            assertThatThrownBy(() -> llm.call(new LlmRequest("s", "resumed:2", "p", oneToken)))
                    .isInstanceOf(LlmException.BudgetReached.class);
        }
        server.verify(1, postRequestedFor(urlEqualTo(OpenAiStub.CHAT)));
        assertThat(calls.findByBatchIdOrderById(batchId)).hasSize(2);
    }

    @Test
    void stopCancelsCallsInFlightAndWaitingWithoutInterruptingAnyThread() throws Exception {
        server.stubFor(post(urlEqualTo(OpenAiStub.CHAT))
                .willReturn(OpenAiStub.chatReply("late", "stop", 1, 1).withFixedDelay(4000)));
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try (LlmSession llm = client.open(client.defaults().withConcurrency(2))) {
            List<Future<Boolean>> callers = Stream.iterate(0, i -> i + 1)
                    .limit(3)
                    .map(i -> pool.submit(() -> {
                        try {
                            llm.call(new LlmRequest("s", "stop:" + i, "p", null));
                            return false;
                        } catch (LlmException.Cancelled e) {
                            return !Thread.currentThread().isInterrupted();
                        }
                    }))
                    .toList();
            Thread.sleep(500); // two calls in flight, the third waits for a slot
            long stoppedAt = System.nanoTime();
            llm.stop();
            for (Future<Boolean> caller : callers) {
                assertThat(caller.get(2, TimeUnit.SECONDS))
                        .as("cancelled, thread not interrupted")
                        .isTrue();
            }
            assertThat(Duration.ofNanos(System.nanoTime() - stoppedAt)).isLessThan(Duration.ofSeconds(2));
            assertThatThrownBy(() -> llm.call(new LlmRequest("s", "stop:later", "p", null)))
                    .isInstanceOf(LlmException.Cancelled.class);
        } finally {
            pool.shutdownNow();
        }
        // the two calls that were sent are stored as cancelled; the one that never got a slot sent nothing
        List<LlmCall> sent = Stream.of("stop:0", "stop:1", "stop:2")
                .flatMap(key -> calls.findByRequestKey(key).stream())
                .toList();
        assertThat(sent).hasSize(2).allSatisfy(call -> {
            assertThat(call.getStatus()).isEqualTo("FAILED");
            assertThat(call.getError()).contains("cancelled");
        });
    }

    @Test
    void noMoreCallsThanTheConcurrencyAreInFlightAtOnce() throws Exception {
        server.stubFor(post(urlEqualTo(OpenAiStub.CHAT))
                .willReturn(OpenAiStub.chatReply("ok", "stop", 1, 1).withFixedDelay(200)));
        ExecutorService pool = Executors.newFixedThreadPool(8);
        long start = System.nanoTime();
        try (LlmSession llm = client.open(client.defaults().withConcurrency(2))) {
            List<Future<LlmResult>> futures = Stream.iterate(0, i -> i + 1)
                    .limit(8)
                    .map(i -> pool.submit(() -> llm.call(new LlmRequest("s", null, "p", null))))
                    .toList();
            for (Future<LlmResult> f : futures) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        // 8 calls two at a time take four rounds of 200 ms; eight at a time would take one
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(800));
        server.verify(8, postRequestedFor(urlEqualTo(OpenAiStub.CHAT)));
    }

    @Test
    void aBatchPointedAtAnotherServerNeverReceivesTheConfiguredKey() {
        server.stubFor(post(urlEqualTo(OpenAiStub.CHAT)).willReturn(OpenAiStub.chatReply("ok", "stop", 1, 1)));
        LlmClient elsewhere = new LlmClient(
                new LlmProperties(
                        SECRET_KEY,
                        "https://api.openai.com/v1",
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null),
                calls,
                registry);

        try (LlmSession llm = elsewhere.open(elsewhere.defaults().withBaseUrl(OpenAiStub.baseUrl(server)))) {
            llm.call(new LlmRequest("s", null, "p", null));
        }

        server.verify(postRequestedFor(urlEqualTo(OpenAiStub.CHAT))
                .withHeader("Authorization", equalTo("Bearer " + LlmProperties.DUMMY_KEY)));
    }

    @Test
    void theServiceBeanReadsItsConfiguration() {
        LlmSettings defaults = springClient.defaults();
        assertThat(defaults.api()).isEqualTo(LlmApi.CHAT);
        assertThat(defaults.model()).isEqualTo("gpt-4o-mini");
        assertThat(defaults.concurrency()).isEqualTo(8);
    }

    private static String systemPrompt() throws RuntimeException {
        try (var in = LlmSessionTest.class.getResourceAsStream("/" + LlmClient.SYSTEM_PROMPT)) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).strip();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
