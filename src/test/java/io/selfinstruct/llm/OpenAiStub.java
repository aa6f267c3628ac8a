package io.selfinstruct.llm;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;

/** A WireMock server that speaks the OpenAI wire format, for the real openai-java client to call. */
final class OpenAiStub {

    static final String CHAT = "/v1/chat/completions";
    static final String COMPLETIONS = "/v1/completions";

    private OpenAiStub() {}

    static WireMockServer start() {
        return start(true);
    }

    /** @param journal false for throughput runs: recording every request costs the stub CPU the client needs */
    static WireMockServer start(boolean journal) {
        WireMockConfiguration options = WireMockConfiguration.options()
                .dynamicPort()
                .containerThreads(80)
                .jettyAcceptors(2);
        WireMockServer server = new WireMockServer(journal ? options : options.disableRequestJournal());
        server.start();
        return server;
    }

    static String baseUrl(WireMockServer server) {
        return "http://localhost:" + server.port() + "/v1";
    }

    static ResponseDefinitionBuilder chatReply(
            String text, String finishReason, int promptTokens, int completionTokens) {
        return okJson("""
                {"id":"chatcmpl-1","object":"chat.completion","created":1700000000,"model":"m",
                 "choices":[{"index":0,"message":{"role":"assistant","content":%s},"finish_reason":"%s"}],
                 "usage":{"prompt_tokens":%d,"completion_tokens":%d,"total_tokens":%d}}
                """.formatted(
                        quote(text), finishReason, promptTokens, completionTokens, promptTokens + completionTokens));
    }

    static ResponseDefinitionBuilder completionReply(
            String text, String finishReason, int promptTokens, int completionTokens) {
        return okJson("""
                {"id":"cmpl-1","object":"text_completion","created":1700000000,"model":"m",
                 "choices":[{"index":0,"text":%s,"logprobs":null,"finish_reason":"%s"}],
                 "usage":{"prompt_tokens":%d,"completion_tokens":%d,"total_tokens":%d}}
                """.formatted(
                        quote(text), finishReason, promptTokens, completionTokens, promptTokens + completionTokens));
    }

    static ResponseDefinitionBuilder error(int status, String message) {
        return aResponse()
                .withStatus(status)
                .withHeader("Content-Type", "application/json")
                .withBody("""
                        {"error":{"message":%s,"type":"error","param":null,"code":null}}
                        """.formatted(quote(message)));
    }

    private static String quote(String text) {
        return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"";
    }
}
