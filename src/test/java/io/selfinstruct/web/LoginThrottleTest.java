package io.selfinstruct.web;

import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.redirectedUrl;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.ResultActions;

/** Repeated failed admin logins of one user from one address are answered 429 for a while. */
@SpringBootTest(properties = {"selfinstruct.admin.max-failed-logins=3", "selfinstruct.admin.login-lockout=10m"})
@AutoConfigureMockMvc
class LoginThrottleTest {

    @Autowired
    MockMvc mvc;

    private ResultActions login(String user, String password, String address) throws Exception {
        return mvc.perform(post("/login")
                .param("username", user)
                .param("password", password)
                .with(csrf())
                .with(request -> {
                    request.setRemoteAddr(address);
                    return request;
                }));
    }

    @Test
    void afterThreeFailuresTheUserAtThatAddressIsThrottled() throws Exception {
        for (int i = 0; i < 3; i++) {
            login("admin", "wrong-" + i, "127.0.0.7").andExpect(redirectedUrl("/login?error"));
        }
        login("admin", "wrong-again", "127.0.0.7")
                .andExpect(status().isTooManyRequests())
                .andExpect(header().exists("Retry-After"))
                .andExpect(jsonPath("$.title").value("Too many failed logins"));
        // the right password does not get through while locked: guessing cannot continue by luck
        login("admin", "test-admin-password", "127.0.0.7").andExpect(status().isTooManyRequests());
        // another address is not locked out by someone else's guessing
        login("admin", "test-admin-password", "127.0.0.8").andExpect(redirectedUrl("/admin"));
    }

    @Test
    void aSuccessfulLoginClearsTheCount() throws Exception {
        login("admin", "wrong", "127.0.0.9").andExpect(redirectedUrl("/login?error"));
        login("admin", "wrong", "127.0.0.9").andExpect(redirectedUrl("/login?error"));
        login("admin", "test-admin-password", "127.0.0.9").andExpect(redirectedUrl("/admin"));
        login("admin", "wrong", "127.0.0.9").andExpect(redirectedUrl("/login?error"));
        login("admin", "wrong", "127.0.0.9").andExpect(redirectedUrl("/login?error"));
        login("admin", "test-admin-password", "127.0.0.9").andExpect(redirectedUrl("/admin"));
    }
}
