package io.selfinstruct.web;

import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.test.web.servlet.MockMvc;

@SpringBootTest
@AutoConfigureMockMvc
class ApiSecurityTest {

    @Autowired
    MockMvc mvc;

    @Test
    void apiWithoutKeyIs401ProblemDetail() throws Exception {
        mvc.perform(get("/api/seed-sets"))
                .andExpect(status().isUnauthorized())
                .andExpect(content().contentTypeCompatibleWith("application/problem+json"))
                .andExpect(jsonPath("$.status").value(401))
                .andExpect(jsonPath("$.detail").value(org.hamcrest.Matchers.containsString("X-API-Key")));
    }

    @Test
    void apiWithWrongKeyIs401() throws Exception {
        mvc.perform(get("/api/seed-sets").header("X-API-Key", "nope")).andExpect(status().isUnauthorized());
    }

    @Test
    void apiWithKeyWorks() throws Exception {
        mvc.perform(get("/api/seed-sets").header("X-API-Key", "test-key")).andExpect(status().isOk());
    }

    @Test
    void otherActuatorEndpointsNeedTheAdminLogin() throws Exception {
        mvc.perform(get("/actuator/metrics")).andExpect(status().is3xxRedirection());
    }

    @Test
    void openApiDocumentIsPublic() throws Exception {
        mvc.perform(get("/v3/api-docs"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.paths['/api/seed-tasks']").exists());
    }

    @Test
    void healthIsOpenAndUp() throws Exception {
        mvc.perform(get("/actuator/health"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.status").value("UP"));
    }
}
