package io.selfinstruct.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.selfinstruct.problem.InvalidRequestException;
import java.util.List;
import org.junit.jupiter.api.Test;

class OutboundHostsTest {

    static LlmProperties configured(String baseUrl) {
        return new LlmProperties(
                null, baseUrl, null, null, null, null, null, null, null, null, null, null, null, null, null, null);
    }

    @Test
    void byDefaultOnlyTheConfiguredServerIsCalled() {
        OutboundHosts hosts = new OutboundHosts(configured("http://localhost:8000/v1"), List.of());
        assertThat(hosts.allows("http://localhost:8000/v1")).isTrue();
        assertThat(hosts.allows("http://LOCALHOST:8000/v1/")).isTrue();
        assertThat(hosts.allows("http://localhost:8000/v1/deployments/x")).isTrue();
        assertThat(hosts.allows("http://169.254.169.254/latest/meta-data")).isFalse();
        assertThat(hosts.allows("http://localhost:8001/v1")).as("another port").isFalse();
        assertThat(hosts.allows("https://localhost:8000/v1"))
                .as("another scheme")
                .isFalse();
        assertThat(hosts.allows("http://localhost:8000/v10"))
                .as("a sibling path")
                .isFalse();
        assertThat(hosts.allows("http://localhost:8000/v1/../admin")).isFalse();
        assertThat(hosts.allows("http://localhost:8000@169.254.169.254/v1"))
                .as("user info")
                .isFalse();
        assertThat(hosts.allows("file:///etc/passwd")).isFalse();
        assertThat(hosts.allows(null)).isFalse();
    }

    @Test
    void theAllowListReplacesTheDefaultAndTheRefusalSaysHowToAllow() {
        OutboundHosts hosts = new OutboundHosts(
                configured("https://api.openai.com/v1"), List.of(" https://api.openai.com/v1", "http://vllm:8000 "));
        assertThat(hosts.allows("https://api.openai.com/v1")).isTrue();
        assertThat(hosts.allows("http://vllm:8000/v1")).isTrue();
        assertThat(hosts.allows("http://vllm/v1")).isFalse();
        assertThatThrownBy(() -> hosts.check("http://169.254.169.254/v1"))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("not an allowed LLM server")
                .hasMessageContaining(OutboundHosts.PROPERTY)
                .hasMessageContaining("SELFINSTRUCT_LLM_ALLOWED_BASE_URLS");
        assertThatThrownBy(() -> new OutboundHosts(configured("https://api.openai.com/v1"), List.of("ftp://x")))
                .hasMessageContaining("not an http(s) URL");
    }
}
