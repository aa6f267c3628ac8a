package io.selfinstruct.web;

import io.selfinstruct.problem.ProblemDetails;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Throttles password guessing on the admin login: after {@code max-failed-logins} failures of one user name from
 * one address within {@code login-lockout}, further attempts get a 429 with Retry-After until the window passes.
 * A successful login clears the count. Failures and lockouts are logged (user name and address, never the
 * password).
 */
@Component
public class LoginThrottle {

    private static final Logger log = LoggerFactory.getLogger(LoginThrottle.class);

    private final int maxFailures;
    private final Duration window;
    private final Clock clock = Clock.systemUTC();
    private final Map<String, Failures> failures = new ConcurrentHashMap<>();

    public LoginThrottle(
            @Value("${selfinstruct.admin.max-failed-logins:5}") int maxFailures,
            @Value("${selfinstruct.admin.login-lockout:15m}") Duration window) {
        this.maxFailures = Math.max(1, maxFailures);
        this.window = window;
    }

    private record Failures(int count, Instant first) {}

    static String key(HttpServletRequest request) {
        String user = request.getParameter("username");
        return (user == null ? "" : user.strip().toLowerCase(Locale.ROOT)) + "|" + request.getRemoteAddr();
    }

    void failed(HttpServletRequest request) {
        String key = key(request);
        Instant now = clock.instant();
        Failures updated = failures.merge(
                key,
                new Failures(1, now),
                (old, one) -> expired(old, now) ? one : new Failures(old.count() + 1, old.first()));
        log.warn(
                "Failed admin login for '{}' from {} ({} of {} allowed)",
                request.getParameter("username"),
                request.getRemoteAddr(),
                updated.count(),
                maxFailures);
        if (failures.size() > 10_000) {
            failures.entrySet().removeIf(e -> expired(e.getValue(), now));
        }
    }

    void succeeded(HttpServletRequest request) {
        failures.remove(key(request));
    }

    /** Seconds until this user and address may try again; 0 when they may now. */
    long lockedForSeconds(HttpServletRequest request) {
        Failures seen = failures.get(key(request));
        Instant now = clock.instant();
        if (seen == null || seen.count() < maxFailures || expired(seen, now)) {
            return 0;
        }
        return Math.max(1, Duration.between(now, seen.first().plus(window)).toSeconds());
    }

    private boolean expired(Failures seen, Instant now) {
        return !now.isBefore(seen.first().plus(window));
    }

    /** Stops login attempts while locked; runs before Spring Security reads the password. */
    OncePerRequestFilter filter() {
        return new OncePerRequestFilter() {
            @Override
            protected boolean shouldNotFilter(HttpServletRequest request) {
                String path = request.getRequestURI()
                        .substring(request.getContextPath().length());
                return !("POST".equals(request.getMethod()) && "/login".equals(path));
            }

            @Override
            protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
                    throws ServletException, IOException {
                long seconds = lockedForSeconds(request);
                if (seconds > 0) {
                    log.warn(
                            "Admin login for '{}' from {} refused: too many failed attempts",
                            request.getParameter("username"),
                            request.getRemoteAddr());
                    response.setHeader("Retry-After", Long.toString(seconds));
                    ProblemDetails.write(
                            response,
                            HttpStatus.TOO_MANY_REQUESTS,
                            "Too many failed logins",
                            "Too many failed logins for this user from this address; try again in " + seconds
                                    + " seconds.");
                    return;
                }
                chain.doFilter(request, response);
            }
        };
    }
}
