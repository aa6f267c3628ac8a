package io.selfinstruct.web;

import io.selfinstruct.problem.ProblemDetails;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.AnonymousAuthenticationFilter;
import org.springframework.security.web.authentication.SavedRequestAwareAuthenticationSuccessHandler;
import org.springframework.security.web.authentication.UsernamePasswordAuthenticationFilter;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * {@code /api/**}: stateless, the {@code X-API-Key} header. Health, OpenAPI and Swagger UI are open. Everything
 * else (the admin UI, other actuator endpoints) needs the admin account through form login.
 */
@Configuration
public class SecurityConfig {

    public static final String API_KEY_HEADER = "X-API-Key";

    @Bean
    @Order(1)
    SecurityFilterChain api(HttpSecurity http, ApiKeys apiKeys) throws Exception {
        http.securityMatcher("/api/**")
                .csrf(csrf -> csrf.disable())
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .addFilterBefore(new ApiKeyFilter(apiKeys), AnonymousAuthenticationFilter.class)
                .authorizeHttpRequests(auth -> auth.anyRequest().hasRole("API"))
                .exceptionHandling(e -> e.authenticationEntryPoint((req, res, ex) -> ProblemDetails.write(
                                res,
                                HttpStatus.UNAUTHORIZED,
                                "Unauthorized",
                                "Send the service's API key in the " + API_KEY_HEADER + " header."))
                        .accessDeniedHandler((req, res, ex) -> ProblemDetails.write(
                                res, HttpStatus.FORBIDDEN, "Forbidden", "This API key may not do that.")));
        return http.build();
    }

    /**
     * {@code /v1/**}, the OpenAI-compatible server: the API key as OpenAI clients send it
     * ({@code Authorization: Bearer <key>}) or in {@code X-API-Key}; a 401 in OpenAI's error shape.
     */
    @Bean
    @Order(2)
    SecurityFilterChain openAiCompatible(HttpSecurity http, ApiKeys apiKeys) throws Exception {
        http.securityMatcher("/v1/**", "/tokenize", "/detokenize")
                .csrf(csrf -> csrf.disable())
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .addFilterBefore(new ApiKeyFilter(apiKeys), AnonymousAuthenticationFilter.class)
                // answers are written by StreamingResponseBody: its async dispatch comes back after the request
                // was authorized, with the answer already going out, so it is let through
                .authorizeHttpRequests(auth -> auth.dispatcherTypeMatchers(DispatcherType.ASYNC, DispatcherType.ERROR)
                        .permitAll()
                        .anyRequest()
                        .hasRole("API"))
                .exceptionHandling(e -> e.authenticationEntryPoint((req, res, ex) -> {
                    res.setStatus(HttpStatus.UNAUTHORIZED.value());
                    res.setContentType("application/json");
                    res.getWriter()
                            .write("{\"error\":{\"message\":\"Incorrect API key provided: send the service's API key as"
                                    + " Authorization: Bearer <key>.\",\"type\":\"invalid_request_error\","
                                    + "\"param\":null,\"code\":\"invalid_api_key\"}}");
                }));
        return http.build();
    }

    @Bean
    @Order(3)
    SecurityFilterChain open(HttpSecurity http) throws Exception {
        http.securityMatcher(
                        "/actuator/health/**",
                        "/actuator/health",
                        "/v3/api-docs/**",
                        "/swagger-ui/**",
                        "/swagger-ui.html",
                        "/error")
                .authorizeHttpRequests(auth -> auth.anyRequest().permitAll());
        return http.build();
    }

    @Bean
    @Order(10)
    SecurityFilterChain admin(HttpSecurity http, LoginThrottle throttle) throws Exception {
        // CSRF stays on (the default): every admin form carries the token, Thymeleaf adds it to th:action forms
        http.authorizeHttpRequests(auth -> auth.requestMatchers("/login", "/assets/**", "/webjars/**", "/favicon.ico")
                        .permitAll()
                        .anyRequest()
                        .authenticated())
                .addFilterBefore(throttle.filter(), UsernamePasswordAuthenticationFilter.class)
                .formLogin(form -> form.loginPage("/login")
                        .usernameParameter("username")
                        .passwordParameter("password")
                        .successHandler(new SavedRequestAwareAuthenticationSuccessHandler() {
                            {
                                setDefaultTargetUrl("/admin");
                            }

                            @Override
                            public void onAuthenticationSuccess(
                                    HttpServletRequest request,
                                    HttpServletResponse response,
                                    Authentication authentication)
                                    throws IOException, ServletException {
                                throttle.succeeded(request);
                                super.onAuthenticationSuccess(request, response, authentication);
                            }
                        })
                        .failureHandler((request, response, exception) -> {
                            throttle.failed(request);
                            response.sendRedirect(request.getContextPath() + "/login?error");
                        })
                        .permitAll())
                .logout(logout -> logout.logoutSuccessUrl("/login?logout").permitAll());
        return http.build();
    }

    @Bean
    UserDetailsService adminAccount(AdminProperties admin, @Value("${selfinstruct.data-dir}") Path dataDir) {
        String password = StoredSecret.configuredOrStored(
                admin.password(),
                dataDir.resolve("admin-password"),
                "",
                "The admin UI password (user '" + admin.username() + "')");
        PasswordEncoder encoder = PasswordEncoderFactories.createDelegatingPasswordEncoder();
        return new InMemoryUserDetailsManager(User.withUsername(admin.username())
                .password(encoder.encode(password))
                .roles("ADMIN")
                .build());
    }

    private static final class ApiKeyFilter extends OncePerRequestFilter {

        private final ApiKeys apiKeys;

        ApiKeyFilter(ApiKeys apiKeys) {
            this.apiKeys = apiKeys;
        }

        @Override
        protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
                throws ServletException, IOException {
            String authorization = request.getHeader("Authorization");
            String bearer = authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)
                    ? authorization.substring(7).strip()
                    : null;
            if (apiKeys.matches(request.getHeader(API_KEY_HEADER)) || (bearer != null && apiKeys.matches(bearer))) {
                var auth = new UsernamePasswordAuthenticationToken(
                        "api", null, List.of(new SimpleGrantedAuthority("ROLE_API")));
                SecurityContextHolder.getContext().setAuthentication(auth);
            }
            chain.doFilter(request, response);
        }
    }
}
