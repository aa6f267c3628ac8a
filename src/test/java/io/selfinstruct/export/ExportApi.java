package io.selfinstruct.export;

import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder;
import org.springframework.test.web.servlet.request.MockMvcRequestBuilders;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Calls GET /api/export through MockMvc and reads what comes back. */
final class ExportApi {

    static final JsonMapper JSON = JsonMapper.builder().build();

    private final MockMvc mvc;

    ExportApi(MockMvc mvc) {
        this.mvc = mvc;
    }

    MockHttpServletResponse download(String query) throws Exception {
        MockHttpServletRequestBuilder get =
                MockMvcRequestBuilders.get("/api/export?" + query).header("X-API-Key", "test-key");
        return mvc.perform(get).andExpect(status().isOk()).andReturn().getResponse();
    }

    static List<JsonNode> lines(byte[] body) {
        String text = new String(body, StandardCharsets.UTF_8);
        List<JsonNode> nodes = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (!line.isEmpty()) {
                nodes.add(JSON.readTree(line));
            }
        }
        return nodes;
    }

    static List<JsonNode> array(byte[] body) {
        List<JsonNode> nodes = new ArrayList<>();
        JSON.readTree(body).forEach(nodes::add);
        return nodes;
    }

    /** Entry name to content, in zip order. */
    static Map<String, byte[]> unzip(byte[] body) throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(body))) {
            for (ZipEntry e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
                entries.put(e.getName(), zip.readAllBytes());
            }
        }
        return entries;
    }

    static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.propertyNames().forEach(names::add);
        return names;
    }
}
